"""`rolecall serve` killed with SIGKILL mid-call: after a restart the session and every turn
sent before the kill are there, and the call goes on and is scored."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from simulator.store import Store
from simulator.testing import OpenAIStubServer

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-trainee-password"
LINES = [
    "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?",
    "I am sorry to hear that. Let me look at what is happening on your line.",
    "I understand how frustrating this is. When did the connection drop?",
]
AFTER = "Thank you for waiting. I can see a fault was reported in your area."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reply(messages: list[dict]) -> str:
    text = " ".join(str(m.get("content", "")) for m in messages)
    if "Classify one line" in text:
        return '{"acts": [], "facts_asked": [], "objections_answered": []}'
    return f"I have waited {len(messages) + len(text) % 97} minutes already, just get on with it."


@pytest.fixture
def env(tmp_path):
    stub = OpenAIStubServer(reply=_reply).start()
    # Only what this test sets: no developer .env (cwd is tmp_path) or ROLECALL_* settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROLECALL_", "OPENAI_"))}
    env.update(ROLECALL_DATA_DIR=str(tmp_path), ROLECALL_DB=str(tmp_path / "rolecall.db"), ROLECALL_LLM="openai",
               OPENAI_BASE_URL=stub.base_url, OPENAI_API_KEY="stub", ROLECALL_CUSTOMER_MODEL="stub",
               ROLECALL_LLM_TIMEOUT="10", GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    yield env
    stub.stop()


def _rolecall(args, env, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def _serve(env, cwd: Path, port: int) -> subprocess.Popen:
    log = open(cwd / f"serve-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 - the child writes to it
    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", "serve", "--port", str(port)], env=env, cwd=cwd,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"rolecall serve exited early: {Path(log.name).read_text()[-2000:]}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("rolecall serve did not start within 90 s")


def _client(port: int) -> Client:
    return Client(f"http://127.0.0.1:{port}/", auth=("ana", PASSWORD), verbose=False, download_files=False)


@pytest.mark.timeout(300)
def test_a_call_survives_kill_9_and_is_resumed_and_scored(env, tmp_path):
    added = _rolecall(["users", "add", "ana", "--role", "trainee"], env, tmp_path, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr

    port = _free_port()
    server = _serve(env, tmp_path, port)
    try:
        ana = _client(port)
        sid, _ = ana.predict("irritable-outage", "text", None, api_name="/start_call")
        replies = [ana.predict(sid, line, api_name="/send_message")[0] for line in LINES]
    finally:
        server.send_signal(signal.SIGKILL)  # no shutdown handlers, no flushing: a crash
        server.wait(30)
    assert server.returncode == -signal.SIGKILL

    # Everything sent before the kill is on disk.
    with Store(tmp_path / "rolecall.db") as store:
        turns = store.turns(sid)
    assert [t["text"] for t in turns if t["role"] == "agent"] == LINES
    assert [t["text"] for t in turns if t["role"] == "customer"] == replies

    server = _serve(env, tmp_path, port)
    try:
        ana = _client(port)
        listed = {s["id"]: s for s in ana.predict(api_name="/list_sessions")}
        assert sid in listed and listed[sid]["end_reason"] is None  # still open, not lost

        reply, ended = ana.predict(sid, AFTER, api_name="/send_message")  # resumed on the same id
        assert reply.strip() and ended is False
        score = ana.predict(sid, api_name="/end_call")
        assert score["rubric"] == "inbound-support" and 0 <= score["total"] <= 100
        assert score["metrics"]["agent_turns"] == len(LINES) + 1  # the turns before the kill count
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    with Store(tmp_path / "rolecall.db") as store:
        texts = [t["text"] for t in store.turns(sid) if t["role"] == "agent"]
        assert texts == LINES + [AFTER]  # in order, nothing doubled by the restart
        assert store.get_session(sid)["end_reason"] == "agent_ended"
        assert store.get_score(sid)["total"] == score["total"]
