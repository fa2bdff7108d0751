"""The app's overhead for one text turn, beyond the LLM call.

Two figure pairs, with an LLM that answers instantly (its own time is subtracted anyway):
- overhead_ms_p50/p95: Rolecall.send_message (store writes, director, guard) on a
  database file (WAL), as the app runs it;
- api_overhead_ms_p50/p95: the same turn through the app's /send_message endpoint with
  gradio_client (HTTP, queue, login cookie), the app launched in this process.
Target: p95 < 30 ms. Usage: python bench/text_turn.py [--turns 300] [--api-turns 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import PASSWORD, InstantLLM, emit, free_port, log, ms, percentile

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store

PERSONA = "irritable-outage"
# A trainee who keeps the call going (no goal offered, no rudeness), so few calls end early.
LINES = [
    "Thank you for calling, my name is Ana, how can I help you today?",
    "I understand, that sounds really frustrating. Could you give me your account number?",
    "Thank you. Let me check what is happening on the line in your area.",
    "I see there was a fault reported near you. I am sorry for the trouble.",
    "Can you tell me when exactly the connection dropped?",
    "Have you already restarted the router since yesterday?",
]


def _direct(service: Rolecall, llm: InstantLLM, user, turns: int) -> list[float]:
    overheads: list[float] = []
    sid = None
    i = 0
    while len(overheads) < turns:
        if sid is None:
            sid, _ = service.start_call(user, PERSONA, "text")
            i = 0
        before = llm.spent
        t0 = time.perf_counter()
        reply = service.send_message(user, sid, LINES[i % len(LINES)])
        elapsed = time.perf_counter() - t0
        overheads.append(elapsed - (llm.spent - before))
        i += 1
        if reply.ended or i >= 12:
            if not reply.ended:
                service.end_call(user, sid, judge="none")
            sid = None
    return overheads


def _api(service: Rolecall, llm: InstantLLM, turns: int) -> list[float]:
    import app
    from gradio_client import Client

    demo = app.build_app(service)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app.launch_options(service))
    try:
        client = Client(f"http://127.0.0.1:{port}/", auth=("ana", PASSWORD), verbose=False, download_files=False)
        overheads: list[float] = []
        sid = None
        i = 0
        while len(overheads) < turns:
            if sid is None:
                sid, _ = client.predict(PERSONA, "text", None, api_name="/start_call")
                i = 0
            before = llm.spent
            t0 = time.perf_counter()
            _, ended = client.predict(sid, LINES[i % len(LINES)], api_name="/send_message")
            overheads.append(time.perf_counter() - t0 - (llm.spent - before))
            i += 1
            if ended or i >= 12:
                sid = None
        return overheads
    finally:
        demo.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--api-turns", type=int, default=100)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.add_user("ana", "trainee", PASSWORD)
        llm = InstantLLM()
        service = Rolecall(store, Catalog.default(None), llm, judge_llm=None, data_dir=Path(tmp))
        user = service.user("ana")
        _direct(service, llm, user, 20)  # warm-up: imports, first queries
        log(f"direct: {args.turns} turns through Rolecall.send_message")
        direct = _direct(service, llm, user, args.turns)
        log(f"api: {args.api_turns} turns through gradio_client /send_message")
        api = _api(service, llm, args.api_turns)
        store.close()

    emit("text_turn", turns=len(direct), api_turns=len(api),
         overhead_ms_p50=ms(percentile(direct, 50)), overhead_ms_p95=ms(percentile(direct, 95)),
         api_overhead_ms_p50=ms(percentile(api, 50)), api_overhead_ms_p95=ms(percentile(api, 95)),
         target_ms_p95=30)


if __name__ == "__main__":
    main()
