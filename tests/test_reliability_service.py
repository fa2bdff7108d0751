"""Many calls writing at once, and hostile text: nothing lost, doubled, or turned into markup."""

from __future__ import annotations

import threading

import pytest

from simulator.catalog import Catalog
from simulator.service import Rolecall, User
from simulator.store import Store
from simulator.ui import render

from fakes import ScriptedLLM

LINES = [
    "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?",
    "I am sorry to hear that. Let me look at what is happening on the line.",
    "I understand. Can you tell me when exactly the connection dropped?",
    "Thank you for your patience while I check this for you.",
    "I see a fault was reported in your area yesterday.",
]


def _varied():
    n = iter(range(10**6))
    lock = threading.Lock()

    def reply(_messages):
        with lock:
            i = next(n)
        return f"I have been waiting far too long for this, that makes {i} times now."
    return reply


@pytest.fixture
def service(tmp_path):
    store = Store(tmp_path / "rolecall.db")  # a file in WAL mode, as the app runs it
    for i in range(20):
        store.add_user(f"t{i:02d}", "trainee", "pw-trainee-1")
    yield Rolecall(store, Catalog.default(None), ScriptedLLM(_varied()), None, data_dir=tmp_path)
    store.close()


def test_twenty_calls_writing_at_once_lose_and_double_nothing(service):
    users = [User(f"t{i:02d}", "trainee") for i in range(20)]
    sent: dict[str, list[str]] = {}
    replies: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(users))

    def call(user: User) -> None:
        try:
            barrier.wait(timeout=60)
            sid, _ = service.start_call(user, "irritable-outage", "text")
            sent[sid], replies[sid] = [], []
            for k, line in enumerate(LINES):
                text = f"{line} ({user.name} #{k})"  # unique, so a turn landing in another call shows
                reply = service.send_message(user, sid, text)
                sent[sid].append(text)
                replies[sid].append(reply.text)
                if reply.ended:
                    break
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    assert len(sent) == 20

    reopened = Store(service.store.path)  # what a restarted server would read
    for sid, lines in sent.items():
        turns = reopened.turns(sid)
        assert [t["idx"] for t in turns] == list(range(len(turns)))  # no gaps, no duplicate index
        assert [t["text"] for t in turns if t["role"] == "agent"] == lines
        assert [t["text"] for t in turns if t["role"] == "customer"] == replies[sid]
        roles = [t["role"] for t in turns]
        assert roles == ["agent", "customer"] * len(lines)  # strictly alternating: nothing doubled
    reopened.close()


HOSTILE = {
    "a whole turn": ("Please help me with my bill. " * 20).strip(),  # 579 characters, under the limit
    "control characters": "line one\x00\x01\x07\x08\x1b[31mred\x1b[0m\x7f\u0085\u2028end",
    "right to left": "\u202eمرحبا، أريد المساعدة\u202c שלום \u200f123\u200e and <b>bold</b> & 'quotes' \"dq\"",
    "markup": "<script>alert(1)</script><img src=x onerror=alert(2)> {{7*7}} ${x} </div>",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_round_trips_exactly_and_renders_escaped(service, text):
    user = User("t00", "trainee")
    sid, _ = service.start_call(user, "irritable-outage", "text")
    reply = service.send_message(user, sid, text)
    assert reply.text  # the customer still answers

    stored = service.store.turns(sid)[0]
    assert stored["role"] == "agent" and stored["text"] == text  # byte for byte, nothing cut
    transcript = service.transcript(user, sid)
    assert transcript.turns[0].text == text

    html = render.transcript_html(transcript)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert render.esc(text) in html  # shown, escaped, not dropped
    # Still scorable: scoring reads the same transcript.
    score = service.end_call(user, sid, judge="none")
    assert 0 <= score["total"] <= 100


@pytest.mark.parametrize("chars", [601, 5_000, 100_000])
def test_a_line_longer_than_a_spoken_turn_is_refused_and_nothing_is_stored(service, chars):
    # Issue 19.7: a 5,000-character message was accepted and heard as answering an objection.
    from simulator.errors import LineTooLong

    user = User("t00", "trainee")
    sid, _ = service.start_call(user, "irritable-outage", "text")
    text = ("I understand, and I can waive the fee for you today. " * 2000)[:chars - 1] + "!"
    with pytest.raises(LineTooLong, match=f"your line is {chars:,} characters; a turn on the phone is at most 600"):
        service.send_message(user, sid, text)
    assert service.store.turns(sid) == []  # nothing half-sent; the call goes on
    assert service.send_message(user, sid, text[:600]).text
