"""Many trainees at once through the app itself: 50 turns waiting on the LLM at the same
moment are all in flight together (none waits for another's answer), and every turn is
stored once."""

from __future__ import annotations

import threading

import pytest

from simulator.testing import ApiClient

from fakes import PASSWORD, running_app

CALLS = 50


class MeetingLLM:
    """Answers only once `CALLS` requests are inside it at the same time (or gives up after
    a while): if the app ran fewer turns at once, the meeting never happens."""

    name = "meeting"

    def __init__(self) -> None:
        self.barrier = threading.Barrier(CALLS, timeout=60)
        self.broken = False
        self.n = 0
        self.lock = threading.Lock()

    def complete(self, messages, **kw) -> str:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            self.broken = True
        with self.lock:
            self.n += 1
            return f"Fine, but I need this sorted before the weekend, that makes {self.n} of us waiting."

    def stream(self, messages, **kw):
        yield self.complete(messages, **kw)


@pytest.mark.timeout(300)
def test_fifty_turns_reach_the_llm_together_and_are_stored_once(tmp_path):
    llm = MeetingLLM()
    with running_app(tmp_path, {"ana": "trainee"}, llm) as (url, store, _service, _data):
        clients = [ApiClient(url, "ana", PASSWORD) for _ in range(CALLS)]
        sids = []
        for client in clients:
            sid, _ = client.call("start_call", "irritable-outage", "text", None)
            client.call("send_message", sid, "Thank you for calling, my name is Ana. How can I help?")  # written opening
            sids.append(sid)
        replies: list[str] = []
        errors: list[Exception] = []

        def turn(client: ApiClient, sid: str) -> None:
            try:
                replies.append(client.call("send_message", sid, "I am sorry, let me see what is going on.")[0])
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=turn, args=pair) for pair in zip(clients, sids)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not errors
    assert not llm.broken, "fewer than 50 turns were in flight at once: some waited for others' answers"
    assert len(replies) == CALLS and all("waiting" in r for r in replies)
    for sid in sids:  # greeting, written opening, the line, the answer: each once
        assert [t["role"] for t in store.turns(sid)] == ["agent", "customer", "agent", "customer"]
