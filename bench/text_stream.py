"""How soon the trainee sees the customer start answering, with the line streamed.

The embedded model plays seeded calls (the "good" agent policy) against a few personas;
each model-written customer line is streamed through the guard (CallSession.agent_says
with on_partial). Per line: first_text_s (the trainee's line sent -> the first words on
screen) and line_s (-> the whole accepted line). Authored lines (the opening complaint,
fallbacks) take no model time and are left out. Also: how often a shown start was
withdrawn (withdrawn_rate) and how often a line showed nothing before it was whole
(whole_only_rate: short lines, held-back facts, lines that start like an earlier one).
No target in DESIGN.md; this shows what streaming buys on 2 cores.
Usage: python bench/text_stream.py [--personas ID,ID,...] [--turns 8]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import emit, log, percentile

from simulator.catalog import Catalog
from simulator.config import load_settings
from simulator.engine.call import CallSession
from simulator.llm.factory import make_llms
from simulator.selfplay import POLICY_CLASSES

DEFAULT_PERSONAS = "irritable-outage,hesitant-home-insurance,calm-fiber-offer-ro"


class _Counted:
    """The LLM, counting the lines it was asked to stream (0 for an authored line)."""

    def __init__(self, llm) -> None:
        self.llm, self.streams = llm, 0

    def complete(self, messages, **kw):
        return self.llm.complete(messages, **kw)

    def stream(self, messages, **kw):
        self.streams += 1
        return self.llm.stream(messages, **kw)

    def warm(self, messages) -> None:
        self.llm.warm(messages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--personas", default=DEFAULT_PERSONAS)
    ap.add_argument("--turns", type=int, default=8)
    args = ap.parse_args()

    catalog = Catalog.default(None)
    llm = _Counted(make_llms(load_settings(env={"ROLECALL_LLM": "local"})).customer)
    first_text: list[float] = []
    whole: list[float] = []
    withdrawn = whole_only = lines = 0
    for pid in args.personas.split(","):
        persona = catalog.persona(pid)
        call = CallSession(persona, llm, seed=0)
        agent = POLICY_CLASSES["good"](persona)
        call.warm_up()
        first = call.start(0.0)
        log(f"{pid}: {first.turn.text if first else '(the trainee speaks first)'}")
        for turn in range(args.turns):
            text = agent.next_line(call)
            if text is None:
                break
            shown: list[tuple[float, str]] = []
            streams = llm.streams
            t0 = time.perf_counter()
            _, reply = call.agent_says(text, float(turn), on_partial=lambda s: shown.append((time.perf_counter() - t0, s)))
            took = time.perf_counter() - t0
            if llm.streams > streams:  # the model was asked (an authored line takes no time)
                lines += 1
                whole.append(took)
                visible = [t for t, s in shown if s]
                first_text.append(visible[0] if visible else took)
                withdrawn += any(not s for _, s in shown)
                whole_only += not visible
                log(f"  {took:5.2f} s, first words at {first_text[-1]:5.2f} s: {reply.turn.text}" + (f"  (turned down first: {reply.turn.state.rejected})" if reply.turn.state.rejected else ""))
            if reply.ended:
                break

    emit("text_stream", lines=lines,
         first_text_s_median=round(statistics.median(first_text), 2) if first_text else None,
         first_text_s_p95=round(percentile(first_text, 95), 2) if first_text else None,
         line_s_median=round(statistics.median(whole), 2) if whole else None,
         line_s_p95=round(percentile(whole, 95), 2) if whole else None,
         withdrawn_rate=round(withdrawn / max(1, lines), 3), whole_only_rate=round(whole_only / max(1, lines), 3))


if __name__ == "__main__":
    main()
