"""The customer's LLM server misbehaves mid-call: retries recover, and when it stays down the
call goes on with an authored line, the trainee is told, and nothing is lost."""

from __future__ import annotations

import socket

import pytest

from simulator.catalog import Catalog
from simulator.llm.openai_compat import OpenAICompatLLM
from simulator.service import Rolecall, User
from simulator.store import Store
from simulator.testing import OpenAIStubServer

GREETING = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"
SECOND = "I am sorry about that, it must be annoying. What happened exactly?"
MODEL_LINE = "Fine. I just want this sorted out today, please."
ANA = User("ana", "trainee")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _service(base_url: str, **llm_kw) -> tuple[Rolecall, OpenAICompatLLM]:
    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-1234")
    # Short timeouts and backoff: the behaviour is the same, the test stays fast.
    kw = {"timeout_s": 0.5, "retries": 3, "backoff_s": 0.01, "max_backoff_s": 0.05} | llm_kw
    llm = OpenAICompatLLM(base_url, "stub", api_key="stub", **kw)
    return Rolecall(store, Catalog.default(None), llm, None), llm


def _open_call(service: Rolecall) -> str:
    """A call past the customer's opening line (authored, so no LLM request yet)."""
    sid, _ = service.start_call(ANA, "irritable-outage", "text", seed=3)
    service.send_message(ANA, sid, GREETING)
    return sid


def _agent_and_customer_turns(service: Rolecall, sid: str) -> list[tuple[str, str]]:
    return [(t["role"], t["text"]) for t in service.store.turns(sid)]


@pytest.mark.parametrize("faults", [["timeout"], [429], [500], ["malformed"], ["drop"], [500, 429, "malformed"]],
                         ids=["timeout", "429", "500", "malformed-json", "dropped-connection", "three-in-a-row"])
def test_retries_recover_and_the_turn_is_stored_once(faults):
    with OpenAIStubServer(reply=MODEL_LINE, timeout_sleep_s=1.5) as stub:
        service, llm = _service(stub.base_url)
        sid = _open_call(service)
        before = len(service.store.turns(sid))
        stub.set_faults(faults)
        requests = len(stub.requests)

        reply = service.send_message(ANA, sid, SECOND)

        assert reply.text == MODEL_LINE  # the model's own line, not a fallback
        assert reply.notice is None and reply.state["replaced"] is False
        assert len(stub.requests) - requests == len(faults) + 1  # each fault retried once, then answered
        turns = _agent_and_customer_turns(service, sid)
        assert turns[before:] == [("agent", SECOND), ("customer", MODEL_LINE)]  # no doubled turn


def test_a_server_that_comes_up_during_the_retries_answers_the_turn():
    port = _free_port()  # nothing listens here yet: connection refused
    started: list[OpenAIStubServer] = []  # the stub binds its port when made, so make it late

    def start_on_first_retry(attempt, failure, delay):
        assert failure.kind == "connect"
        if not started:
            started.append(OpenAIStubServer(reply=MODEL_LINE, port=port).start())

    service, llm = _service(f"http://127.0.0.1:{port}/v1", on_retry=start_on_first_retry)
    try:
        sid = _open_call(service)
        reply = service.send_message(ANA, sid, SECOND)
        assert started, "the first request should have been refused"
        assert reply.text == MODEL_LINE and reply.notice is None
        assert [r for r, _ in _agent_and_customer_turns(service, sid)].count("agent") == 2
    finally:
        for stub in started:
            stub.stop()


@pytest.mark.parametrize("down", ["refused", "always-500", "always-malformed"])
def test_when_the_server_stays_down_the_call_goes_on_with_an_authored_line(down):
    stub = None
    if down == "refused":
        url = f"http://127.0.0.1:{_free_port()}/v1"
    else:
        stub = OpenAIStubServer(reply=MODEL_LINE).start()
        stub.set_faults([500 if down == "always-500" else "malformed"] * 100)
        url = stub.base_url
    try:
        service, _ = _service(url, retries=2)
        sid = _open_call(service)
        persona = service.catalog.persona("irritable-outage")
        authored = {line for lines in persona.fallback_lines.values() for line in lines}

        reply = service.send_message(ANA, sid, SECOND)

        # The trainee sees a customer line and a plain notice, not an error page.
        assert reply.text and reply.text != MODEL_LINE and not reply.ended
        assert reply.text in authored or any(line.split("{")[0] in reply.text for line in authored if "{" in line)
        assert reply.state["replaced"] is True
        assert reply.notice and "did not answer" in reply.notice and "saved" in reply.notice
        assert "\n" not in reply.notice and "Traceback" not in reply.notice
        # Nothing lost: the trainee's line and the authored answer are both stored, once.
        turns = _agent_and_customer_turns(service, sid)
        assert turns[-2:] == [("agent", SECOND), ("customer", reply.text)]

        # And the call continues: the next line is answered and stored too.
        nxt = service.send_message(ANA, sid, "I understand. Let me check the line in your area.")
        assert nxt.text and len(service.store.turns(sid)) == len(turns) + 2
    finally:
        if stub is not None:
            stub.stop()
