"""A whole spoken turn through the core: audio in, text and audio out, both kept with the session."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest

from simulator.catalog import Catalog
from simulator.errors import AudioError, RolecallError
from simulator.service import Rolecall, User
from simulator.store import Store
from simulator.voice import EspeakTTS, default_stt

from fakes import ScriptedLLM


@pytest.fixture(scope="module")
def voice():
    return default_stt(), EspeakTTS()


@pytest.fixture
def service(tmp_path, voice):
    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-123")
    llm = ScriptedLLM(["My internet has been down for two days now, fix it."])
    stt, tts = voice
    return Rolecall(store, Catalog.default(None), llm, None, data_dir=tmp_path, stt=stt, tts=tts)


def test_spoken_turn_is_heard_answered_aloud_and_stored(service, tmp_path, voice):
    ana = User("ana", "trainee")
    sid, first = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    assert first is None  # inbound: the trainee answers the phone
    said = tmp_path / "said.wav"
    persona = service.catalog.persona("irritable-outage")
    voice[1].synthesize("Thank you for calling Brightline Telecom, my name is Alex. How can I help you?",
                        persona.voice, said)
    reply = service.send_audio(ana, sid, said)
    assert "calling" in reply.heard.lower() and "help" in reply.heard.lower()
    assert reply.text == persona.opening  # the authored first line of this persona
    with wave.open(reply.audio) as w:
        assert w.getnframes() / w.getframerate() > 1.0
    turns = service.store.turns(sid)
    assert [t["role"] for t in turns] == ["agent", "customer"]
    assert turns[0]["text"] == reply.heard and Path(turns[0]["audio"]).exists()
    assert turns[1]["audio"] == reply.audio
    score = service.end_call(ana, sid, judge="none")
    assert score["metrics"].get("words_per_minute")


def test_bad_audio_changes_nothing(service, tmp_path):
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError):
        service.send_audio(ana, sid, empty)
    assert service.store.turns(sid) == []
    reply = service.send_message(ana, sid, "Thank you for calling, my name is Alex.")
    assert reply.text  # the call goes on


def test_another_trainee_cannot_reach_the_audio(service, tmp_path, voice):
    ana, bob = User("ana", "trainee"), User("bob", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice")
    said = tmp_path / "s.wav"
    voice[1].synthesize("Hello, this is Alex from Brightline.", service.catalog.persona("irritable-outage").voice, said)
    service.send_audio(ana, sid, said)
    from simulator.errors import NotFound
    with pytest.raises(NotFound):
        service.audio_path(bob, sid, 1)
    assert service.audio_path(ana, sid, 1).exists()


def test_whole_call_recording_for_replay(service, tmp_path, voice):
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice")
    said = tmp_path / "s.wav"
    voice[1].synthesize("Hello, this is Alex from Brightline.", service.catalog.persona("irritable-outage").voice, said)
    service.send_audio(ana, sid, said)
    from simulator.voice import load_audio
    parts = sum(load_audio(t["audio"]).duration_s for t in service.store.turns(sid))
    rec = service.call_recording(ana, sid)
    assert load_audio(rec).duration_s >= parts  # both sides, in order, with pauses between
    from simulator.errors import NotFound
    with pytest.raises(NotFound):
        service.call_recording(User("bob", "trainee"), sid)


def test_a_spoken_turn_streams_heard_words_then_the_line_then_the_voice(service, tmp_path, voice):
    from simulator.service import Heard, Reply

    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    service.send_message(ana, sid, "Thank you for calling Brightline Telecom, my name is Alex.")  # written opening
    said = tmp_path / "said2.wav"
    voice[1].synthesize("I am sorry to hear that. Let me look at your line.",
                        service.catalog.persona("irritable-outage").voice, said)
    items = list(service.send_audio_stream(ana, sid, said))
    heard, partials, reply = items[0], items[1:-1], items[-1]
    assert isinstance(heard, Heard) and "sorry" in heard.text.lower()
    assert isinstance(reply, Reply) and reply.heard == heard.text and reply.audio
    line = "My internet has been down for two days now, fix it."
    assert reply.text == line
    assert partials and all(isinstance(p, str) and line.startswith(p) for p in partials)


def test_the_first_sentence_is_spoken_while_the_rest_is_written(tmp_path, voice):
    """The customer's voice starts before its line is finished: the first sentence is handed out
    while the model is still writing; the rest follows; the stored voice is the whole line."""
    from simulator.voice import load_audio

    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-123")
    line = "My internet has been down for two days now. I work from home and I have lost a whole day of work."
    llm = ScriptedLLM([line], piece_delay_s=0.05)  # about 1.3 s to write the whole line
    stt, tts = voice
    service = Rolecall(store, Catalog.default(None), llm, None, data_dir=tmp_path, stt=stt, tts=tts)
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    service.send_message(ana, sid, "Thank you for calling Brightline Telecom, my name is Alex.")  # written opening
    said = tmp_path / "said.wav"
    tts.synthesize("I am sorry to hear that. Tell me more.", service.catalog.persona("irritable-outage").voice, said)
    parts: list[tuple[str, int]] = []

    def on_audio(path: str) -> None:
        parts.append((path, llm.streamed))

    reply = service.send_audio(ana, sid, said, on_audio=on_audio)
    assert reply.text == line and reply.voiced_in_parts
    assert len(parts) == 2
    (first, pieces_then), (rest, _) = parts
    assert pieces_then < llm.streamed  # the first part came out before the model finished writing
    whole = load_audio(reply.audio).duration_s
    assert abs(whole - load_audio(first).duration_s - load_audio(rest).duration_s) < 0.2
    assert service.store.turns(sid)[-1]["audio"] == reply.audio


def test_silence_in_a_voice_call_is_answered_aloud_and_counted(service, tmp_path, voice):
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    said = tmp_path / "s.wav"
    voice[1].synthesize("Hello, this is Alex from Brightline.", service.catalog.persona("irritable-outage").voice, said)
    service.send_audio(ana, sid, said)
    nudge = service.trainee_silent(ana, sid)
    assert nudge.text.startswith("Hello?") and nudge.audio and not nudge.ended
    turns = service.store.turns(sid)
    assert turns[-1]["state"]["beat"] == "still_there" and turns[-1]["audio"] == nudge.audio
    service.mark_interrupted(ana, sid)  # and the trainee then talked over it
    score = service.end_call(ana, sid, judge="none")
    assert score["metrics"]["dead_air"] == 1 and score["metrics"]["interruptions"] == 1
    manner = next(c for c in score["criteria"] if c["id"] == "phone_manner")
    assert manner["applicable"] and manner["score"] == 1


def test_a_called_customer_says_hello_aloud(service):
    """Outbound calls and surveys: the customer picks up and speaks first, aloud in a voice call."""
    from simulator.voice import load_audio

    ana = User("ana", "trainee")
    sid, first = service.start_call(ana, "calm-bank-survey", mode="voice", seed=1)
    (turn,) = service.store.turns(sid)
    assert turn["role"] == "customer" and turn["text"] == first
    assert load_audio(turn["audio"]).duration_s > 0.5
    text_sid, _ = service.start_call(ana, "calm-bank-survey", mode="text", seed=1)
    assert service.store.turns(text_sid)[0]["audio"] is None


def test_a_turn_heard_ahead_is_answered_without_hearing_it_again(tmp_path, voice):
    """Hands-free hears a turn at a pause (hear_audio: nothing stored), then sends it with what
    was heard: the recogniser runs once, and the stored turn is what it heard."""
    from concurrent.futures import ThreadPoolExecutor

    from simulator.errors import NotFound

    class Counting:
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def transcribe(self, path, language="en", context=None):
            self.calls += 1
            return self.inner.transcribe(path, language=language, context=context)

    stt = Counting(voice[0])
    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-123")
    service = Rolecall(store, Catalog.default(None), ScriptedLLM(["It's down again."]), None, data_dir=tmp_path,
                       stt=stt, tts=voice[1])
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    said = tmp_path / "said.wav"
    voice[1].synthesize("Thank you for calling Brightline Telecom, how can I help?",
                        service.catalog.persona("irritable-outage").voice, said)
    with pytest.raises(NotFound):
        service.hear_audio(User("bob", "trainee"), sid, said)
    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(service.hear_audio, ana, sid, said)
        assert "calling" in ahead.result().text.lower()
        assert service.store.turns(sid) == []  # hearing ahead stores nothing
        reply = service.send_audio(ana, sid, said, heard=ahead)
    assert stt.calls == 1  # heard once (bob was turned away before the recogniser)
    assert service.store.turns(sid)[0]["text"] == reply.heard == ahead.result().text


class _Listening:
    """A recogniser that records the call's words it was given and hears a fixed line."""

    def __init__(self):
        self.contexts = []

    def transcribe(self, path, language="en", context=None):
        from simulator.voice.stt import Transcription

        self.contexts.append(context)
        return Transcription(text="Thank you for calling Brightline Telecom, my name is Ana.", duration_s=1.0,
                             language=language)


