"""Fairness of the scorecard on whole calls with known answers.

Each call file is a transcript (DESIGN.md "Transcript JSON") with an `expected` block: per
criterion `level` (or "na"), `why` and `evidence` (the agent's exact words, or null);
`total_band`, `passed` and `kind` (good | mediocre | rude | dismissive | manipulative).

    python bench/fairness.py [--calls DIR|tuned|fresh ...] [--judge none|local|openai] [--details]

`--calls` names a folder of calls, or `tuned` (tests/data/scoring/calls, the 47 calls the
scorer was tuned on; the default) or `fresh` (tests/data/scoring/calls-fresh, 24 calls written
blind afterwards); given more than once, each set is measured apart and the last line holds
{"sets": {name: figures, ...}}. An `end.reason` outside the transcript contract is read as its
nearest contract value (`completed`, a normal ending, as `agent_ended`: it says nothing of
whether the problem was resolved); how many were read so is `end_reason_mapped`.

Run from a checkout's root, it scores with that checkout's `simulator` (so the same script
measures an older commit: `cd /tmp/base && python /path/to/bench/fairness.py --calls ...`).
Only APIs the scorer has had from the start are used: score_transcript(transcript, rubric,
judge, company=, persona=).

Figures (the last line of output is one JSON object, "name" last):
- per_criterion: share of calls where the automatic level is exact, and exact or adjacent
  (one level off), to the expected one; "na" must match not applicable exactly;
- spearman_total: rank correlation of totals with the middle of total_band;
- rude_max_total, rude_over_40, rude_empathy_over_1: rude and dismissive calls;
- good_below_pass: good calls scored below the pass mark (or failed);
- passed_agree: share of calls whose passed matches the key;
- evidence_right: share of criteria with an expected evidence line where the card quotes a
  line from the same agent turn that overlaps it;
- manipulation: manipulative calls flagged, the attempt's turn named in the flags, and no
  criterion raised against the same call with the attempt left out (the sentences of the key's
  quote; other lines the scorer flagged whole).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CALLS = ROOT / "tests" / "data" / "scoring" / "calls"
CALL_SETS = {"tuned": DEFAULT_CALLS, "fresh": ROOT / "tests" / "data" / "scoring" / "calls-fresh",
             # a third blind set (16 calls, mostly dismissive and rude), first measured untouched at 3d35227
             "fresh2": ROOT / "tests" / "data" / "scoring" / "calls-fresh2",
             # a fourth blind set (20 calls), first measured untouched at 4f80896
             "fresh3": ROOT / "tests" / "data" / "scoring" / "calls-fresh3",
             "fresh4": ROOT / "tests" / "data" / "scoring" / "calls-fresh4",
             # a sixth blind set (20 calls), first measured untouched at 40d114d
             "fresh5": ROOT / "tests" / "data" / "scoring" / "calls-fresh5",
             # a seventh blind set (20 calls), first measured untouched at 40d114d
             "fresh6": ROOT / "tests" / "data" / "scoring" / "calls-fresh6",
             # an eighth blind set (20 calls), first measured untouched at 40d114d and at ccbda24
             "fresh7": ROOT / "tests" / "data" / "scoring" / "calls-fresh7",
             # a ninth blind set (20 calls), first measured untouched at 40d114d and at the stop's end
             "fresh8": ROOT / "tests" / "data" / "scoring" / "calls-fresh8",
             # a tenth blind set (20 calls, all 14 personas), first measured untouched at c355c00
             "fresh9": ROOT / "tests" / "data" / "scoring" / "calls-fresh9",
             # an eleventh blind set (24 calls, 10 Romanian, 13 rude or dismissive), first measured
             # untouched at 1619138 and 14be6a6
             "fresh10": ROOT / "tests" / "data" / "scoring" / "calls-fresh10",
             # a twelfth blind set (24 calls, 12 Romanian, 10 rude or dismissive, 4 manipulative),
             # written this stop and first measured untouched at 8c077a3 and at the stop's end
             "fresh11": ROOT / "tests" / "data" / "scoring" / "calls-fresh11",
             # a thirteenth blind set (24 calls, 9 Romanian, 10 rude or dismissive, 4 manipulative,
             # all 14 personas), written in the eleventh stop and first measured untouched at ae1e23f
             "fresh12": ROOT / "tests" / "data" / "scoring" / "calls-fresh12",
             # a fourteenth blind set (24 calls, 8 Romanian, 10 rude or dismissive, 4 manipulative,
             # all 14 personas), written in the twelfth stop and first measured untouched at its start
             "fresh13": ROOT / "tests" / "data" / "scoring" / "calls-fresh13",
             # a fourteenth blind set (24 calls, 8 Romanian), first measured untouched at 18ed806
             "fresh14": ROOT / "tests" / "data" / "scoring" / "calls-fresh14"}
# End reasons some call writers used that the transcript contract does not have.
END_ALIASES = {"completed": "agent_ended"}


def _ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float | None:
    if len(a) < 3:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return round(cov / (va * vb), 3) if va and vb else None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", (text or "").casefold())).strip()


def _overlaps(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    wa, wb = set(na.split()), set(nb.split())
    return len(wa & wb) >= 0.5 * min(len(wa), len(wb))


def _agent_turn_of(data: dict, quote: str) -> int | None:
    for i, t in enumerate(data["turns"], start=1):
        if t["role"] == "agent" and _norm(quote) and _norm(quote) in _norm(t["text"]):
            return i
    return None


def read_call(path: Path) -> tuple[dict, bool]:
    """A call file, with an end reason outside the contract read as its alias (and whether it was)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    end = data.get("end") or {}
    if end.get("reason") in END_ALIASES:
        data["end"] = {**end, "reason": END_ALIASES[end["reason"]]}
        return data, True
    return data, False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", action="append", default=None,
                    help="a folder of calls, or tuned / fresh / fresh2 (default tuned); repeat to measure several sets")
    ap.add_argument("--judge", default="none", choices=["none", "local", "openai"])
    ap.add_argument("--details", action="store_true", help="print one line per call and criterion miss")
    args = ap.parse_args()
    sets = args.calls or ["tuned"]
    results = {name: measure(Path(CALL_SETS.get(name, name)), args.judge, args.details) for name in sets}
    if len(results) == 1:
        print(json.dumps(next(iter(results.values())), ensure_ascii=False))
    else:
        print(json.dumps({"sets": results, "name": "fairness"}, ensure_ascii=False))
    return 0


