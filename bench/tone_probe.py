"""The tone probe (simulator/listener/tone.py): trained here, and measured on calls it never saw.

Training data, all in this repository:
- tests/data/tone/lines.jsonl: 700 agent lines written blind to the code (dismissive, rude,
  polite, and polite lines a careless reader might take for a brush-off), EN and RO;
- the agent lines of scored call sets: in rude and dismissive calls, the lines the key quotes
  for empathy or professional language at level 0-1 (positive); every line of good calls
  (negative).

By default it trains on the lines and the tuned call set, then reads the fresh sets' calls
(never trained on in this run) and reports, per set, at the shipped threshold:
- held_lines_over_threshold: per language and label of tests/data/tone/lines2.jsonl (never
  trained on), the lines read as a brush-off;
- rude_dismissive_caught: rude or dismissive calls with at least two lines above it (what
  the scorecard needs to cap the call);
- good_flagged: good calls with any line above it (each would lose a level);
- other_flagged_twice: mediocre and manipulative calls with two or more.
`--write` trains on TRAIN (tuned, fresh, fresh2; fresh3 chose the threshold and gates, fresh4
is kept for measuring the scorecard) and writes simulator/listener/tone.npz. Lines are read as the probe
reads them: their stated part (questions left out), four words or more.

The shipped weights: `--write --service-lines <shared>/data/service_lines/lines.jsonl
--threshold 0.9`. The threshold, and the gates in tone.brush_off (a question no longer hides a
brush-off; a read-back of the customer's line is none), were chosen on the scorecard's figures
for fresh3, which this probe never trained on; never on fresh4.

Usage: python bench/tone_probe.py [--write] [--l2 3] [--threshold 0.7]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from _common import REPO, emit, log

from simulator.listener.sense import E5Encoder
from simulator.listener.tone import SCALE, WEIGHTS, stated

LINES = REPO / "tests" / "data" / "tone" / "lines.jsonl"
# 640 more lines by another blind writer (subtle brush-offs; limits said with help), never
# trained on: each run reports the probe on them. Training on them too was tried (2026-12-06):
# fresh3 improved, but a mediocre tuned call got two lines over the bar and lost 40 points.
HELD_LINES = REPO / "tests" / "data" / "tone" / "lines2.jsonl"
SETS = {"tuned": "calls", "fresh": "calls-fresh", "fresh2": "calls-fresh2", "fresh3": "calls-fresh3",
        "fresh4": "calls-fresh4"}
# What --write trains on: fresh3 chose the threshold and the gates (it was read by then);
# fresh4 measures the scorecard, untouched.
TRAIN = ("tuned", "fresh", "fresh2")
NEGATIVE_KINDS = ("good",)


def corpus() -> list[tuple[str, int, str]]:
    out = []
    for raw in LINES.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            d = json.loads(raw)
            out.append((d["text"], 1 if d["label"] in ("dismissive", "rude") else 0, d["language"]))
    return out


def calls(name: str) -> list[dict]:
    """Each agent line of a call set: text, call, kind, label (1, 0, or None: not labelled)."""
    rows = []
    for f in sorted((REPO / "tests" / "data" / "scoring" / SETS[name]).glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        exp = d["expected"]
        quoted = [c["evidence"] for k, c in exp["criteria"].items()
                  if k in ("empathy", "professional_language") and isinstance(c.get("level"), int)
                  and c["level"] <= 1 and c.get("evidence")]
        for t in d["turns"]:
            if t["role"] != "agent":
                continue
            if exp["kind"] in ("rude", "dismissive"):
                label = 1 if any(q in t["text"] for q in quoted) else None
            else:
                label = 0 if exp["kind"] in NEGATIVE_KINDS else None
            rows.append({"text": t["text"], "call": f.stem, "kind": exp["kind"], "label": label,
                         "language": d.get("language", "en")})
    return rows


def fit(x: np.ndarray, y: np.ndarray, groups: list[str], l2: float) -> tuple[np.ndarray, float]:
    """L2 logistic regression by Newton's method. Each (language, label) group weighs the same:
    with English ordinary lines in the majority, the first probe read Romanian itself as
    dismissive ("Bună ziua, GazNord Furnizare, mă numesc Victor." scored 0.90)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    keys = [f"{g}:{int(v)}" for g, v in zip(groups, y)]
    sizes = {k: keys.count(k) for k in set(keys)}
    sw = np.array([1.0 / sizes[k] for k in keys])
    sw = sw / sw.mean()
    reg = np.eye(d + 1) * l2
    reg[-1, -1] = 0.0  # the intercept is not pulled to 0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(xb @ beta)))
        grad = xb.T @ (sw * (p - y)) + reg @ beta
        hess = (xb.T * (sw * p * (1 - p))) @ xb + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=3.0)
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--service-lines", type=Path, default=None,
                    help="also train on real agent lines as ordinary ones (../shared/data/service_lines/lines.jsonl)")
    ap.add_argument("--service-n", type=int, default=3000)
    args = ap.parse_args()
    enc = E5Encoder()

    def embed(texts: list[str]) -> np.ndarray:
        return SCALE * np.concatenate([enc.embed(texts[i:i + 64]) for i in range(0, len(texts), 64)])

    train_sets = list(TRAIN) if args.write else ["tuned"]
    data = corpus() + [(r["text"], r["label"], r["language"]) for s in train_sets for r in calls(s)
                       if r["label"] is not None]
    if args.service_lines is not None:
        real = [json.loads(x)["line"] for x in args.service_lines.read_text(encoding="utf-8").splitlines() if x.strip()]
        data += [(t, 0, "en") for t in real[:: max(1, len(real) // args.service_n)][: args.service_n]]
    # Trained on what it reads: the stated part of a line, four words or more (tone.stated).
    data = [(stated(t), y, g) for t, y, g in data if len(stated(t).split()) >= 4]
    log(f"training on {len(data)} lines ({sum(y for _, y, _ in data)} dismissive or rude): lines.jsonl + {train_sets}")
    w, b = fit(embed([t for t, _, _ in data]), np.array([y for _, y, _ in data], float), [g for _, _, g in data],
               args.l2)
    figures: dict = {"trained_on": ["lines.jsonl", *train_sets] + (["service_lines"] if args.service_lines else []),
                     "lines": len(data), "l2": args.l2,
                     "threshold": args.threshold, "sets": {}}
    for name in SETS:
        if name in train_sets:
            continue
        rows = calls(name)
        rows = [r for r in rows if len(stated(r["text"]).split()) >= 4]
        p = 1.0 / (1.0 + np.exp(-(embed([stated(r["text"]) for r in rows]) @ w + b)))
        flagged: dict[str, int] = {}
        for r, pr in zip(rows, p):
            flagged[r["call"]] = flagged.get(r["call"], 0) + int(pr >= args.threshold)
        kinds = {r["call"]: r["kind"] for r in rows}
        rd = [c for c, k in kinds.items() if k in ("rude", "dismissive")]
        good = [c for c, k in kinds.items() if k == "good"]
        other = [c for c, k in kinds.items() if k not in ("rude", "dismissive", "good")]
        figures["sets"][name] = {
            "rude_dismissive_caught": f"{sum(flagged[c] >= 2 for c in rd)}/{len(rd)}",
            "good_flagged": f"{sum(flagged[c] >= 1 for c in good)}/{len(good)}",
            "other_flagged_twice": f"{sum(flagged[c] >= 2 for c in other)}/{len(other)}"}
    held = [json.loads(x) for x in HELD_LINES.read_text(encoding="utf-8").splitlines() if x.strip()]
    held = [d for d in held if len(stated(d["text"]).split()) >= 4]
    p = 1.0 / (1.0 + np.exp(-(embed([stated(d["text"]) for d in held]) @ w + b)))
    rates: dict[str, list[int]] = {}
    for d, pr in zip(held, p):
        row = rates.setdefault(f"{d['language']}:{d['label']}", [0, 0])
        row[0] += int(pr >= args.threshold)
        row[1] += 1
    figures["held_lines_over_threshold"] = {k: f"{a}/{n}" for k, (a, n) in sorted(rates.items())}
    if args.write:
        np.savez(WEIGHTS, w=w.astype(np.float32), b=np.float32(b), threshold=np.float32(args.threshold),
                 encoder=np.array(enc.name))
        log(f"wrote {WEIGHTS.relative_to(REPO)}")
    emit("tone_probe", **figures)


if __name__ == "__main__":
    main()
