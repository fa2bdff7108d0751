"""The app started as `make run` starts it (issue 19.1): `rolecall serve` in its own process,
data in a folder outside both the working folder and the temporary folder, as the user's data
folder is. Tests that kept their data under the temporary folder passed while every voice
reply was refused ("Cannot move ... to the gradio cache dir ... allowed_paths")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file

from simulator.testing.openai_server import OpenAIStubServer

from fakes import PASSWORD, free_port

REPO = Path(__file__).resolve().parent.parent
GREETING = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"


def _outside_work_and_temp() -> Path:
    """A data folder like ~/.local/share/rolecall: under the home folder, not under the
    working folder or the temporary folder that Gradio allows on its own."""
    folder = Path.home() / ".cache" / f"rolecall-first-use-{uuid.uuid4().hex[:8]}"
    for allowed in (Path(tempfile.gettempdir()).resolve(), REPO.resolve(), Path.cwd().resolve()):
        if folder.resolve().is_relative_to(allowed):
            pytest.skip(f"the home folder is inside {allowed}; no folder outside it to test with")
    return folder


def _cli(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def served():
    data = _outside_work_and_temp()
    stub = OpenAIStubServer("I've been without internet for two days, and I work from home!").start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROLECALL_", "OPENAI_"))}
    env.update(ROLECALL_DATA_DIR=str(data), ROLECALL_LLM="openai", OPENAI_BASE_URL=stub.base_url,
               OPENAI_API_KEY="test", GRADIO_ANALYTICS_ENABLED="False")
    _cli(env, "users", "add", "ana", "--role", "trainee", stdin=PASSWORD + "\n")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "simulator.cli", "serve", "--port", str(port)], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"rolecall serve exited: {server.stderr.read()[-2000:]}")
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                pytest.fail("rolecall serve did not answer within 180 s")
            time.sleep(0.5)
        yield url, data, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        stub.stop()
        shutil.rmtree(data, ignore_errors=True)


def test_a_voice_call_answers_aloud_with_data_in_the_users_data_folder(served, tmp_path):
    url, data, env = served
    spoken = tmp_path / "greeting.wav"
    _cli(env, "speak", "--persona", "irritable-outage", GREETING, "-o", str(spoken))

    ana = Client(url, auth=("ana", PASSWORD), verbose=False)
    sid, _first = ana.predict("irritable-outage", "voice", None, api_name="/start_call")
    line, ended, audio = ana.predict(sid, handle_file(str(spoken)), api_name="/send_audio")

    assert line.strip() and ended is False
    # The customer's voice came back through Gradio's file serving, from the data folder.
    assert audio and Path(audio).is_file()
    with wave.open(audio) as w:
        assert w.getnframes() / w.getframerate() > 0.5
    kept = list((data / "audio" / sid).glob("*-customer.wav"))
    assert kept, "the customer's line is kept under the data folder for replay"

    # What the trainee said was heard, and the call can be scored.
    sessions = {s["id"]: s for s in ana.predict(api_name="/list_sessions")}
    assert sid in sessions
    score = ana.predict(sid, api_name="/end_call")
    assert score["rubric"] == "inbound-support"
