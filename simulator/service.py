"""Rolecall as one object: what the app, the CLI and the API call.

The UI never talks to an LLM, a model or the database directly; it calls this. Every turn
is written to the store the moment it happens, so a crash loses nothing and a call can be
resumed after a restart (the director replays the stored turns).
"""

from __future__ import annotations

import functools
import logging
import queue
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
from .persona import Persona
from .store import Store
from .transcript import EndReason, Transcript

log = logging.getLogger(__name__)

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
        elif callable(getattr(self.customer_llm, "warm", None)):
            threading.Thread(target=call.warm_up, daemon=True, name=f"warm-{sid[:8]}").start()
        return sid, first.turn.text if first else None

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
                     on_partial: Callable[[str], None] | None = None) -> Reply:
        # A spoken turn is bounded by the recording (the turn detector stops at 60 s), not by this limit.
        text = trainee_line(text, None if audio else MAX_LINE_CHARS)
        row = self._session_row(user, session_id)
        if row["user"] != user.name:
            raise AccessDenied("only the trainee who holds a call can speak in it")
        with self._lock(session_id):
            call = self._call(row)
            if call.ended or row.get("end_reason"):
                raise RolecallError("this call has ended; start a new call or look at its scorecard")
            t = self._now(session_id)
            # The trainee's line is stored before the LLM is asked, so it survives a crash or an LLM failure.
            self.store.add_turn(session_id, "agent", text, t, audio=audio)
            _, reply = call.agent_says(text, t, on_partial)
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
            return Reply(session_id, reply.turn.text, reply.ended,
                         reply.end.reason.value if reply.end else None,
                         reply.turn.state.model_dump(mode="json") if reply.turn.state else None,
                         notice=notice)

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
        return stt.transcribe(path, language=row["language"], context=call_context(persona, user.name))

    def send_audio(self, user: User, session_id: str, path: str | Path, *, phone_line: bool = False,
                   on_partial: Callable[[Heard | str], None] | None = None) -> Reply:
        """A spoken turn: the trainee's recording in, the customer's line as text and audio out.
        Bad audio raises AudioError before anything is stored, so the call goes on unchanged."""
        import shutil

        row = self._session_row(user, session_id)
        stt, tts = self._voice()
        # Raises AudioError (empty, silent, corrupt, unsupported, too long) before anything is stored.
        heard = self._heard(stt, path, row, user)
        folder = self._audio_dir(session_id)
        n = len(self.store.turns(session_id))
        kept = folder / f"{n:04d}-agent{Path(path).suffix or '.wav'}"
        shutil.copyfile(path, kept)  # the trainee's own voice is kept for replay
        if on_partial is not None:
            on_partial(Heard(heard.text))
        reply = self.send_message(user, session_id, heard.text, audio=str(kept), on_partial=on_partial)
        if reply.text:
            persona = self.persona_at(row["persona_id"], row.get("persona_version"))
            idx = len(self.store.turns(session_id)) - 1
            out = folder / f"{idx:04d}-customer.wav"
            tts.synthesize(reply.text, persona.voice, out, language=persona.language)
            if phone_line:
                from .voice import apply_phone_line
                apply_phone_line(out, out)
            self.store.set_turn_audio(session_id, idx, str(out))
            reply.audio = str(out)
        reply.heard = heard.text
        return reply

    def mark_interrupted(self, user: User, session_id: str) -> int | None:
        """The trainee talked over the customer's last line (hands-free barge-in): the line is
        marked `cut_off` so the transcript shows it. Returns the turn's index (None: no line)."""
        self._session_row(user, session_id)
        turns = self.store.turns(session_id)
        last = next((t for t in reversed(turns) if t["role"] == "customer"), None)
        if last is None or last["state"] is None:
            return None
        state = {**last["state"], "cut_off": True}
        self.store.set_turn_state(session_id, last["idx"], state)
        call = self._calls.get(session_id)
        try:  # the call held in memory says the same
            turn = call.transcript.turns[last["idx"]] if call is not None else None
            if turn is not None and turn.state is not None:
                turn.state.cut_off = True
        except (AttributeError, IndexError):
            pass
        return last["idx"]

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
        row = self._session_row(user, session_id)
        with self._lock(session_id):
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
        """Speaking rate, fillers, silences and talk ratio by time, for calls that were spoken."""
        if transcript.mode != "voice" or not any(t.audio for t in transcript.turns if t.role == "agent"):
            return None
        from .errors import AudioError
        from .voice import load_audio, voice_metrics

        def seconds(path: str | None) -> float | None:
            try:
                return load_audio(path).duration_s if path else None
            except AudioError:
                return None

        agent = [(t.text, d) for t in transcript.turns if t.role == "agent" and (d := seconds(t.audio))]
        customer = [d for t in transcript.turns if t.role == "customer" and (d := seconds(t.audio))]
        return voice_metrics(agent, customer, language=transcript.language) if agent else None

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
