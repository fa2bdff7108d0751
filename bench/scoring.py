"""Scoring speed: rule-only scoring of a 20-turn call, and progressive scoring with the judge.

Prints progress, then one JSON object on the last line:
{"rule_only_ms": ..., "first_card_ms": ..., "judge_s": ..., "calls": [...], ..., "name": "scoring"}
rule_only_ms is the median over many runs of the built-in 20-turn call. With a judge, each call
(the built-in one and any --call FILE) is scored progressively (score_progressive): first_card_ms
is when the code-decided card was there, judge_s when the last judged part arrived (the model
loaded and warm; its load time is reported apart as judge_load_s); judged is how many parts the
judge was asked about (only the levels code left open).
Targets: rule_only_ms <= 50; first card <= 3 s; judge_s <= 30 on 2 CPU cores with the embedded model.
Usage: python bench/scoring.py [--judge settings|none] [--runs 50] [--samples 1] [--call FILE ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from simulator.rubric import Rubric  # noqa: E402
from simulator.scoring import score_transcript  # noqa: E402
from simulator.transcript import Transcript  # noqa: E402

AGENT = [
    "Thank you for calling Nordlink Telecom, my name is Ana. How can I help you today?",
    "I'm really sorry, that sounds frustrating. Could you confirm the account number and the postcode, please?",
    "Thank you. When did the connection drop, and is the light on your router red or off?",
    "That helps. Have you restarted the router since then?",
    "I understand, losing a day of work is serious. Let me check the line in your area.",
    "There is a fault on the line since eight yesterday morning; our technicians are fixing it.",
    "It should be back by six this evening, and I will add a credit of two days to your next bill.",
    "I've logged it under reference 7731; you will get a text message when the line is back.",
    "If it is not back by six, call us and quote 7731, and we will send a technician tomorrow.",
    "Is there anything else I can help you with today? Thank you for calling Nordlink Telecom, goodbye.",
]
CUSTOMER = [
    "Finally! My internet has been down since yesterday and this is the third time I'm calling.",
    "It's NL-48213, postcode 4021.",
    "Yesterday around eight in the morning. The light is red.",
    "Yes, twice. It didn't help. I work from home.",
    "Fine, but hurry, please.",
    "And when will it work again?",
    "By six? All right, that works for me.",
    "OK.",
    "Good to know.",
    "No, that's all. Bye.",
]


def twenty_turn_call() -> Transcript:
    turns, t = [], 0.0
    for i, (a, c) in enumerate(zip(AGENT, CUSTOMER)):
        turns.append({"role": "agent", "text": a, "t": t})
        mood = -0.7 + 0.09 * i
        beat = "accept" if i == 6 else "give_fact"
        turns.append({"role": "customer", "text": c, "t": t + 3.0,
                      "state": {"mood": mood, "patience": 4, "revealed": [], "beat": beat}})
        t += 9.0
    return Transcript.model_validate({"persona": "irritable-outage", "language": "en", "turns": turns,
                                      "end": {"reason": "resolved", "t": t}})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--judge", choices=["settings", "none"], default="settings",
                    help="settings: the judge from ROLECALL_* settings (embedded model by default)")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--call", action="append", default=[], help="also score this transcript JSON progressively")
    args = ap.parse_args()

    rubric = Rubric.model_validate(yaml.safe_load((ROOT / "rubrics" / "inbound-support.yaml").read_text("utf-8")))
    call = twenty_turn_call()
    score_transcript(call, rubric, company="Nordlink Telecom")  # warm caches (regexes, pydantic)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        score_transcript(call, rubric, company="Nordlink Telecom")
        times.append((time.perf_counter() - t0) * 1000)
    result = {"name": "scoring", "rule_only_ms": round(statistics.median(times), 2),
              "rule_only_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
              "judge_s": None, "turns": len(call.turns), "judge_model": None}
    print(f"rule-only: median {result['rule_only_ms']} ms over {args.runs} runs", flush=True)

    if args.judge == "settings":
        from simulator.catalog import Catalog
        from simulator.scoring import score_progressive

        from simulator.config import load_settings
        from simulator.llm.factory import make_llms

        judge = make_llms(load_settings()).judge
        result["judge_model"] = getattr(judge, "name", type(judge).__name__)
        t0 = time.perf_counter()
        judge.complete([("user", "Say OK.")], max_tokens=2, temperature=0.0)  # load the model
        result["judge_load_s"] = round(time.perf_counter() - t0, 2)
        print(f"judge {result['judge_model']} ready in {result['judge_load_s']} s", flush=True)
        settings = load_settings()
        catalog = Catalog.default(settings.data_dir)
        runs = [("built-in 20-turn", call, rubric, None)]
        for path in args.call:
            t = Transcript.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
            persona = catalog.personas.get(t.persona)
            runs.append((Path(path).stem, t, catalog.rubric(t.rubric or persona.rubric), persona))
        result["calls"] = []
        for name, t, r, persona in runs:
            t0 = time.perf_counter()
            first = None
            for update in score_progressive(t, r, judge, samples=args.samples, persona=persona,
                                            company=None if persona else "Nordlink Telecom"):
                if first is None:
                    first = time.perf_counter() - t0
                last = update
            done = time.perf_counter() - t0
            judged = {c.id: {"score": c.score, "levels": c.judged_levels, "review": c.needs_review}
                      for c in last.card.criteria if c.decided_by == "judge"}
            row = {"call": name, "turns": len(t.turns), "first_card_ms": round(first * 1000, 1),
                   "judge_s": round(done, 2), "judged": last.total, "judge_scores": judged}
            result["calls"].append(row)
            print(f"{name}: first card {row['first_card_ms']} ms, complete {row['judge_s']} s "
                  f"({last.total} judged)", flush=True)
        result["first_card_ms"] = max(c["first_card_ms"] for c in result["calls"])
        result["judge_s"] = max(c["judge_s"] for c in result["calls"])
    result["name"] = result.pop("name")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