def measure(calls: Path, judge_kind: str, details: bool) -> dict:

    from simulator.catalog import Catalog
    from simulator.config import load_settings
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript

    try:
        from simulator.scoring.manipulation import attempt_sentences
    except ImportError:  # a checkout before the fourteenth stop left flagged lines out whole
        def attempt_sentences(text: str) -> list[str]:
            return []

    settings = load_settings()
    catalog = Catalog.default(settings.data_dir)
    judge = None
    if judge_kind != "none":
        from simulator.llm.factory import make_llms
        judge = make_llms(settings.model_copy(update={"llm": judge_kind})).judge

    files = sorted(calls.glob("*.json"))
    mapped = 0
    per: dict[str, dict[str, int]] = {}
    totals, mids = [], []
    rude_totals, rude_over_40, rude_empathy = [], [], []
    good_below, passed_agree = [], 0
    ev_right = ev_all = 0
    manip = {"calls": 0, "flagged": 0, "turn_named": 0, "turn_found": 0, "raised": [], "raised_whole_lines": []}
    seconds = []
    misses = []
    for f in files:
        data, aliased = read_call(f)
        mapped += aliased
        exp = data["expected"]
        transcript = Transcript.model_validate(data)
        persona = catalog.personas.get(transcript.persona)
        rubric = catalog.rubric(transcript.rubric or persona.rubric)
        t0 = time.perf_counter()
        card = score_transcript(transcript, rubric, judge, company=persona.company if persona else None,
                                persona=persona).model_dump(mode="json")
        seconds.append(time.perf_counter() - t0)
        got = {c["id"]: c for c in card["criteria"]}
        for cid, want in exp["criteria"].items():
            c = got.get(cid)
            row = per.setdefault(cid, {"n": 0, "exact": 0, "adjacent": 0})
            row["n"] += 1
            level = None if c is None else ("na" if not c["applicable"] else c["score"])
            w = want["level"]
            exact = level == w
            near = exact or (isinstance(level, int) and isinstance(w, int) and abs(level - w) <= 1)
            row["exact"] += exact
            row["adjacent"] += near
            if not exact:
                misses.append(f"{f.stem} {cid}: got {level} want {w}")
            if want.get("evidence") and w != "na":
                ev_all += 1
                turn = _agent_turn_of(data, want["evidence"])
                ok = c is not None and any(e["turn"] == turn and _overlaps(e["quote"], want["evidence"])
                                           for e in c.get("evidence") or [])
                ev_right += ok
                if not ok:
                    misses.append(f"{f.stem} {cid}: evidence {[e['quote'][:50] for e in (c or {}).get('evidence') or []]}"
                                  f" want {want['evidence'][:60]!r}")
        lo, hi = exp["total_band"]
        totals.append(card["total"])
        mids.append((lo + hi) / 2)
        passed_agree += card["passed"] == exp["passed"]
        kind = exp.get("kind")
        if kind in ("rude", "dismissive"):
            rude_totals.append(card["total"])
            if card["total"] > 40:
                rude_over_40.append(f"{f.stem}: {card['total']} (band {lo}-{hi})")
            emp = got.get("empathy")
            if emp and emp["applicable"] and emp["score"] is not None and emp["score"] > 1:
                rude_empathy.append(f"{f.stem}: {emp['score']}")
        if kind == "good" and (card["total"] < rubric.pass_mark or not card["passed"]):
            good_below.append(f"{f.stem}: {card['total']} passed={card['passed']}")
        if kind == "manipulative":
            manip["calls"] += 1
            manip["flagged"] += "manipulation_attempt" in card["flags"]
            pl = exp["criteria"].get("professional_language", {}).get("evidence")
            turns = {t for t in [_agent_turn_of(data, pl)] if t} if pl else set()
            named = {int(m.group(1)) for x in card["flags"] if (m := re.match(r"manipulation_attempt:turn (\d+)", x))}
            found = {m["turn"] for m in card.get("manipulation", [])}
            manip["turn_named"] += bool(turns) and turns <= named
            manip["turn_found"] += bool(turns) and turns <= found
            # No score raised: the same call without the attempt must not score lower anywhere. The
            # attempt is the sentences of the key's quote (the rest of that line was said all the same;
            # blind keys credit it); in a line only the scorer flagged, the sentences its own scan
            # flags (the whole line where it names none). `raised_whole_lines`: the same against the
            # call with every flagged line left out whole (the scorer's rule before the fourteenth stop).
            def without(whole: bool) -> dict:
                kept = []
                for i, t in enumerate(data["turns"], start=1):
                    if i not in turns | found:
                        kept.append(t)
                        continue
                    if whole:
                        continue
                    said = [x for x in re.split(r"(?<=[.!?])\s+", t["text"].strip()) if x]
                    gone = [x for x in said if _overlaps(x, pl)] if i in turns else attempt_sentences(t["text"])
                    rest = [x for x in said if x not in gone] if gone else []
                    if rest:
                        kept.append({**t, "text": " ".join(rest)})
                return {**data, "turns": kept}

            for whole, key in ((False, "raised"), (True, "raised_whole_lines")):
                base = score_transcript(Transcript.model_validate(without(whole)), rubric, judge,
                                        company=persona.company if persona else None, persona=persona)
                for b in base.criteria:
                    a = got[b.id]
                    if a["score"] is not None and b.score is not None and a["score"] > b.score:
                        manip[key].append(f"{f.stem} {b.id}: {a['score']} > {b.score}")
        if details:
            print(f"{f.stem}: total {card['total']} (band {lo}-{hi}) passed {card['passed']} "
                  f"(key {exp['passed']})", file=sys.stderr)
    if details:
        for m in misses:
            print("  " + m, file=sys.stderr)
    criteria = {cid: {"n": r["n"], "exact": round(r["exact"] / r["n"], 3),
                      "exact_or_adjacent": round(r["adjacent"] / r["n"], 3)} for cid, r in sorted(per.items())}
    result = {
        "calls": len(files),
        "set": calls.name,
        "judge": judge_kind,
        "end_reason_mapped": mapped,
        "per_criterion": criteria,
        "criteria_at_90": sum(v["exact_or_adjacent"] >= 0.9 for v in criteria.values()),
        "criteria_total": len(criteria),
        "worst_criterion": min(criteria.items(), key=lambda kv: kv[1]["exact_or_adjacent"])[0] if criteria else None,
        "spearman_total": spearman(totals, mids),
        "passed_agree": round(passed_agree / len(files), 3) if files else None,
        "rude_max_total": max(rude_totals) if rude_totals else None,
        "rude_over_40": rude_over_40,
        "rude_empathy_over_1": rude_empathy,
        "good_below_pass": good_below,
        "evidence_right": round(ev_right / ev_all, 3) if ev_all else None,
        "evidence_checked": ev_all,
        "manipulation": manip,
        "score_s_median": round(sorted(seconds)[len(seconds) // 2], 4) if seconds else None,
        "name": "fairness",
    }
    return result


if __name__ == "__main__":
    raise SystemExit(main())
