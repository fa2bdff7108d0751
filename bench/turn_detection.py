"""End of turn on streamed speech: does the TurnDetector wait through comma pauses and
notice the end of a turn soon after the last word?

Trainee utterances (24 lines of two to four clauses) are synthesized clause by clause
(Piper's voice and espeak-ng's female voice, alternately), joined with natural pauses
(0.3-0.6 s at each comma, seeded), led by 0.5-1.0 s of room and followed by 2 s of
silence, with faint noise under it all; then streamed to the detector as a browser
microphone would (48 kHz int16, 0.5 s chunks). Figures:
- split_turns: utterances that ended at a comma pause (target 0);
- late_turns: ends noticed more than 1.2 s after the last word (target 0);
- end_delay_s_median / _max: from the end of the last word to the end_of_turn event
  (audio time: what the trainee waits, before speech recognition);
- missed_turns: utterances with no end_of_turn at all;
- vad_ms_per_chunk_p95: wall time to process one 0.5 s chunk;
- with --stt: wer_incremental vs wer_whole (the same audio transcribed at pauses then the
  tail, or whole at the end), and tail_s_median vs whole_s_median (seconds from the
  end_of_turn event to the text).
Usage: python bench/turn_detection.py [--end-silence 0.9] [--stt [--realtime]] [--voice both|piper|espeak]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _common import emit, log, percentile

from simulator.persona import Voice
from simulator.voice.piper_tts import PiperTTS
from simulator.voice.tts import EspeakTTS
from simulator.voice.turns import SR, StreamResampler, TurnDetector
from simulator.voice.wer import word_errors

UTTERANCES = [
    "Thank you for calling Brightline Telecom, my name is Ana, how can I help you today?",
    "I am sorry to hear that, let me have a look at your account.",
    "Could you give me your account number, and the address on the account?",
    "I can see the fault, it started on Monday, and it affects your whole street.",
    "I understand, that is really frustrating, and I am sorry you had to call again.",
    "Let me check one thing, it will only take a moment.",
    "The engineer can come tomorrow morning, between eight and twelve, would that work for you?",
    "If the router lights are red, please restart it, and wait two minutes.",
    "I have added a credit to your bill, for the days without service.",
    "Is there anything else, that I can help you with today?",
    "Your new plan starts next month, and the price stays the same for a year.",
    "To confirm your identity, could you tell me your date of birth?",
    "I will send you a text message, with the reference number, and the time of the visit.",
    "We can move your supply to the new address, from the day you move in.",
    "I see two payments this month, one of them was a mistake, and I will refund it.",
    "Before we continue, this call may be recorded, for training purposes.",
    "The survey takes about five minutes, and your answers are anonymous.",
    "On a scale of one to ten, how likely are you to recommend us to a friend?",
    "I can offer you a discount, or a faster connection for the same price.",
    "Sorry for the wait, thank you for holding.",
    "Your contract ends in March, so there is no fee for leaving early.",
    "I have noted everything down, so you will not need to explain it again.",
    "Please keep your phone nearby, the technician will call before arriving.",
    "Thank you for your patience, have a lovely evening, goodbye.",
]


def trim(x: np.ndarray, floor: float = 0.01) -> np.ndarray:
    nz = np.flatnonzero(np.abs(x) > floor)
    return x[nz[0] : nz[-1] + 1] if nz.size else x


def build(rng: np.random.Generator) -> list[dict]:
    piper, espeak = PiperTTS(), EspeakTTS()
    items = []
    for k, text in enumerate(UTTERANCES):
        clauses = [c.strip() for c in text.split(",") if c.strip()]
        parts: list[np.ndarray] = [np.zeros(int(rng.uniform(0.5, 1.0) * SR), np.float32)]
        commas = []
        for j, clause in enumerate(clauses):
            if k % 2 == 0:
                x, rate = piper.render(clause, Voice(gender="male"))
            else:
                x, rate = espeak.render(clause, Voice(espeak="en-us+f3", rate=165))
                x = x.astype(np.float32) / 32768.0
            y = trim(StreamResampler(rate)(np.asarray(x, np.float32)))
            parts.append(0.5 * y / max(1e-6, float(np.abs(y).max())))
            if j < len(clauses) - 1:
                gap = rng.uniform(0.3, 0.6)
                commas.append(round(gap, 2))
                parts.append(np.zeros(int(gap * SR), np.float32))
        last_word_end = sum(p.size for p in parts) / SR
        parts.append(np.zeros(int(2.0 * SR), np.float32))
        audio = np.concatenate(parts)
        audio = audio + (10 ** (-55 / 20) * rng.standard_normal(audio.size)).astype(np.float32)
        items.append({"text": text, "audio": audio, "last_word_end": last_word_end, "commas": commas,
                      "voice": "piper" if k % 2 == 0 else "espeak+f3"})
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--end-silence", type=float, default=0.9)
    ap.add_argument("--stt", action="store_true", help="also compare incremental and whole transcription")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--realtime", action="store_true",
                    help="feed chunks at the pace a microphone gives them (with --stt: parts are heard while the trainee talks)")
    ap.add_argument("--voice", choices=["both", "piper", "espeak"], default="both", help="which utterances")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    items = build(rng)
    log(f"{len(items)} utterances, {sum(len(i['commas']) for i in items)} comma pauses "
        f"({min(g for i in items for g in i['commas'])}-{max(g for i in items for g in i['commas'])} s)")
    transcriber = None
    stt = None
    if args.stt:
        from simulator.voice.stt import WhisperSTT

        stt = WhisperSTT()
        model = stt.model("en")

        def transcriber(audio: np.ndarray) -> str:
            segs, _ = model.transcribe(audio, language="en", beam_size=2, vad_filter=False,
                                       condition_on_previous_text=False)
            return " ".join(s.text.strip() for s in segs)

    split = late = missed = 0
    delays, chunk_ms = [], []
    inc_err = whole_err = words = 0
    tail_s, whole_s = [], []
    if args.voice != "both":
        items = [it for it in items if it["voice"].startswith(args.voice)]
    for it in items:
        det = TurnDetector(end_silence_s=args.end_silence, transcriber=transcriber)
        pcm = np.interp(np.arange(it["audio"].size * 3) / 3, np.arange(it["audio"].size), it["audio"])
        pcm = (np.clip(pcm, -1, 1) * 32767).astype(np.int16)
        ends = []
        n = 24_000  # 0.5 s at 48 kHz
        t_stream = time.perf_counter()
        for i in range(0, pcm.size, n):
            if args.realtime:
                time.sleep(max(0.0, t_stream + (i + n) / 48_000 - time.perf_counter()))
            t0 = time.perf_counter()
            events = det.feed((48_000, pcm[i : i + n]))
            chunk_ms.append((time.perf_counter() - t0) * 1000)
            ends += [e for e in events if e.kind in ("end_of_turn", "max_turn")]
            if ends:
                break
        if not ends:
            missed += 1
            log(f"MISSED: {it['text']}")
            continue
        e = ends[0]
        delay = e.t - it["last_word_end"]
        if e.speech_end_t is not None and e.speech_end_t < it["last_word_end"] - 0.3:
            split += 1
            log(f"SPLIT at {e.speech_end_t:.2f}s of {it['last_word_end']:.2f}s: {it['text']} (pauses {it['commas']})")
        else:
            delays.append(delay)
            if delay > 1.2:
                late += 1
        if args.stt:
            t0 = time.perf_counter()
            inc = e.transcript()
            tail_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            whole = transcriber(e.audio)
            whole_s.append(time.perf_counter() - t0)
            ei, n_ = word_errors(it["text"], inc)
            ew, _ = word_errors(it["text"], whole)
            inc_err, whole_err, words = inc_err + ei, whole_err + ew, words + n_
            if ei or ew:
                log(f"  inc {ei} whole {ew}: {it['text']!r} | inc {inc!r} | whole {whole!r}")
        det.close()
        log(f"{it['voice']:9} end after {delay:.2f}s  pauses {it['commas']}")
    figures = {
        "utterances": len(items),
        "comma_pauses": sum(len(i["commas"]) for i in items),
        "end_silence_s": args.end_silence,
        "split_turns": split,
        "late_turns": late,
        "missed_turns": missed,
        "end_delay_s_median": round(statistics.median(delays), 3) if delays else None,
        "end_delay_s_max": round(max(delays), 3) if delays else None,
        "vad_ms_per_chunk_p95": round(percentile(chunk_ms, 95), 1),
    }
    if args.stt and words:
        figures.update(
            wer_incremental=round(inc_err / words, 4), wer_whole=round(whole_err / words, 4),
            tail_s_median=round(statistics.median(tail_s), 3), whole_s_median=round(statistics.median(whole_s), 3),
        )
    emit("turn_detection", **figures)


if __name__ == "__main__":
    main()
