"""Voice to voice: from the end of the trainee's speech to the customer's first audio.

The trainee's lines are spoken by espeak-ng into wav files first. Each turn is said into a
hands-free call as the browser's microphone does: 0.5 s chunks, in real time, through
`HandsFree.chunk` (the turn detector, hearing the turn at a pause, Rolecall.send_audio with
the customer engine writing as a stream and the persona's own voice, sentence by sentence),
then silence until the customer's line is out. The clock runs from the end of the last
word to the chunk answer that carries the customer's first audio (what the page plays):
voice_to_voice_s. whole_line_s is to the whole line written and voiced. The first turn
(model loading) is a warm-up, not counted. Backends (--llm):
- embedded: the default llama.cpp model, as `rolecall serve` runs it (target median <= 2.5 s,
  p95 <= 4.0 s on 2 cores) -> voice_to_voice_s_median / _p95;
- stub: ROLECALL_LLM=openai against an OpenAIStubServer answering in 300 ms (target
  median <= 0.8 s) -> stub_voice_to_voice_s_median / _p95;
- both (the default, what `make bench` runs).
Each stage's median (stt_s, llm_s, tts_s) is reported too, and stt_runs_per_turn (hearing a
turn at a pause the trainee then talks on after costs a second run).
Usage: python bench/voice_turn.py [--llm embedded|stub|both] [--turns 8] [--latency-ms 300]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import CUSTOMER_LINES, PASSWORD, emit, log, percentile

from simulator.config import load_settings
from simulator.persona import Voice
from simulator.service import Rolecall
from simulator.testing import OpenAIStubServer
from simulator.voice import EspeakTTS, default_stt, default_tts, load_audio
from simulator.ui.handsfree import KEEP, HandsFree
from simulator.voice.turns import TurnDetector

PERSONA = "irritable-outage"
TRAINEE_VOICE = Voice(rate=175, pitch=45, espeak="en-us")
LINES = [
    "Thank you for calling Nordlink Telecom, my name is Ana. How can I help you today?",
    "I am sorry to hear that. Could you tell me your account number, please?",
    "Thank you. I can see a fault was reported in your area yesterday.",
    "I understand this is the third call, and I am sorry you had to call again.",
    "Can you tell me whether the lights on your router are green or red?",
    "Have you already tried restarting the router since the outage began?",
    "I will check whether a technician can come to you.",
    "Is there a phone number where the technician can reach you?",
    "Let me note everything down so you do not have to explain it again.",
]


class Timed:
    """Wraps an object's one method, adding the seconds spent in it to `times`."""

    def __init__(self, inner, method: str) -> None:
        self.inner, self.method, self.times = inner, method, []
        self.name = getattr(inner, "name", method)
        self._lock = threading.Lock()

    def __getattr__(self, attr):
        value = getattr(self.inner, attr)
        if attr != self.method:
            return value

        @functools.wraps(value)  # the service reads the signature (a recogniser taking the call's words)
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                with self._lock:
                    self.times.append(time.perf_counter() - t0)

        return timed




def _stub_reply(counter: list[int]):
    def reply(messages: list[dict]) -> str:
        counter[0] += 1
        if "Classify one line" in " ".join(str(m.get("content", "")) for m in messages):
            return '{"acts": ["question"], "facts_asked": [], "objections_answered": []}'
        # Distinct lines, as a real model gives (a repeated line would be rejected by the guard),
        # of two sentences, as the model's lines mostly are.
        n = len(CUSTOMER_LINES)
        return f"{CUSTOMER_LINES[counter[0] % n]} {CUSTOMER_LINES[(counter[0] + 3) % n]}"
    return reply


def _duration(path) -> float:
    import wave
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