@pytest.mark.parametrize("account, call_name, listened_for, not_for", [
    # The first-use accounts are named after roles: "my name is trainee" taught the recogniser a
    # word nobody says, and "Ana" came back as "Arner" (a hands-free walk).
    ("trainee", None, None, "trainee"),
    ("trainee", "Ana", "my name is Ana", "trainee"),
    ("ana.pop", None, "my name is Ana", "ana.pop"),
])
def test_the_recogniser_listens_for_the_name_the_trainee_uses_on_calls(tmp_path, account, call_name, listened_for,
                                                                         not_for):
    stt = _Listening()
    store = Store(":memory:")
    store.add_user(account, "trainee", "pw-ana-123")
    service = Rolecall(store, Catalog.default(None), ScriptedLLM(["It's down again."]), None, data_dir=tmp_path,
                       stt=stt, tts=EspeakTTS())
    me = User(account, "trainee")
    if call_name:
        service.set_call_name(me, call_name)
    assert service.call_name(me) == (listened_for.split()[-1] if listened_for else None)
    sid, _ = service.start_call(me, "irritable-outage", mode="voice", seed=1)
    said = tmp_path / "said.wav"
    EspeakTTS().synthesize("Hello.", service.catalog.persona("irritable-outage").voice, said)
    service.send_audio(me, sid, said)
    prompt = stt.contexts[-1].initial_prompt
    assert not_for not in prompt
    if listened_for:
        assert listened_for in prompt


