"""The app's overhead for one text turn, beyond the LLM call.

Two figure pairs, with an LLM that answers instantly (its own time is subtracted anyway):
- overhead_ms_p50/p95: Rolecall.send_message (store writes, director, guard) on a
  database file (WAL), as the app runs it;
- api_overhead_ms_p50/p95: the same turn through the app's /send_message endpoint over
  Gradio's HTTP API (login cookie, queue, result stream; simulator.testing.ApiClient), the app
  launched in this process;
- gradio_client_ms_p50/p95: the same through gradio_client, for comparison: most of that
  is the client's own polling (it checks for messages every 50 ms), not the app.
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
from simulator.testing import ApiClient

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


def _api(service: Rolecall, llm: InstantLLM, turns: int) -> tuple[list[float], list[float]]:
    """(turns over Gradio's HTTP API, turns through gradio_client), overheads in seconds."""
    import app
    from gradio_client import Client

    demo = app.build_app(service)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app.launch_options(service))
    url = f"http://127.0.0.1:{port}/"
    try:
        api = ApiClient(url, "ana", PASSWORD)
        client = Client(url, auth=("ana", PASSWORD), verbose=False, download_files=False)

        def http_call(name: str, *data):
            return api.call(name, *data)

        def client_call(name: str, *data):
            return client.predict(*data, api_name=f"/{name}")

        http_call("list_sessions")  # Gradio builds the session's state on its first request
        _turns(http_call, llm, 10)  # warm-up
        return _turns(http_call, llm, turns), _turns(client_call, llm, max(10, turns // 4))
    finally:
        demo.close()


def _turns(call, llm: InstantLLM, turns: int) -> list[float]:
    overheads: list[float] = []
    sid = None
    i = 0
    while len(overheads) < turns:
        if sid is None:
            sid, _ = call("start_call", PERSONA, "text", None)
            i = 0
        before = llm.spent
        t0 = time.perf_counter()
        _, ended = call("send_message", sid, LINES[i % len(LINES)])
        overheads.append(time.perf_counter() - t0 - (llm.spent - before))
        i += 1
        if ended or i >= 12:
            sid = None
    return overheads


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
        log(f"api: {args.api_turns} turns through /send_message over HTTP, a quarter as many with gradio_client")
        api, via_client = _api(service, llm, args.api_turns)
        store.close()

    emit("text_turn", turns=len(direct), api_turns=len(api),
         overhead_ms_p50=ms(percentile(direct, 50)), overhead_ms_p95=ms(percentile(direct, 95)),
         api_overhead_ms_p50=ms(percentile(api, 50)), api_overhead_ms_p95=ms(percentile(api, 95)),
         gradio_client_ms_p50=ms(percentile(via_client, 50)), gradio_client_ms_p95=ms(percentile(via_client, 95)),
         target_ms_p95=30)


if __name__ == "__main__":
    main()
