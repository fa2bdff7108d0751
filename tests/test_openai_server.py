"""The OpenAI-compatible stub server that tests and benchmarks stand on."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from simulator.testing import OpenAIStubServer


def chat(server: OpenAIStubServer, timeout: float = 5.0, **body) -> httpx.Response:
    payload = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **body}
    return httpx.post(server.base_url + "/chat/completions", json=payload, timeout=timeout)


def test_answers_a_chat_completion_and_records_the_request():
    with OpenAIStubServer("Good morning.") as server:
        assert server.base_url.endswith("/v1")
        r = chat(server, seed=3)
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"] == {"role": "assistant", "content": "Good morning."}
        assert server.requests[0]["seed"] == 3


def test_reply_function_sees_the_messages():
    with OpenAIStubServer(lambda messages: f"you said {messages[-1]['content']}") as server:
        assert chat(server).json()["choices"][0]["message"]["content"] == "you said hi"


def test_streams_sse_chunks_that_join_to_the_reply_then_done():
    with OpenAIStubServer("The line is still down.") as server:
        with httpx.stream("POST", server.base_url + "/chat/completions",
                          json={"model": "m", "messages": [], "stream": True}, timeout=5) as r:
            lines = [line for line in r.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: "):]) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "The line is still down."
    assert len(chunks) > 2  # really in pieces, not one blob
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_lists_models():
    with OpenAIStubServer() as server:
        data = httpx.get(server.base_url + "/models", timeout=5).json()
    assert data["data"][0]["object"] == "model"


def test_faults_are_consumed_in_order_then_it_answers():
    with OpenAIStubServer("ok", faults=[503, 429, "malformed"]) as server:
        first, second, third, fourth = (chat(server) for _ in range(4))
    assert first.status_code == 503 and "message" in first.json()["error"]
    assert second.status_code == 429 and second.headers["retry-after"] == "0"
    assert third.status_code == 200
    with pytest.raises(ValueError):
        third.json()
    assert fourth.json()["choices"][0]["message"]["content"] == "ok"


def test_drop_closes_the_connection_unanswered():
    with OpenAIStubServer(faults=["drop"]) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            chat(server)
        assert chat(server).status_code == 200


def test_timeout_fault_outlasts_the_client():
    with OpenAIStubServer(faults=["timeout"], timeout_sleep_s=1.0) as server:
        with pytest.raises(httpx.ReadTimeout):
            chat(server, timeout=0.2)


def test_unknown_fault_is_refused():
    with OpenAIStubServer() as server, pytest.raises(ValueError, match="unknown fault"):
        server.set_faults(["explode"])


def test_serves_fifty_requests_at_once():
    # Every reply waits until all 50 requests are inside the server: if the server handled
    # them one at a time, the barrier would break and the requests would fail.
    barrier = threading.Barrier(50, timeout=20)

    def reply(messages):
        barrier.wait()
        return "together"

    with OpenAIStubServer(reply, latency_s=0.5) as server, ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(lambda _: chat(server, timeout=30), range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert all(r.json()["choices"][0]["message"]["content"] == "together" for r in responses)