class Recording(TurnDetector):
    """The turn detector hands-free uses, noting where each turn's last word was."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list[float] = []

    def feed(self, chunk, sample_rate: int = 16000):
        events = super().feed(chunk, sample_rate)
        self.ends += [e.speech_end_t for e in events if e.kind in ("end_of_turn", "max_turn")]
        return events


def _turn(hf: HandsFree, service, user, sid: str, samples) -> dict:
    """Say one utterance into the hands-free call as the browser's microphone does (0.5 s
    chunks, in real time), then keep the microphone open on silence until the customer's line
    is out. Times are perf_counter seconds: the last word, the first chunk answer that carried
    the customer's voice (what the page plays), the whole line written and voiced."""
    import numpy as np

    chunk = 8000
    line = hf.line(sid)
    base = line.detector.t  # the detector's clock runs over the whole call
    n_ends = len(line.detector.ends)
    audio = np.concatenate([samples.astype(np.float32), np.zeros(16000 * 60, dtype=np.float32)])
    start = time.perf_counter()
    first = done = ended = None
    for n in range(0, audio.size, chunk):
        time.sleep(max(0.0, start + (n + chunk) / 16000 - time.perf_counter()))  # the chunk has been said
        step = hf.chunk(service, user, sid, (16000, (audio[n:n + chunk] * 32767).astype(np.int16)))
        ended = ended or step.ended
        if ended and done is None and line.pending is None:
            done = time.perf_counter()
        if step.audio is not KEEP and step.audio is not None and first is None and len(line.detector.ends) > n_ends:
            first = time.perf_counter()
        if len(line.detector.ends) > n_ends and line.pending is None and not line.parts and done is None:
            done = time.perf_counter()
        # A trainee waits for the customer's line to play out before speaking again (else each
        # next line would talk over it, and the customer would answer "Let me finish").
        if (first is not None and done is not None and line.pending is None and not line.parts
                and not line.playing_until):
            break
    if len(line.detector.ends) == n_ends:
        raise RuntimeError("the turn detector did not hear the end of the turn")
    if done is None:
        raise RuntimeError("the customer's line was not out within 60 s of the turn")
    said = start + (line.detector.ends[n_ends] - base)
    turns = service.transcript(user, sid).turns
    last = turns[-1] if turns and turns[-1].role == "customer" else None
    return {"said": said, "first": first or done, "done": done, "ended": ended,
            "heard": turns[-2].text if len(turns) > 1 else "",
            # A line the guard turned down was written again: the usual cause of a slow turn.
            "rejected": list(last.state.rejected) if last is not None and last.state else [],
            "said_back": last.text if last is not None else ""}


