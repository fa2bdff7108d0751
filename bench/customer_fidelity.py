"""Customer fidelity over seeded self-play calls of every built-in persona x agent policy.

Prints progress, then one JSON object on the last line. Rates are over customer lines:
- *_rate: lines the trainee saw with that fault (after the guard; should be 0),
- raw_*_rate: the actor's first attempts with that fault (what the guard caught),
- replaced_rate: lines replaced by authored fallbacks;
- loop_rate: a phrase said again inside one line; echo_rate: part of an agent's line said back;
- by_language: the same rates for the English and the Romanian personas apart.
Usage: python bench/customer_fidelity.py [--personas a,b] [--policies good,rude] [--seeds 1] [--turns 10] [--no-llm]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
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


# fault -> the guard's problems that show it
FAULTS = {
    "role_break": ("speaks as the agent", "third person", "narrates the brief", "introduces a line"),
    "self_address": ("calls itself by name",),  # "Elena, nu înțeleg nimic": addressed as the agent would
    "wrong_language": ("wrong language",),  # "Oui, ...", an English sentence from a Romanian customer
    "ai_mention": ("mentions AI",),
    "early_reveal": ("reveals",),
    "repeat": ("repeats an earlier line",),
    "loop": ("loops a phrase", "repeats itself"),  # a phrase or a sentence said again inside one line
    "echo": ("echoes the agent",),  # part of an agent's line said back
}


def _faults(seen: list[str], raw: list[str], replaced: bool) -> Counter:
    """One customer line's faults: in what the trainee saw, and in the actor's first attempt."""
    hit = Counter(lines=1, replaced=int(replaced), raw_too_long=int("too long" in raw))
    for fault, problems in FAULTS.items():
        hit[fault] = int(any(p.startswith(problems) for p in seen))
        hit[f"raw_{fault}"] = int(any(p.startswith(problems) for p in raw))
    return hit


def _rates(c: Counter) -> dict:
    n = max(c["lines"], 1)
    names = [*FAULTS, "replaced", *(f"raw_{f}" for f in FAULTS), "raw_too_long"]
    return {"customer_lines": c["lines"], **{f"{k}_rate": round(c[k] / n, 4) for k in names}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--personas", default="")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds run from this one (more calls beside an earlier run)")
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--no-llm", action="store_true")
    ap.add_argument("--calls-out", type=Path, default=None,
                    help="also write each call's turns here (JSON lines), for a reviewer to read the lines")
    args = ap.parse_args()
    calls_out = args.calls_out.open("w", encoding="utf-8") if args.calls_out else None

    settings = load_settings()
    catalog = Catalog.default(None)
    ids = [p for p in args.personas.split(",") if p] or sorted(catalog.personas)
    llm = None
    if not args.no_llm:
        from simulator.llm.factory import make_llms
        llm = TimedLLM(make_llms(settings).customer)

    counts: dict[str, Counter] = {}  # per persona language: Romanian faults apart from English ones
    ends: dict[str, dict[str, int]] = {}
    t0 = time.time()
    for pid in ids:
        persona = catalog.persona(pid)
        c = counts.setdefault(persona.language, Counter())
        for policy in args.policies.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                tr = selfplay(persona, llm, policy, seed=seed, turns=args.turns)
                if calls_out is not None:
                    calls_out.write(json.dumps({"persona": pid, "policy": policy, "seed": seed, "turns": [
                        {"role": t.role, "text": t.text, "replaced": bool(t.state and t.state.replaced),
                         "rejected": list(t.state.rejected) if t.state else []} for t in tr.turns]},
                        ensure_ascii=False) + "\n")
                    calls_out.flush()
                reason = tr.end.reason.value if tr.end else "unfinished"
                ends.setdefault(policy, {}).setdefault(reason, 0)
                ends[policy][reason] += 1
                earlier: list[str] = []
                agent: list[str] = []
                known: set[str] = set()
                for turn in tr.turns:
                    if turn.role != "customer":
                        agent.append(turn.text)
                        continue
                    st = turn.state
                    # Re-check what the trainee saw, from the revealed facts before this line (the
                    # fact this line was asked to give is allowed, as the engine allowed it).
                    given = [f for f in st.revealed if f not in known] if st.beat == "give_fact" else []
                    found = guard.problems(turn.text, persona, set(st.revealed), earlier,
                                           allowed_fact=given[0] if given else None,
                                           last_agent=agent[-1] if agent else None, agent_lines=agent)
                    known = set(st.revealed)
                    c.update(_faults(found, st.rejected, st.replaced))
                    earlier.append(turn.text)
                print(f"{pid:<28} {policy:<13} seed {seed}: {reason:<12} "
                      f"{sum(1 for t in tr.turns if t.role == 'customer')} lines, "
                      f"{sum(1 for t in tr.turns if t.role == 'customer' and t.state.replaced)} replaced",
                      file=sys.stderr, flush=True)
    times = sorted(llm.times) if llm else []
    everything = sum(counts.values(), Counter())
    out = {
        "name": "customer_fidelity",
        "model": getattr(llm, "name", "none") if llm else "none (authored lines)",
        "personas": len(ids), "policies": args.policies.split(","), "seeds": args.seeds,
        **_rates(everything),
        "by_language": {lang: _rates(c) for lang, c in sorted(counts.items())},
        "line_s_median": round(statistics.median(times), 3) if times else None,
        "line_s_p95": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
        "ends": ends,
        "wall_s": round(time.time() - t0, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
