"""The customer's lines as a person reviews them: a sheet to label, then the rates.

customer_fidelity.py's own fault rates re-check each line with the guard that wrote it, so
what the guard misses is 0 there by construction. A reviewer who never sees the code reads
the lines instead:

1. `python bench/customer_fidelity.py ... --calls-out calls.jsonl`
2. `python bench/line_review.py sheet calls.jsonl DIR` writes DIR/sheet.txt (each call, the
   customer's lines numbered L001...) and DIR/lines.json (what each number is).
3. The reviewer writes DIR/labels.jsonl, one {"id", "label", "why"} per line, label one of
   ok | agent (talks as the agent or company) | repeat (says again what it said) | off
   (anything else that breaks the illusion); DIR/INSTRUCTIONS.md says so to them.
4. `python bench/line_review.py rates DIR` prints the rates as JSON, overall, per language
   and per agent policy.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from _common import emit

from simulator.catalog import Catalog

LABELS = ("ok", "agent", "repeat", "off")
INSTRUCTIONS = """# Reviewing a simulated customer's lines

You are a call-centre training manager. A training simulator plays the CUSTOMER in practice
phone calls; a trainee (or here, a scripted practice agent, sometimes deliberately rude or odd)
plays the AGENT. Read the calls in `sheet.txt`. Each customer line has an id like [L017].

For every customer line, decide what a trainee hearing it would notice. One label each:

- `ok`     : a believable line for this customer at this moment (it may be short, blunt,
             imperfect, or a little off the question: people are like that).
- `agent`  : the customer talks like the agent or the company would: offers help, thanks the
             other side for their patience or for calling, apologises for an inconvenience
             the company caused, reassures the other side, asks the agent for the customer's
             own details, promises company action, speaks of the customer's own things as
             "your account / your internet", sounds like a script read by staff.
- `repeat` : says again, near word for word, something this customer already said in this call
             (when not asked for it again).
- `off`    : any other thing that breaks the illusion: nonsense, broken grammar a native
             speaker would never produce, contradicts the situation, invents facts, answers
             something never asked in a way that makes no sense, narrates, wrong language.

Romanian calls: judge as a native Romanian speaker would.

Write `labels.jsonl`, one JSON object per line, for EVERY customer line id:
{"id": "L001", "label": "ok|agent|repeat|off", "why": "a few words"}
Then `summary.md`: counts per label, and the 5 most jarring lines with why.
"""


def sheet(calls: Path, out: Path) -> None:
    catalog = Catalog.default(None)
    out.mkdir(parents=True, exist_ok=True)
    text, lines = [], {}
    for raw in calls.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        c = json.loads(raw)
        p = catalog.persona(c["persona"])
        text += [f"\n=== CALL {c['persona']} / agent style: {c['policy']} ===",
                 f"Customer: {p.name} ({p.temperament.value}), language {p.language}. "
                 f"Calls/called about: {' '.join(p.situation.split())}",
                 f"Company: {p.company}. Call type: {p.call_type.value}."]
        for t in c["turns"]:
            if t["role"] == "agent":
                text.append(f"  AGENT: {t['text']}")
                continue
            lid = f"L{len(lines) + 1:03d}"
            lines[lid] = {"persona": c["persona"], "language": p.language, "policy": c["policy"],
                          "seed": c["seed"], "text": t["text"], "replaced": t.get("replaced", False)}
            text.append(f"  [{lid}] CUSTOMER: {t['text']}")
    (out / "sheet.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    (out / "lines.json").write_text(json.dumps(lines, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "INSTRUCTIONS.md").write_text(INSTRUCTIONS, encoding="utf-8")


def rates(folder: Path) -> None:
    lines = json.loads((folder / "lines.json").read_text(encoding="utf-8"))
    labels = {}
    for raw in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            d = json.loads(raw)
            labels[d["id"]] = d["label"]
    missing = sorted(set(lines) - set(labels))
    if missing:
        raise SystemExit(f"{folder / 'labels.jsonl'}: no label for {', '.join(missing[:5])}; label every line")
    groups: dict[str, Counter] = {}
    for lid, m in lines.items():
        for key in ("all", f"language:{m['language']}", f"policy:{m['policy']}"):
            groups.setdefault(key, Counter())[labels[lid]] += 1

    def share(c: Counter) -> dict:
        n = sum(c.values())
        return {"lines": n, **{f"{k}_rate": round(c[k] / n, 4) for k in LABELS}}

    emit("line_review", **{k: share(c) for k, c in sorted(groups.items())})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheet")
    s.add_argument("calls", type=Path)
    s.add_argument("out", type=Path)
    r = sub.add_parser("rates")
    r.add_argument("folder", type=Path)
    args = ap.parse_args()
    if args.cmd == "sheet":
        sheet(args.calls, args.out)
    else:
        rates(args.folder)


if __name__ == "__main__":
    main()
