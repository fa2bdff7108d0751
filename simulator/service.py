"""Rolecall as one object: what the app, the CLI and the API call.

The UI never talks to an LLM, a model or the database directly; it calls this. Every turn
is written to the store the moment it happens, so a crash loses nothing and a call can be
resumed after a restart (the director replays the stored turns).
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .catalog import Catalog, persona_from_yaml_text
from .config import Settings
from .engine.call import CallSession, CustomerReply
from .errors import AccessDenied, LineTooLong, NotFound, RolecallError
from .llm.base import LLM
from .persona import Beat, Persona
from .store import Store
from .transcript import EndReason, Transcript

log = logging.getLogger(__name__)
# Account names that are roles or placeholders, not a person's name to listen for.
_ROLE_WORDS = frozenset("trainee trainer supervisor admin user test demo agent operator student guest".split())

# A stored persona version never changes, so its YAML is parsed once, not on every score
# (the parse was 5% of the server's CPU with 50 calls at once).
_persona_version = functools.lru_cache(maxsize=256)(persona_from_yaml_text)


@dataclass
class User:
    name: str
    role: str  # trainee | trainer | supervisor
    language: str | None = None  # of the app's pages; None: the language the app was started in

    @property
    def sees_everyone(self) -> bool:
        return self.role == "supervisor"


@dataclass
class Reply:
    session_id: str
    text: str | None          # the customer's line (None when the agent ended the call)
    ended: bool
    end_reason: str | None
    state: dict | None
    audio: str | None = None   # the customer's line as speech (voice calls)
    notice: str | None = None  # something the trainee should know (e.g. the LLM server is down)
    heard: str | None = None   # what speech recognition made of the trainee's recording
    voiced_in_parts: bool = False  # its voice was handed out sentence by sentence (send_audio's on_audio)
    cut_short: bool = False   # the trainee ended the call while this line was being written: not voiced


# About 40 seconds of speech: a turn on the phone, not a letter. A pasted wall of text was
# heard as answering an objection the customer had never raised.
MAX_LINE_CHARS = 600


def trainee_line(text: str | None, limit: int | None = MAX_LINE_CHARS) -> str:
    """The trainee's line as it is sent: trimmed; an empty one, or a typed one longer than a
    spoken turn, is refused (nothing is stored, so nothing is lost)."""
    text = (text or "").strip()
    if not text:
        raise RolecallError("the message is empty; type what you would say to the customer")
    if limit is not None and len(text) > limit:
        raise LineTooLong(f"your line is {len(text):,} characters; a turn on the phone is at most {limit} "
                          f"(about 40 seconds of speech): say the first part now and the rest in your next turn")
    return text


def _reply_of(session_id: str, reply: CustomerReply, notice: str | None = None) -> Reply:
    """What the app hears back of a customer line the engine produced."""
    return Reply(session_id, reply.turn.text, reply.ended, reply.end.reason.value if reply.end else None,
                 reply.turn.state.model_dump(mode="json") if reply.turn.state else None, notice=notice)


@dataclass
class Heard:
    """What speech recognition made of the trainee's recording, before the customer answers."""
    text: str


