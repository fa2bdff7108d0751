"""50 simultaneous calls through the app's API against a slow OpenAI-compatible server.

`rolecall serve` runs as a child process with ROLECALL_LLM=openai pointed at an
OpenAIStubServer that answers every request after `--latency-ms`. Each of `--calls`
trainees (own account, own gradio_client) starts a call, sends `--sends` lines and ends
it; all start together. Figures: calls, errors, turn_ms_p50/p95 (one /send_message),
llm_requests_per_turn, server_latency_ms. Target: no errors, turn p95 <= 1.5 x latency.
Usage: python bench/concurrency.py [--calls 50] [--sends 3] [--latency-ms 500]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import CUSTOMER_LINES, PASSWORD, add_user, child_env, emit, free_port, log, ms, percentile, served

from simulator.testing import OpenAIStubServer

PERSONA = "irritable-outage"
LINES = [
    "Thank you for calling Nordlink, my name is Ana, how can I help you today?",
    "I am sorry to hear that. Could you give me your account number, please?",
    "Thank you, let me look at what is happening on your line.",
    "I understand how frustrating this is after two days.",
]


class _Replies:
    """The stub's answers, counted by who asked: the act classifier, the actor or the judge."""

    def __init__(self) -> None:
        self.counts = {"classifier": 0, "actor": 0, "judge": 0}
        self._lock = threading.Lock()

    def __call__(self, messages: list[dict]) -> str:
        text = " ".join(str(m.get("content", "")) for m in messages)
        kind = "classifier" if "Classify one line" in text else "judge" if "You grade a call-center trainee" in text else "actor"
        with self._lock:
            self.counts[kind] += 1
            n = self.counts[kind]
        if kind == "classifier":
            return '{"acts": ["question"], "facts_asked": [], "objections_answered": []}'
        if kind == "judge":
            return "{}"  # unusable: the judge fails closed, which is all this benchmark needs
        # A new line each time: a repeated line would be rejected by the guard and retried.
        return CUSTOMER_LINES[n % len(CUSTOMER_LINES)]


def _login(url: str, name: str):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORD), verbose=False, download_files=False)


def _one_call(client, name: str, sends: int, barrier: threading.Barrier, turns: list[float],
              ends: list[float], errors: list[str]) -> None:
    try:
        barrier.wait(timeout=300)
    except threading.BrokenBarrierError:
        return
    try:
        sid, _ = client.predict(PERSONA, "text", None, api_name="/start_call")
        for line in LINES[:sends]:
            t0 = time.perf_counter()
            client.predict(sid, line, api_name="/send_message")
            turns.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        client.predict(sid, api_name="/end_call")
        ends.append(time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
        errors.append(f"{name}: {type(exc).__name__}: {exc}")
        log(traceback.format_exc(limit=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--sends", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=500)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp, \
            OpenAIStubServer(reply=(replies := _Replies()), latency_s=args.latency_ms / 1000) as stub:
        tmp_path = Path(tmp)
        env = child_env(tmp_path, ROLECALL_LLM="openai", OPENAI_BASE_URL=stub.base_url, OPENAI_API_KEY="stub",
                        ROLECALL_CUSTOMER_MODEL="stub")
        names = [f"trainee{i:02d}" for i in range(args.calls)]
        log(f"adding {len(names)} accounts")
        # One child per account is slow (imports); the store is shared, so add them in-process.
        from simulator.store import Store
        with Store(tmp_path / "rolecall.db") as store:
            for name in names:
                store.add_user(name, "trainee", PASSWORD)
        add_user("supervisor", "supervisor", env, tmp_path)  # and once through the CLI, as a user would
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        with served(env, tmp_path, port, tmp_path / "serve.log"):
            # Logins first, a few at a time: 50 argon2 checks at once on 2 cores is a login
            # storm, which is not what this measures (calls that are already going).
            t0 = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                clients = list(pool.map(lambda n: _login(url, n), names))
            login_s = (time.perf_counter() - t0) / len(names)
            turns: list[float] = []
            ends: list[float] = []
            errors: list[str] = []
            barrier = threading.Barrier(len(names))
            threads = [threading.Thread(target=_one_call, args=(c, n, args.sends, barrier, turns, ends, errors))
                       for c, n in zip(clients, names)]
            log(f"{len(names)} calls x {args.sends} sends, server latency {args.latency_ms} ms")
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(600)
            wall = time.perf_counter() - t0
        for e in errors[:5]:
            log("error:", e)
        requests = len(stub.requests)
        kinds = dict(replies.counts)

    p95 = ms(percentile(turns, 95))
    emit("concurrency", calls=args.calls, errors=len(errors), turns=len(turns),
         turn_ms_p50=ms(percentile(turns, 50)), turn_ms_p95=p95, end_call_ms_p95=ms(percentile(ends, 95)),
         server_latency_ms=args.latency_ms, llm_requests=requests,
         llm_requests_by_kind=kinds,
         llm_requests_per_turn=round((kinds["classifier"] + kinds["actor"]) / max(1, len(turns)), 2),
         target_turn_ms_p95=1.5 * args.latency_ms, met=not errors and p95 is not None and p95 <= 1.5 * args.latency_ms,
         login_s_mean=round(login_s, 2), wall_s=round(wall, 1))


if __name__ == "__main__":
    main()
