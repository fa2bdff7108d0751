"""From "End call" to the first scorecard, with the embedded model, as the app runs it.

Two moments a trainee presses End call, on a few personas (one call each, the "good" practice
agent's lines):
- mid_line: while the customer's line is being written (its first words are on screen);
- after_line: once the customer's line is whole.
Per call: first_card_s (end_call_stream called -> the card with everything code decides) and,
for mid_line, line_s (-> the turn in progress returned) and how much of the line was kept.
The judge is the configured one (embedded by default); its parts arrive later and are not timed
here (bench/scoring.py does). Target (issue 20): first card <= 3 s after End call.
Usage: python bench/end_call.py [--personas ID,ID,...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import emit, log

from simulator.catalog import Catalog
from simulator.config import load_settings
from simulator.llm.factory import make_llms
from simulator.service import Reply, Rolecall
from simulator.store import Store

DEFAULT_PERSONAS = "irritable-outage,hesitant-home-insurance,calm-fiber-offer-ro,elderly-electric-bill-ro"
LINES = {
    "en": ["Thank you for calling, my name is Ana. How can I help you today?",
           "I'm sorry to hear that. Could you tell me a little more about what happened?"],
    "ro": ["Bună ziua, numele meu este Ana. Cu ce vă pot ajuta?",
           "Îmi pare rău să aud asta. Îmi puteți spune mai multe despre ce s-a întâmplat?"],
}


def _one(service: Rolecall, user, pid: str, mid_line: bool) -> dict:
    persona = service.catalog.persona(pid)
    sid, first = service.start_call(user, pid, "text")
    lines = LINES.get(persona.language, LINES["en"])
    if first is None:  # the trainee speaks first: the opening is the persona's own line
        service.send_message(user, sid, lines[0])
    turn = service.send_message_stream(user, sid, lines[1])
    shown, reply, done = "", None, threading.Event()
    line_s = None
    if mid_line:
        items = iter(turn)
        for item in items:
            if isinstance(item, str) and item:
                shown = item
                break
            if isinstance(item, Reply):  # whole before anything showed (an authored line)
                reply = item
                break
        t0 = time.perf_counter()

        def finish() -> None:
            nonlocal reply, line_s
            for rest in items:
                if isinstance(rest, Reply):
                    reply = rest
            line_s = time.perf_counter() - t0
            done.set()

        if reply is None:
            threading.Thread(target=finish, daemon=True).start()
        else:
            done.set()
    else:
        reply = list(turn)[-1]
        done.set()
        t0 = time.perf_counter()
    updates = service.end_call_stream(user, sid)
    first_card = next(updates)
    first_card_s = time.perf_counter() - t0
    done.wait(120)
    for _ in updates:  # the judged parts, so the next call does not race them for the model
        pass
    stored = service.transcript(user, sid).turns[-1]
    return {"persona": pid, "mid_line": mid_line, "first_card_s": round(first_card_s, 2),
            "line_s": None if line_s is None else round(line_s, 2), "shown_when_ended": shown,
            "kept": stored.text if stored.role == "customer" else None,
            "criteria": len(first_card["score"].get("criteria", []))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--personas", default=DEFAULT_PERSONAS)
    args = ap.parse_args()
    llms = make_llms(load_settings(env={"ROLECALL_LLM": "local"}))
    folder = Path(tempfile.mkdtemp(prefix="rolecall-bench-end-"))
    store = Store(folder / "rolecall.db")
    store.add_user("ana", "trainee", "bench-password-42")
    service = Rolecall(store, Catalog.default(None), llms.customer, judge_llm=llms.judge, data_dir=folder)
    user = service.user("ana")
    service.send_message(user, service.start_call(user, "irritable-outage", "text")[0], LINES["en"][0])  # load
    calls = []
    for pid in args.personas.split(","):
        for mid_line in (True, False):
            calls.append(_one(service, user, pid, mid_line))
            log(calls[-1])
    figures = {}
    for kind, mid in (("mid_line", True), ("after_line", False)):
        times = [c["first_card_s"] for c in calls if c["mid_line"] is mid]
        figures[f"{kind}_first_card_s_median"] = round(statistics.median(times), 2)
        figures[f"{kind}_first_card_s_max"] = max(times)
    emit("end_call", **figures, target_first_card_s=3.0, calls=calls)


if __name__ == "__main__":
    main()