def run(kind: str, turns: int, latency_ms: int, stt, tts, folder: Path, seed: int | None = None) -> dict:
    env = {"ROLECALL_DATA_DIR": str(folder / kind), "ROLECALL_DB": str(folder / kind / "rolecall.db")}
    stub = None
    if kind == "stub":
        stub = OpenAIStubServer(reply=_stub_reply([0]), latency_s=latency_ms / 1000).start()
        env.update(ROLECALL_LLM="openai", OPENAI_BASE_URL=stub.base_url, OPENAI_API_KEY="stub",
                   ROLECALL_CUSTOMER_MODEL="stub")
    else:
        env["ROLECALL_LLM"] = "local"
    try:
        # Only these settings: a developer's .env or environment must not pick the backend.
        service = Rolecall.from_settings(load_settings(env=env, cwd=folder))
        service.stt, service.tts = Timed(stt, "transcribe"), Timed(default_tts(), "synthesize")
        llm = Timed(service.customer_llm, "complete")  # the act classifier's calls; the customer's line streams
        service.customer_llm = llm
        if service.acts_llm is not None:
            service.acts_llm = llm
        service.store.add_user("ana", "trainee", PASSWORD)
        user = service.user("ana")
        said = []
        for i, line in enumerate(LINES[: turns + 1]):
            said.append(tts.synthesize(line, TRAINEE_VOICE, folder / f"{kind}-said-{i}.wav"))
        hf = HandsFree(Recording, folder=folder / kind / "handsfree")
        sid, _ = service.start_call(user, PERSONA, mode="voice", seed=seed)
        seconds: list[float] = []
        whole: list[float] = []
        rewritten = 0
        for i, path in enumerate(said):
            t = _turn(hf, service, user, sid, load_audio(path).samples)
            took, line_s = t["first"] - t["said"], t["done"] - t["said"]
            log(f"{kind} turn {i}{' (warm-up)' if i == 0 else ''}: first voice {took:.2f} s, whole line "
                f"{line_s:.2f} s after the last word  heard: {t['heard']!r}  answered: {t['said_back']!r}"
                + (f"  turned down first: {t['rejected']}" if t["rejected"] else ""))
            if t["ended"]:
                log(f"{kind}: the call ended at turn {i}; starting another")
                hf.close(sid)
                sid, _ = service.start_call(user, PERSONA, mode="voice", seed=seed)
            if i > 0:
                seconds.append(took)
                whole.append(line_s)
                rewritten += bool(t["rejected"])
        hf.close(sid)
        for t in (service.stt, service.tts, llm):
            if t.times:
                del t.times[0]  # the warm-up's share (model loading)
        return {"median": statistics.median(seconds) if seconds else None, "p95": percentile(seconds, 95),
                "whole_median": statistics.median(whole) if whole else None, "whole_p95": percentile(whole, 95),
                "turns": len(seconds), "lines_turned_down": rewritten,
                "stt_s": round(statistics.median(service.stt.times), 3) if service.stt.times else None,
                "stt_runs_per_turn": round(len(service.stt.times) / max(1, len(seconds)), 2),
                "llm_s": round(statistics.median(llm.times), 3) if llm.times else None,
                "llm_calls_per_turn": round(len(llm.times) / max(1, len(seconds)), 2),
                "tts_s": round(statistics.median(service.tts.times), 3) if service.tts.times else None}
    finally:
        if stub is not None:
            stub.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--llm", choices=["embedded", "stub", "both"], default="both")
    ap.add_argument("--turns", type=int, default=8)
    ap.add_argument("--latency-ms", type=int, default=300)
    ap.add_argument("--seed", type=int, default=None,
                    help="a seeded (exam) call; by default a practice call, as trainees make them")
    args = ap.parse_args()

    # The trainee's lines are said by espeak-ng; the customer speaks in its persona's own voice.
    stt, tts = default_stt(), EspeakTTS()
    figures: dict = {"turns": args.turns, "customer_voice": None}
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp:
        for kind in (["embedded", "stub"] if args.llm == "both" else [args.llm]):
            r = run(kind, args.turns, args.latency_ms, stt, tts, Path(tmp), args.seed)
            prefix = "" if kind == "embedded" else "stub_"
            figures[f"{prefix}voice_to_voice_s_median"] = None if r["median"] is None else round(r["median"], 3)
            figures[f"{prefix}voice_to_voice_s_p95"] = None if r["p95"] is None else round(r["p95"], 3)
            figures[f"{prefix}whole_line_s_median"] = None if r["whole_median"] is None else round(r["whole_median"], 3)
            figures[f"{prefix}whole_line_s_p95"] = None if r["whole_p95"] is None else round(r["whole_p95"], 3)
            for stage in ("stt_s", "stt_runs_per_turn", "llm_s", "llm_calls_per_turn", "tts_s", "lines_turned_down"):
                figures[f"{prefix}{stage}"] = r[stage]
    if args.llm != "embedded":
        figures["stub_server_latency_ms"] = args.latency_ms
    figures["customer_voice"] = _voice_used()
    emit("voice_turn", **figures, target_median_s={"embedded": 2.5, "stub": 0.8}, target_p95_s={"embedded": 4.0})


def _voice_used() -> str:
    from simulator.catalog import Catalog

    persona = Catalog.default(None).persona(PERSONA)
    choice = default_tts().choose(persona.voice, persona.language)
    return f"{choice.backend}:{choice.voice_id}"


if __name__ == "__main__":
    main()
