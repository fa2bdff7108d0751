"""50 simultaneous calls through the app's API against a slow OpenAI-compatible server.

`rolecall serve` runs as a child process with ROLECALL_LLM=openai pointed at an
OpenAIStubServer that answers every request after `--latency-ms`. Each of `--calls`
trainees (own account, own session on Gradio's HTTP API: see simulator.testing.ApiClient) starts a
call, sends `--sends` lines and ends it. Two rounds, with fresh calls each:
- paced: every trainee starts within the first second and waits `--think-s` (a random
  pause in that range, seeded) between a reply and the next line, as a person reads and
  types. All calls are open at once; their turns are not in step.
- burst: everyone starts together and sends each line the moment the reply arrives, so
  all 50 turns reach the server in the same few milliseconds, every round (the worst case).
Figures: calls, errors, turn_ms_p50/p95 (one /send_message, paced), later_turn_ms_p50/p95
(the turns after the first, which all wait for the LLM) and the same for the burst,
llm_requests_per_turn, server_latency_ms. Target: no errors, turn p95 <= 1.5 x latency.
Usage: python bench/concurrency.py [--calls 50] [--sends 3] [--latency-ms 500] [--think-s 2-6]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import CUSTOMER_LINES, PASSWORD, add_user, child_env, emit, free_port, log, ms, percentile, served

from simulator.testing import ApiClient, OpenAIStubServer

PERSONA = "irritable-outage"
LINES = [
    "Thank you for calling Nordlink, my name is Ana, how can I help you today?",
    # No question for a hidden fact: the stub's canned lines cannot give one, so the guard
    # would reject them and ask again, which a real model mostly does not need.
    "I am sorry to hear that, it must be really frustrating to be without internet.",
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
        # A line this call has not had yet: a repeat would be rejected by the guard and asked
        # again, which no real model needs that often. (A plain counter shared by 50 calls in
        # lock-step gives each call the same line every round.)
        lines = CUSTOMER_LINES[n % len(CUSTOMER_LINES):] + CUSTOMER_LINES[:n % len(CUSTOMER_LINES)]
        return next((line for line in lines if line not in text), lines[0])


def _login(url: str, name: str) -> ApiClient:
    client = ApiClient(url, name, PASSWORD)
    client.call("list_sessions")  # Gradio builds the session's state on its first request
    return client


class _Round:
    """One round of calls: what each turn and each end took, and what failed."""

    def __init__(self) -> None:
        self.turns: list[float] = []
        self.later_turns: list[float] = []  # all but each call's first (see below)
        self.ends: list[float] = []
        self.errors: list[str] = []


def _one_call(client: ApiClient, name: str, sends: int, start_at: float, pauses: list[float],
              out: _Round) -> None:
    time.sleep(max(0.0, start_at - time.perf_counter()))
    try:
        sid, _ = client.call("start_call", PERSONA, "text", None)
        for i, (line, pause) in enumerate(zip(LINES[:sends], pauses)):
            time.sleep(pause)
            t0 = time.perf_counter()
            client.call("send_message", sid, line)
            out.turns.append(time.perf_counter() - t0)
            if i:
                out.later_turns.append(out.turns[-1])
        t0 = time.perf_counter()
        client.call("end_call", sid)
        out.ends.append(time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
        out.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        log(traceback.format_exc(limit=2))


def _round(clients: list[ApiClient], names: list[str], sends: int, think: tuple[float, float] | None,
           seed: int) -> _Round:
    """think None: the burst (all start at once, no pauses); else paced."""
    rng = random.Random(seed)
    out = _Round()
    t0 = time.perf_counter() + 0.5  # every thread is started before the first call
    threads = []
    for client, name in zip(clients, names):
        start = t0 if think is None else t0 + rng.uniform(0, 1)
        pauses = [0.0 if think is None else rng.uniform(*think) for _ in range(sends)]
        threads.append(threading.Thread(target=_one_call, args=(client, name, sends, start, pauses, out)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--sends", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=500)
    ap.add_argument("--think-s", default="2-6", help="pause between a reply and the next line, as MIN-MAX seconds")
    args = ap.parse_args()
    think = tuple(float(x) for x in args.think_s.split("-", 1))

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
            log(f"paced: {len(names)} calls x {args.sends} sends, {think[0]}-{think[1]} s between a reply and the "
                f"next line, server latency {args.latency_ms} ms")
            t0 = time.perf_counter()
            paced = _round(clients, names, args.sends, think, seed=0)
            wall = time.perf_counter() - t0
            log(f"burst: {len(names)} calls x {args.sends} sends, all at once")
            burst = _round(clients, names, args.sends, None, seed=1)
        errors = paced.errors + burst.errors
        for e in errors[:5]:
            log("error:", e)
        requests = len(stub.requests)
        kinds = dict(replies.counts)

    # The persona's reply to the greeting is its written opening complaint (no LLM request),
    # so the target is checked on the later turns, which all wait for the server.
    p95 = ms(percentile(paced.later_turns, 95))
    emit("concurrency", calls=args.calls, errors=len(errors), turns=len(paced.turns),
         turn_ms_p50=ms(percentile(paced.turns, 50)), turn_ms_p95=ms(percentile(paced.turns, 95)),
         later_turn_ms_p50=ms(percentile(paced.later_turns, 50)), later_turn_ms_p95=p95,
         end_call_ms_p95=ms(percentile(paced.ends, 95)), think_s=args.think_s,
         burst_turn_ms_p50=ms(percentile(burst.turns, 50)), burst_turn_ms_p95=ms(percentile(burst.turns, 95)),
         burst_later_turn_ms_p95=ms(percentile(burst.later_turns, 95)),
         burst_end_call_ms_p95=ms(percentile(burst.ends, 95)),
         server_latency_ms=args.latency_ms, llm_requests=requests, llm_requests_by_kind=kinds,
         llm_requests_per_turn=round((kinds["classifier"] + kinds["actor"]) / max(1, len(paced.turns) + len(burst.turns)), 2),
         target_turn_ms_p95=1.5 * args.latency_ms,
         met=not errors and p95 is not None and p95 <= 1.5 * args.latency_ms,
         login_s_mean=round(login_s, 2), paced_wall_s=round(wall, 1))


if __name__ == "__main__":
    main()
