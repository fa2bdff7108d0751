"""Customer fidelity over seeded self-play calls of every built-in persona x agent policy.

Prints progress, then one JSON object on the last line. Rates are over customer lines:
- *_rate: lines the trainee saw with that fault (after the guard; should be 0),
- raw_*_rate: the actor's first attempts with that fault (what the guard caught),
- replaced_rate: lines replaced by authored fallbacks.
Usage: python bench/customer_fidelity.py [--personas a,b] [--policies good,rude] [--seeds 1] [--turns 10] [--no-llm]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.catalog import Catalog  # noqa: E402
from simulator.config import load_settings  # noqa: E402
from simulator.engine import guard  # noqa: E402
from simulator.selfplay import POLICIES, selfplay  # noqa: E402


class TimedLLM:
    """Wraps the customer LLM to time each line."""

    def __init__(self, llm):
        self.llm, self.name, self.times = llm, getattr(llm, "name", "llm"), []

    def complete(self, messages, **kw):
        t0 = time.perf_counter()
        try:
            return self.llm.complete(messages, **kw)
        finally:
            self.times.append(time.perf_counter() - t0)

    def stream(self, messages, **kw):
        yield self.complete(messages, **kw)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--personas", default="")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--no-llm", action="store_true")
    args = ap.parse_args()

    settings = load_settings()
    catalog = Catalog.default(None)
    ids = [p for p in args.personas.split(",") if p] or sorted(catalog.personas)
    llm = None
    if not args.no_llm:
        from simulator.llm.factory import make_llms
        llm = TimedLLM(make_llms(settings).customer)

    counts = dict(lines=0, role_break=0, ai=0, early=0, repeat=0, replaced=0,
                  raw_role_break=0, raw_ai=0, raw_early=0, raw_repeat=0, raw_too_long=0)
    ends: dict[str, dict[str, int]] = {}
    t0 = time.time()
    for pid in ids:
        persona = catalog.persona(pid)
        for policy in args.policies.split(","):
            for seed in range(args.seeds):
                tr = selfplay(persona, llm, policy, seed=seed, turns=args.turns)
                reason = tr.end.reason.value if tr.end else "unfinished"
                ends.setdefault(policy, {}).setdefault(reason, 0)
                ends[policy][reason] += 1
                earlier: list[str] = []
                for turn in tr.turns:
                    if turn.role != "customer":
                        continue
                    st = turn.state
                    counts["lines"] += 1
                    counts["replaced"] += int(st.replaced)
                    # Re-check what the trainee saw, from the revealed facts before this line.
                    allowed = st.revealed
                    found = guard.problems(turn.text, persona, set(allowed), earlier)
                    counts["role_break"] += any(p in ("speaks as the agent", "third person") for p in found)
                    counts["ai"] += "mentions AI" in found
                    counts["early"] += any(p.startswith("reveals") for p in found)
                    counts["repeat"] += "repeats an earlier line" in found
                    raw = st.rejected
                    counts["raw_role_break"] += any(p in ("speaks as the agent", "third person") for p in raw)
                    counts["raw_ai"] += "mentions AI" in raw
                    counts["raw_early"] += any(p.startswith("reveals") for p in raw)
                    counts["raw_repeat"] += "repeats an earlier line" in raw
                    counts["raw_too_long"] += "too long" in raw
                    earlier.append(turn.text)
                print(f"{pid:<28} {policy:<13} seed {seed}: {reason:<12} "
                      f"{sum(1 for t in tr.turns if t.role == 'customer')} lines, "
                      f"{sum(1 for t in tr.turns if t.role == 'customer' and t.state.replaced)} replaced",
                      file=sys.stderr, flush=True)
    n = max(counts["lines"], 1)
    times = sorted(llm.times) if llm else []
    out = {
        "name": "customer_fidelity",
        "model": getattr(llm, "name", "none") if llm else "none (authored lines)",
        "personas": len(ids), "policies": args.policies.split(","), "seeds": args.seeds,
        "customer_lines": counts["lines"],
        "role_break_rate": round(counts["role_break"] / n, 4),
        "ai_mention_rate": round(counts["ai"] / n, 4),
        "early_reveal_rate": round(counts["early"] / n, 4),
        "repeat_rate": round(counts["repeat"] / n, 4),
        "replaced_rate": round(counts["replaced"] / n, 4),
        "raw_role_break_rate": round(counts["raw_role_break"] / n, 4),
        "raw_ai_mention_rate": round(counts["raw_ai"] / n, 4),
        "raw_early_reveal_rate": round(counts["raw_early"] / n, 4),
        "raw_repeat_rate": round(counts["raw_repeat"] / n, 4),
        "raw_too_long_rate": round(counts["raw_too_long"] / n, 4),
        "line_s_median": round(statistics.median(times), 3) if times else None,
        "line_s_p95": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
        "ends": ends,
        "wall_s": round(time.time() - t0, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