def test_a_name_for_calls_that_is_no_name_is_refused_with_the_field_named(tmp_path):
    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-123")
    service = Rolecall(store, Catalog.default(None), ScriptedLLM(["Hi."]), None, data_dir=tmp_path)
    with pytest.raises(RolecallError, match="name on calls"):
        service.set_call_name(User("ana", "trainee"), "x" * 61)
    service.set_call_name(User("ana", "trainee"), "  Ana-Maria  ")
    assert service.call_name(User("ana", "trainee")) == "Ana-Maria"
    service.set_call_name(User("ana", "trainee"), "")  # cleared: the account's name, when it is one
    assert service.call_name(User("ana", "trainee")) == "Ana"


def test_ending_a_voice_call_while_the_customer_speaks_stops_its_line_and_voice(tmp_path, voice):
    """End call pressed while the customer's spoken line was still being written: the line stops
    there and nothing more is voiced; the scorecard does not wait for the rest."""
    import threading

    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-ana-123")
    line = ("My internet has been down for two days now. I work from home and I have lost a whole day of work, "
            "and every time I ring you somebody promises a technician who never turns up at all, so my children "
            "cannot do their homework and my wife has had to drive to her sister's to send a single email.")
    llm = ScriptedLLM([line], piece_delay_s=0.05)
    stt, tts = voice
    service = Rolecall(store, Catalog.default(None), llm, None, data_dir=tmp_path, stt=stt, tts=tts)
    ana = User("ana", "trainee")
    sid, _ = service.start_call(ana, "irritable-outage", mode="voice", seed=1)
    service.send_message(ana, sid, "Thank you for calling Brightline Telecom, my name is Alex.")  # written opening
    said = tmp_path / "said.wav"
    tts.synthesize("I am sorry to hear that. Tell me more.", service.catalog.persona("irritable-outage").voice, said)
    first_voice, parts, replies = threading.Event(), [], []

    def on_audio(path: str) -> None:
        parts.append(path)
        first_voice.set()

    turn = threading.Thread(target=lambda: replies.append(service.send_audio(ana, sid, said, on_audio=on_audio)))
    turn.start()
    assert first_voice.wait(60)  # the first sentence is playing
    service.end_call(ana, sid, judge="none")
    turn.join(60)
    reply = replies[0]
    assert reply.cut_short and reply.ended and reply.audio is None
    assert len(parts) == 1  # the first sentence only: the rest was never written, nor voiced
    assert llm.streamed < len(re.findall(r"\s*\S{1,4}", line))  # the model stopped before the line was whole
    last = service.store.turns(sid)[-1]
    assert last["role"] == "customer" and last["state"]["hung_up_on"] and line.startswith(last["text"])
