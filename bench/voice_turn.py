"""Voice to voice: from the end of the trainee's speech to the customer's first audio.

The trainee's lines are spoken by espeak-ng into wav files first. Each turn hands one
file to Rolecall.send_audio (speech recognition, the customer engine, speech synthesis)
and stops the clock when it returns the customer's wav. The first turn (model loading) is
a warm-up, not counted. Backends (--llm):
- embedded: the default llama.cpp model, as `rolecall serve` runs it (target median <= 3 s
  on 2 cores) -> voice_to_voice_s_median / _p95;
- stub: ROLECALL_LLM=openai against an OpenAIStubServer answering in 300 ms (target
  median <= 1.0 s) -> stub_voice_to_voice_s_median / _p95;
- both (the default, what `make bench` runs).
Each stage's median (stt_s, llm_s, tts_s) is reported too.
Usage: python bench/voice_turn.py [--llm embedded|stub|both] [--turns 8] [--latency-ms 300]
"""

from __future__ import annotations

import argparse
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
from simulator.voice import EspeakTTS, default_stt

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
        # Distinct lines, as a real model gives: a repeated line would be rejected by the guard.
        return CUSTOMER_LINES[counter[0] % len(CUSTOMER_LINES)]
    return reply


def _duration(path) -> float:
    import wave
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def run(kind: str, turns: int, latency_ms: int, stt, tts, folder: Path) -> dict:
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
        service.stt, service.tts = Timed(stt, "transcribe"), Timed(tts, "synthesize")
        llm = Timed(service.customer_llm, "complete")
        service.customer_llm = llm
        if service.acts_llm is not None:
            service.acts_llm = llm
        service.store.add_user("ana", "trainee", PASSWORD)
        user = service.user("ana")
        said = []
        for i, line in enumerate(LINES[: turns + 1]):
            said.append(tts.synthesize(line, TRAINEE_VOICE, folder / f"{kind}-said-{i}.wav"))
        sid, _ = service.start_call(user, PERSONA, mode="voice", seed=1)
        time.sleep(_duration(said[0]))  # the trainee speaks their first line in real time
        seconds: list[float] = []
        for i, path in enumerate(said):
            t0 = time.perf_counter()  # the trainee has just stopped speaking
            reply = service.send_audio(user, sid, path)
            took = time.perf_counter() - t0
            log(f"{kind} turn {i}{' (warm-up)' if i == 0 else ''}: {took:.2f} s  heard: {reply.heard!r}")
            if reply.audio is None or reply.ended:
                log(f"{kind}: the call ended at turn {i}; starting another")
                sid, _ = service.start_call(user, PERSONA, mode="voice", seed=1)
                if i + 1 < len(said):
                    time.sleep(_duration(said[i + 1]))
            if i > 0 and reply.audio is not None:
                seconds.append(took)
        for t in (service.stt, service.tts, llm):
            del t.times[0]  # the warm-up's share (model loading)
        return {"median": statistics.median(seconds) if seconds else None, "p95": percentile(seconds, 95),
                "turns": len(seconds),
                "stt_s": round(statistics.median(service.stt.times), 3) if service.stt.times else None,
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
    args = ap.parse_args()

    stt, tts = default_stt(), EspeakTTS()
    figures: dict = {"turns": args.turns}
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp:
        for kind in (["embedded", "stub"] if args.llm == "both" else [args.llm]):
            r = run(kind, args.turns, args.latency_ms, stt, tts, Path(tmp))
            prefix = "" if kind == "embedded" else "stub_"
            figures[f"{prefix}voice_to_voice_s_median"] = None if r["median"] is None else round(r["median"], 3)
            figures[f"{prefix}voice_to_voice_s_p95"] = None if r["p95"] is None else round(r["p95"], 3)
            for stage in ("stt_s", "llm_s", "llm_calls_per_turn", "tts_s"):
                figures[f"{prefix}{stage}"] = r[stage]
    if args.llm != "embedded":
        figures["stub_server_latency_ms"] = args.latency_ms
    emit("voice_turn", **figures, target_median_s={"embedded": 3.0, "stub": 1.0})


if __name__ == "__main__":
    main()