def _streamed(run: Callable[[Callable], Reply], name: str) -> Iterator:
    """Run a turn in its own thread, yielding what it passes to its on_partial callback as it
    comes, then its Reply; its error is raised here. The turn finishes and is stored even if
    nobody reads on (the trainee closed the page)."""
    items: queue.Queue = queue.Queue()
    done = object()

    def work() -> None:
        try:
            items.put(run(items.put))
        except BaseException as exc:  # handed to the reader below
            items.put(exc)
        finally:
            items.put(done)

    threading.Thread(target=work, name=name, daemon=True).start()
    while (item := items.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


class Rolecall:
    def __init__(self, store: Store, catalog: Catalog, customer_llm: LLM | None, judge_llm: LLM | None = None,
                 *, data_dir: Path | None = None, stt=None, tts=None, acts_llm: LLM | None = None):
        self.store = store
        # A capable model (an OpenAI-compatible server) also classifies the trainee's acts.
        self.acts_llm = acts_llm
        self.catalog = catalog
        self.customer_llm = customer_llm
        self.judge_llm = judge_llm
        self.data_dir = Path(data_dir) if data_dir else None
        self.stt = stt
        self.tts = tts
        # No judged part of a scorecard is started after this many seconds (code's level stands).
        self.judge_deadline_s: float | None = 30.0
        self._calls: dict[str, CallSession] = {}
        self._started: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._warming = threading.Lock()  # one persona's prompt read ahead at a time (warm_persona)
        self.sync_versions()

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings) -> "Rolecall":
        from .llm.factory import make_llms

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(settings.db)
        catalog = Catalog.default(settings.data_dir)
        llms = make_llms(settings)
        # A capable remote model also decides which fact a trainee's request is about, for the
        # customer and the scorecard alike; the embedded model is left to the customer's lines.
        from .listener import sense

        sense.set_understanding_llm(llms.customer if settings.llm == "openai" else None)
        return cls(store, catalog, llms.customer, llms.judge, data_dir=settings.data_dir,
                   acts_llm=llms.customer if settings.acts == "llm" else None)

    def _classifier(self, persona: Persona):
        if self.acts_llm is None:
            return None
        from .engine.acts import LLMActClassifier
        return LLMActClassifier(persona, self.acts_llm)

    def sync_versions(self) -> None:
        """Record each persona's current text as a new version when it changed, so a session
        can point at exactly the persona it was played with."""
        latest = self.store.latest_persona_versions()
        for pid, persona in self.catalog.personas.items():
            text = yaml.safe_dump(persona.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
            if pid not in latest or latest[pid]["yaml"] != text:
                self.store.save_persona_version(pid, text, "catalog")

    # -- people ------------------------------------------------------------------------------
    def login(self, name: str, password: str) -> User | None:
        row = self.store.authenticate(name, password)
        return User(row["name"], row["role"], row["language"]) if row else None

    def user(self, name: str) -> User:
        row = self.store.get_user(name)
        if not row:
            raise NotFound(f"user '{name}' does not exist")
        return User(row["name"], row["role"], row["language"])

    # -- personas ----------------------------------------------------------------------------
    def personas(self, **filters) -> list[Persona]:
        return self.catalog.list_personas(**filters)

    def persona_at(self, persona_id: str, version: int | None) -> Persona:
        if version is not None:
            row = self.store.persona_version(persona_id, version)
            if row:
                return _persona_version(row["yaml"], f"{persona_id}@v{version}")
        return self.catalog.persona(persona_id)

    # -- calls -------------------------------------------------------------------------------
    def _lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def _session_row(self, user: User, session_id: str) -> dict:
        row = self.store.get_session(session_id)
        if row is None or (row["user"] != user.name and not user.sees_everyone):
            # Same answer for "not yours" and "not there": ids of others' sessions are not confirmed.
            raise NotFound(f"session '{session_id}' not found")
        return row

    def _call(self, row: dict) -> CallSession:
        sid = row["id"]
        call = self._calls.get(sid)
        if call is None:
            persona = self.persona_at(row["persona_id"], row.get("persona_version"))
            call = CallSession.restore(persona, self.customer_llm, self.store.transcript(sid),
                                       classifier=self._classifier(persona))
            self._calls[sid] = call
            self._started[sid] = time.time() - (call.transcript.turns[-1].t if call.transcript.turns else 0.0)
        return call

    def _held_row(self, user: User, session_id: str) -> dict:
        """The session's row, if `user` is the trainee holding the call (only they speak in it)."""
        row = self._session_row(user, session_id)
        if row["user"] != user.name:
            raise AccessDenied("only the trainee who holds a call can speak in it")
        return row

    def _open_call(self, row: dict) -> CallSession:
        """The call of `row`, if it has not ended (call under the session's lock)."""
        call = self._call(row)
        if call.ended or row.get("end_reason"):
            raise RolecallError("this call has ended; start a new call or look at its scorecard")
        return call

    def _now(self, sid: str) -> float:
        return round(time.time() - self._started.get(sid, time.time()), 2)

    def start_call(self, user: User, persona_id: str, mode: str = "text", seed: int | None = None,
                   exam: bool = False) -> tuple[str, str | None]:
        if mode not in ("text", "voice"):
            raise RolecallError(f"mode '{mode}' is not valid; use text or voice")
        persona = self.catalog.persona(persona_id)
        version = self.store.latest_persona_versions().get(persona_id, {}).get("version")
        sid = self.store.create_session(
            user=user.name, persona_id=persona.id, persona_version=version, rubric_id=persona.rubric,
            temperament=persona.temperament.value, call_type=persona.call_type.value, language=persona.language,
            mode=mode, seed=seed, exam=exam or seed is not None,
        )
        call = CallSession(persona, self.customer_llm, seed=seed, rubric=persona.rubric, mode=mode,
                           classifier=self._classifier(persona))
        self._calls[sid] = call
        self._started[sid] = time.time()
        first = call.start(0.0)
        if first:
            self._save_customer(sid, first)
            if mode == "voice" and self.data_dir is not None:
                # The customer picks up and says hello aloud, as on the phone.
                row = {"persona_id": persona.id, "persona_version": version}
                try:
                    self._speak(row, sid, Reply(sid, first.turn.text, False, None, None), False)
                except RolecallError as exc:  # the call goes on in words; the trainee sees the line
                    log.warning("session %s: the customer's first line was not spoken: %s", sid, exc)
        else:
            call.warm_in_background()
        if mode == "voice" and not first:
            # Load the recogniser and the customer's voice while the trainee says hello: the
            # first spoken turn otherwise waits for both.
            threading.Thread(target=self._preload_voice, args=(persona,), daemon=True, name=f"voice-{sid[:8]}").start()
        return sid, first.turn.text if first else None

    def warm_persona(self, persona_id: str) -> threading.Thread | None:
        """Have a local model read a customer's prompt while the trainee reads its card: the
        first line of a call otherwise waits for it (about 10 s on 2 cores after a fresh start;
        two walks waited 31 s and 36 s for it). One reading at a time; returns its thread, or
        None when there is nothing to read (no local model, an unknown persona)."""
        if self.customer_llm is None or not callable(getattr(self.customer_llm, "warm", None)):
            return None
        if persona_id not in self.catalog.personas or not self._warming.acquire(blocking=False):
            return None
        persona = self.catalog.persona(persona_id)

        def read() -> None:
            try:
                CallSession(persona, self.customer_llm, classifier=self._classifier(persona)).warm_up()
            finally:
                self._warming.release()

        thread = threading.Thread(target=read, daemon=True, name=f"warm-{persona_id}")
        thread.start()
        return thread

    def _preload_voice(self, persona: Persona) -> None:
        import tempfile

        try:
            stt, tts = self._voice()
            load = getattr(stt, "model", None)
            if callable(load):
                load(persona.language)
            with tempfile.TemporaryDirectory(prefix="rolecall-warm-") as tmp:
                tts.synthesize("Hello.", persona.voice, Path(tmp) / "warm.wav", language=persona.language)
        except Exception:  # noqa: BLE001 - only an optimisation: the turn itself reports problems
            log.debug("preloading the voice of %s failed", persona.id, exc_info=True)

    def _save_customer(self, sid: str, reply: CustomerReply) -> None:
        self.store.add_turn(sid, "customer", reply.turn.text, reply.turn.t,
                            state=reply.turn.state.model_dump(mode="json") if reply.turn.state else None,
                            audio=reply.turn.audio)
        if reply.ended and reply.end:
            self.store.end_session(sid, reply.end.reason, reply.end.t)

    def send_message_stream(self, user: User, session_id: str, text: str) -> Iterator[str | Reply]:
        """`send_message`, yielding the customer's line as it is written (each time the part the
        guard has let through grows: the whole line so far, "" when a shown start was withdrawn),
        then the Reply. Errors are raised here, as `send_message` raises them."""
        return _streamed(lambda on_partial: self.send_message(user, session_id, text, on_partial=on_partial),
                         f"turn-{session_id}")

    def send_audio_stream(self, user: User, session_id: str, path: str | Path, *,
                          phone_line: bool = False) -> Iterator[Heard | str | Reply]:
        """`send_audio`, yielding what was heard (a Heard) as soon as it is known, then the
        customer's line as it is written (as `send_message_stream`), then the Reply."""
        return _streamed(lambda on_partial: self.send_audio(user, session_id, path, phone_line=phone_line,
                                                            on_partial=on_partial), f"voice-{session_id}")

    def send_message(self, user: User, session_id: str, text: str, *, audio: str | None = None,
                     on_partial: Callable[[str], None] | None = None, long_turn: bool = False,
                     t: float | None = None) -> Reply:
        # A spoken turn is bounded by the recording (the turn detector stops at 60 s), not by this limit.
        text = trainee_line(text, None if audio else MAX_LINE_CHARS)
        row = self._held_row(user, session_id)
        with self._lock(session_id):
            call = self._open_call(row)
            if t is None:
                t = self._now(session_id)
            else:  # a spoken turn's start: never before the line it answers (talked over: it starts there)
                stored = self.store.turns(session_id)
                t = max(t, stored[-1]["t"] if stored else 0.0)
            # The trainee's line is stored before the LLM is asked, so it survives a crash or an LLM failure.
            self.store.add_turn(session_id, "agent", text, t, audio=audio)
            _, reply = call.agent_says(text, t, on_partial, long_turn=long_turn)
            if reply.cut_short:  # the trainee pressed End call while the customer was speaking
                if reply.turn is not None:
                    reply.turn.t = self._now(session_id)
                    self._save_customer(session_id, reply)
                end = call.end_by_agent(self._now(session_id))
                self.store.end_session(session_id, end.reason, end.t)
                return Reply(session_id, reply.turn.text if reply.turn else None, True, end.reason.value,
                             reply.turn.state.model_dump(mode="json") if reply.turn else None, cut_short=True)
            reply.turn.t = self._now(session_id)
            if reply.end:
                reply.end.t = reply.turn.t
            self._save_customer(session_id, reply)
            notice = None
            failed = [p for p in (reply.problems or []) if p.startswith("llm error")]
            if failed and reply.turn.state and reply.turn.state.replaced:
                cause = failed[0].removeprefix("llm error: ")
                notice = (f"The customer model did not answer ({cause}); the customer used a prepared line. "
                          "Your turn is saved and the call goes on.")
                log.warning("session %s: %s", session_id, cause)
            return _reply_of(session_id, reply, notice)

    # -- voice -------------------------------------------------------------------------------
    def _audio_dir(self, session_id: str) -> Path:
        if self.data_dir is None:
            raise RolecallError("voice calls need a data folder; set ROLECALL_DATA_DIR")
        d = self.data_dir / "audio" / session_id
        d.mkdir(parents=True, exist_ok=True)
        return d

    def exports_dir(self) -> Path:
        """Where CSV exports are kept: the data folder, or a fresh temporary folder when none is
        configured. (The app hands the browser a copy; the data folder is never served.)"""
        if self.data_dir is None:
            import tempfile
            return Path(tempfile.mkdtemp(prefix="rolecall-export-"))
        folder = self.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _voice(self):
        if self.stt is None or self.tts is None:
            from .voice import default_stt, default_tts
            self.stt = self.stt or default_stt()
            self.tts = self.tts or default_tts()  # each persona's voice picks its engine (Piper, pyttsx3, espeak-ng)
        return self.stt, self.tts

    def _heard(self, stt, path: str | Path, row: dict, user: User):
        """The trainee's recording as text; a recogniser that takes the call's own words (the
        company, the customer's names and codes, the trainee's name) gets them."""
        import inspect

        if "context" not in inspect.signature(stt.transcribe).parameters:
            return stt.transcribe(path, language=row["language"])
        from .voice.stt import call_context
        persona = self.persona_at(row["persona_id"], row.get("persona_version"))
        return stt.transcribe(path, language=row["language"], context=call_context(persona, self.call_name(user)))

    def set_call_name(self, user: User, call_name: str | None) -> None:
        """The name the trainee gives on calls, which the recogniser listens for."""
        self.store.set_call_name(user.name, call_name)

    def call_name(self, user: User) -> str | None:
        """The name the trainee gives on calls: the one they set, else their account's name when
        it is a person's ("ana.pop": Ana), else none. A role's name ("trainee") is no one's."""
        row = self.store.get_user(user.name) or {}
        if row.get("call_name"):
            return row["call_name"]
        first = re.split(r"[._\s-]+", user.name.strip())[0]
        if len(first) < 2 or not first.isalpha() or first.lower() in _ROLE_WORDS:
            return None
        return first.capitalize()

    def hear_audio(self, user: User, session_id: str, path: str | Path):
        """The trainee's recording as text, with nothing stored: hands-free hears a turn at a
        pause, before it knows the turn is over, and hands the result to `send_audio(heard=)`.
        The customer's understanding of the words is worked out now too (it is kept by text),
        so the reply waits on neither."""
        row = self._held_row(user, session_id)
        stt, _tts = self._voice()
        heard = self._heard(stt, path, row, user)
        call = self._calls.get(session_id)
        if call is not None and heard.text.strip():
            try:
                call.prehear(trainee_line(heard.text, None))
            except Exception:  # noqa: BLE001 - only a head start; the turn itself hears it again
                log.exception("hearing ahead in %s", session_id)
        return heard

    def send_audio(self, user: User, session_id: str, path: str | Path, *, phone_line: bool = False,
                   on_partial: Callable[[Heard | str], None] | None = None, long_turn: bool = False,
                   started_ago_s: float | None = None, on_audio: Callable[[str], None] | None = None,
                   heard: Any = None) -> Reply:
        """A spoken turn: the trainee's recording in, the customer's line as text and audio out.
        Bad audio raises AudioError before anything is stored, so the call goes on unchanged.
        long_turn: the turn was cut at a minute (the customer reacts); started_ago_s: how long ago
        the trainee started speaking (hands-free knows; otherwise the recording's length).
        on_audio: gets the customer's voice sentence by sentence, the first while the rest is
        still being written (the Reply's audio is still the whole line).
        heard: `hear_audio`'s result for this very recording (or its Future), already heard."""
        import shutil

        row = self._session_row(user, session_id)
        stt, _tts = self._voice()
        arrived = self._now(session_id)
        # Raises AudioError (empty, silent, corrupt, unsupported, too long) before anything is stored.
        if heard is None:
            heard = self._heard(stt, path, row, user)
        elif hasattr(heard, "result"):
            heard = heard.result()
        if started_ago_s is None:
            started_ago_s = getattr(heard, "duration_s", 0.0) or 0.0
        folder = self._audio_dir(session_id)
        n = len(self.store.turns(session_id))
        kept = folder / f"{n:04d}-agent{Path(path).suffix or '.wav'}"
        shutil.copyfile(path, kept)  # the trainee's own voice is kept for replay
        if on_partial is not None:
            on_partial(Heard(heard.text))
        early = None
        if on_audio is not None:
            from .voice.early import EarlyVoice

            persona = self.persona_at(row["persona_id"], row.get("persona_version"))
            early = EarlyVoice(lambda text, out: self._synthesize(persona, text, out, phone_line), folder, on_audio)

        def partial(item: Heard | str) -> None:
            if on_partial is not None:
                on_partial(item)
            if early is not None and isinstance(item, str):
                early.grew(item)

        # A spoken turn's time is when the trainee started speaking: the silence before it is
        # what the customer waited through.
        reply = self.send_message(user, session_id, heard.text, audio=str(kept),
                                  on_partial=partial if (on_partial or early) else None,
                                  long_turn=long_turn, t=max(0.0, round(arrived - started_ago_s, 2)))
        if reply.text and not reply.cut_short:
            if early is not None:
                idx = len(self.store.turns(session_id)) - 1
                whole = early.finish(reply.text, folder / f"{idx:04d}-customer.wav")
                began = self._now(session_id) - (time.monotonic() - (early.first_at or time.monotonic()))
                self._keep_voice(session_id, idx, reply, whole, t=round(began, 2))
                reply.voiced_in_parts = True
            else:
                self._speak(row, session_id, reply, phone_line)
        reply.heard = heard.text
        return reply

    def voice_sample(self, persona, text: str | None = None) -> tuple[Path, str]:
        """The persona's voice saying `text` (default: its opening line, else a complaint it
        would make), for a trainer trying a persona out. Returns the wav and which engine and
        voice spoke it."""
        import tempfile

        _stt, tts = self._voice()
        line = (text or "").strip() or persona.opening or persona.fallback_lines[Beat.complain][0]
        out = Path(tempfile.mkdtemp(prefix="rolecall-voice-")) / f"{persona.id}.wav"
        tts.synthesize(line[:MAX_LINE_CHARS], persona.voice, out, language=persona.language)
        choose = getattr(tts, "choose", None)
        who = ""
        if choose is not None:
            choice = choose(persona.voice, persona.language)
            who = f"{choice.backend} · {choice.voice_id}"
        return out, who

    def mark_interrupted(self, user: User, session_id: str) -> int | None:
        """The trainee talked over the customer's last line (hands-free barge-in): the line is
        marked `cut_off` so the transcript shows it, the voice figures count it, and an
        impatient customer says so. Returns the turn's index (None: no line)."""
        self._session_row(user, session_id)
        turns = self.store.turns(session_id)
        last = next((t for t in reversed(turns) if t["role"] == "customer"), None)
        if last is None or last["state"] is None:
            return None
        self.store.set_turn_state(session_id, last["idx"], {**last["state"], "cut_off": True})
        call = self._calls.get(session_id)
        if call is not None and last["idx"] < len(call.transcript.turns):  # the call held in memory says the same
            call.mark_cut_off(last["idx"])
        return last["idx"]

    def trainee_silent(self, user: User, session_id: str, *, phone_line: bool = False) -> Reply:
        """The trainee said nothing for a long while after the customer's line (hands-free
        calls): the customer asks "Hello? Are you still there?", aloud; the second time in a row
        it hangs up. Counts as dead air on the scorecard."""
        row = self._held_row(user, session_id)
        with self._lock(session_id):
            reply = self._open_call(row).trainee_silent(self._now(session_id))
            self._save_customer(session_id, reply)
        out = _reply_of(session_id, reply)
        if row.get("mode") == "voice":
            self._speak(row, session_id, out, phone_line)
        return out

    def _speak(self, row: dict, session_id: str, reply: Reply, phone_line: bool) -> None:
        """The customer's line as speech, kept with the turn; its time becomes the moment the
        voice is ready (dead air is measured from when the customer stopped talking)."""
        persona = self.persona_at(row["persona_id"], row.get("persona_version"))
        idx = len(self.store.turns(session_id)) - 1
        out = self._audio_dir(session_id) / f"{idx:04d}-customer.wav"
        self._synthesize(persona, reply.text, out, phone_line)
        self._keep_voice(session_id, idx, reply, out)

    def _synthesize(self, persona, text: str, out: Path, phone_line: bool) -> Path:
        _stt, tts = self._voice()
        tts.synthesize(text, persona.voice, out, language=persona.language)
        if phone_line:
            from .voice import apply_phone_line
            apply_phone_line(out, out)
        return out

    def _keep_voice(self, session_id: str, idx: int, reply: Reply, path: Path, t: float | None = None) -> None:
        """The line's voice kept with its turn; the turn's time becomes when the voice began (t,
        else now): dead air is measured from when the customer stopped talking."""
        self.store.set_turn_audio(session_id, idx, str(path))
        self.store.set_turn_time(session_id, idx, self._now(session_id) if t is None else t)
        reply.audio = str(path)

    def audio_path(self, user: User, session_id: str, idx: int) -> Path | None:
        """A turn's audio, only for someone allowed to see the session."""
        self._session_row(user, session_id)
        for t in self.store.turns(session_id):
            if t["idx"] == idx and t["audio"]:
                return Path(t["audio"])
        return None

    def call_recording(self, user: User, session_id: str) -> Path | None:
        """The whole spoken call as one wav (both sides in order), for replay; None if nothing was spoken."""
        import numpy as np

        from .errors import AudioError
        from .voice import load_audio, save_wav

        transcript = self.transcript(user, session_id)
        clips = []
        for t in transcript.turns:
            if t.audio and Path(t.audio).is_file():
                try:
                    clips.append(load_audio(t.audio).samples)
                except AudioError:
                    continue
        if not clips or self.data_dir is None:
            return None
        gap = np.zeros(int(16000 * 0.4), dtype=np.float32)  # a short pause between speakers
        joined = np.concatenate([part for clip in clips for part in (clip, gap)])
        return save_wav(joined, 16000, self._audio_dir(session_id) / "call.wav")

    def resume(self, user: User, session_id: str) -> Transcript:
        """Reopen an interrupted call: answer a trainee line left unanswered by a crash."""
        row = self._session_row(user, session_id)
        with self._lock(session_id):
            call = self._call(row)
            pending = call.answer_pending(self._now(session_id))
            if pending:
                self._save_customer(session_id, pending)
            return call.transcript

    def end_call(self, user: User, session_id: str, *, judge: str = "auto") -> dict:
        """End the call (if still open) and score it. judge: auto (configured judge) | none.
        Returns the complete score JSON (after the judged parts); see `end_call_stream`."""
        self._end(user, session_id)
        with self._lock(session_id):
            return self._score(session_id, judge)["score"]

    def end_call_stream(self, user: User, session_id: str, *, judge: str = "auto") -> Iterator[dict]:
        """End the call and score it progressively. Yields updates, each
        {"score": score JSON, "done": n, "total": m, "criterion": id | None, "final": bool}:
        first the card with everything code decides (in milliseconds; judged parts carry
        `"pending": true` and code's level), then one update per judged criterion as the judge
        finishes it, the last with "final": true. The first and the final card are saved; the
        judging goes on in its own thread and is saved even if nobody reads on."""
        self._end(user, session_id)

        def run(on_update: Callable[[dict], None]) -> dict:
            with self._lock(session_id):
                return self._score(session_id, judge, on_update)

        return _streamed(run, f"score-{session_id}")

    def _end(self, user: User, session_id: str) -> None:
        self._session_row(user, session_id)
        call = self._calls.get(session_id)
        if call is not None:
            # A customer line being written holds the session's lock until it is whole (seconds
            # with a local model): it stops at the next word instead, and ends the call itself.
            call.hang_up()
        with self._lock(session_id):
            row = self.store.get_session(session_id)
            if not row.get("end_reason"):
                call = self._call(row)
                end = call.end_by_agent(self._now(session_id))
                self.store.end_session(session_id, end.reason, end.t)

    def _score(self, session_id: str, judge: str, on_update: Callable[[dict], None] | None = None) -> dict:
        """Score the stored call; returns the last update (see end_call_stream), passing the
        earlier ones to on_update. The first card and the final one are saved."""
        from .scoring import score_progressive

        row = self.store.get_session(session_id)
        transcript = self.store.transcript(session_id)
        rubric = self.catalog.rubric(row["rubric_id"])
        persona = self.persona_at(row["persona_id"], row.get("persona_version"))
        updates = score_progressive(transcript, rubric, None if judge == "none" else self.judge_llm,
                                    seed=row.get("seed") or 0, company=persona.company, persona=persona,
                                    voice_metrics=self._voice_metrics(transcript), deadline_s=self.judge_deadline_s)
        last: dict | None = None
        for n, update in enumerate(updates):
            last = update.as_dict()
            if n == 0 or update.final:
                self.store.save_score(session_id, last["score"])
            if not update.final and on_update is not None:
                on_update(last)
        assert last is not None
        return last

    # -- calibration -------------------------------------------------------------------------
    def rescore_criterion(self, user: User, session_id: str, criterion_id: str, score: int | None,
                          note: str) -> dict:
        """A supervisor's own score for one criterion of a scored call (None: not applicable),
        with a note saying why. Kept beside the automatic score, never replacing it; returns the
        score JSON with both (see `score_of`)."""
        if not user.sees_everyone:
            raise AccessDenied("only supervisors can re-score a call")
        self._session_row(user, session_id)
        saved = self.store.get_score(session_id)
        if saved is None:
            raise RolecallError(f"session '{session_id}' has no score yet; end the call first")
        crit = next((c for c in saved.get("criteria", []) if c.get("id") == criterion_id), None)
        if crit is None:
            known = ", ".join(c.get("id", "") for c in saved.get("criteria", []))
            raise NotFound(f"criterion '{criterion_id}' is not on this scorecard (it has: {known})")
        if score is not None and not (isinstance(score, int) and 0 <= score <= int(crit.get("max") or 0)):
            raise RolecallError(f"score for '{criterion_id}' must be 0 to {crit.get('max')} (or empty: not applicable)")
        auto = crit.get("score") if crit.get("applicable", True) else None
        self.store.add_criterion_review(session_id, criterion_id, score, note, user.name, auto_score=auto,
                                        max_score=crit.get("max"))
        return self.score_of(user, session_id)

    def calibration(self, user: User, criterion_id: str | None = None) -> dict[str, dict]:
        """Agreement between automatic and supervisor scores, per criterion (supervisors only)."""
        from .calibration import agreement

        if not user.sees_everyone:
            raise AccessDenied("only supervisors can see calibration figures")
        return agreement(self.store.review_pairs(criterion_id))

    def _voice_metrics(self, transcript: Transcript) -> dict | None:
        """Speaking rate, fillers, silences, dead air, interruptions and talk ratio by time, for
        calls that were spoken."""
        if transcript.mode != "voice" or not any(t.audio for t in transcript.turns if t.role == "agent"):
            return None
        from .errors import AudioError
        from .voice import load_audio, voice_metrics
        from .voice.metrics import response_gaps

        def seconds(path: str | None) -> float | None:
            try:
                return load_audio(path).duration_s if path else None
            except AudioError:
                return None

        durations = {i: seconds(t.audio) for i, t in enumerate(transcript.turns) if t.audio}
        turns = transcript.turns
        agent = [(t.text, durations[i]) for i, t in enumerate(turns) if t.role == "agent" and durations.get(i)]
        customer = {i: d for i, t in enumerate(turns) if t.role == "customer" and (d := durations.get(i))}
        states = [t.state for t in turns if t.role == "customer" and t.state]
        return voice_metrics(agent, list(customer.values()), language=transcript.language,
                             response_gaps_s=response_gaps(turns, customer),
                             interruptions=sum(1 for s in states if s.cut_off),
                             still_there=sum(1 for s in states if s.beat == "still_there")) if agent else None

    def score_of(self, user: User, session_id: str) -> dict | None:
        """The saved score JSON, with supervisors' re-scores beside the automatic ones."""
        from .calibration import with_reviews

        self._session_row(user, session_id)
        score = self.store.get_score(session_id)
        if score is None:
            return None
        reviews = self.store.criterion_reviews(session_id)
        if not reviews:
            return score
        try:
            weights = {c.id: c.weight for c in self.catalog.rubric(score.get("rubric")).criteria}
        except RolecallError:
            weights = None
        return with_reviews(score, reviews, weights)

    def transcript(self, user: User, session_id: str) -> Transcript:
        self._session_row(user, session_id)
        return self.store.transcript(session_id)

    def list_sessions(self, user: User, **filters) -> list[dict[str, Any]]:
        if not user.sees_everyone:
            filters["user"] = user.name
        return self.store.list_sessions(**filters)
