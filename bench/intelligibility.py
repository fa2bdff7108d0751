"""Intelligibility of the customer's voice: the built-in personas' own lines (the opening
and their fallback lines), synthesized by each engine, then transcribed back by the app's
own speech recognition (simulator/voice/stt.py). Target: WER <= 3% with the default voices.

Engines: `default` (what each persona gets on this machine, simulator.voice.voices), then
each engine forced (`piper`, `espeak`, `pyttsx3`); a line an engine would speak exactly as
the default does is not synthesized twice. On Linux pyttsx3 drives espeak-ng, the library
the direct engine holds in this process, so it runs in a child process of this script,
and only when asked for (it speaks with the espeak rows' voices there).
Romanian personas are reported apart (the multilingual base model; `--ro`).

Figures: wer_default (English, all personas), wer_<engine>, wer_by_persona (default
voices), ro_wer_default, rtf_<engine> (synthesis seconds / audio seconds), lines, words,
and the worst lines.
Usage: python bench/intelligibility.py [--lines first|all] [--engines default,piper,espeak,pyttsx3]
       [--persona ID ...] [--no-ro] [--save FILE.jsonl] | --rescore FILE.jsonl
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, emit, log

from simulator.catalog import Catalog
from simulator.persona import Beat, Persona
from simulator.voice.audio import save_wav
from simulator.voice.stt import WhisperSTT
from simulator.voice.voices import PersonaTTS
from simulator.voice.wer import word_errors


def persona_lines(p: Persona, which: str = "first") -> list[str]:
    """The opening, then the fallback lines of every beat (the first one of each, or all),
    with {fact} and {objection} filled in turn by the persona's own facts and objections."""
    lines = [p.opening] if p.opening else []
    facts = [f.value for f in p.facts] or ["that"]
    objections = [o.text for o in p.objections] or ["I am not sure."]
    k = 0
    for beat in Beat:
        chosen = p.fallback_lines[beat] if which == "all" else p.fallback_lines[beat][:1]
        for line in chosen:
            lines.append(line.replace("{fact}", facts[k % len(facts)]).replace("{objection}", objections[k % len(objections)]))
            k += 1
    seen: set[str] = set()
    return [x for x in lines if not (x in seen or seen.add(x))]


def run(engines: list[str], which: str, persona_ids: list[str] | None, with_ro: bool, save=None) -> dict:
    catalog = Catalog.default(None)
    personas = [p for p in catalog.personas.values() if not persona_ids or p.id in persona_ids]
    tts, stt = PersonaTTS(), WhisperSTT()
    heard: dict[tuple, str] = {}  # (backend, voice id, rate, pitch, gender, text, language) -> transcript
    totals: dict[str, list[int]] = {}
    by_persona: dict[str, list[int]] = {}
    synth: dict[str, list[float]] = {}
    worst: list[tuple[float, str, str, str, str]] = []
    used: dict[str, dict[str, str]] = {}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            for p in personas:
                if p.language != "en" and not (with_ro and engine == "default"):
                    continue
                voice = p.voice if engine == "default" else p.voice.model_copy(update={"backend": engine})
                choice = tts.choose(voice, p.language)
                if engine != "default" and choice.backend != engine:
                    log(f"{engine}: not available for {p.id} (would use {choice.backend}); skipped")
                    continue
                used.setdefault(engine, {})[p.id] = f"{choice.backend}:{choice.voice_id}"
                key_name = engine if p.language == "en" else f"ro_{engine}"
                for text in persona_lines(p, which):
                    key = (choice.backend, choice.voice_id, voice.rate, voice.pitch, voice.gender, text, p.language)
                    if key not in heard:
                        t0 = time.perf_counter()
                        samples, rate, _ = tts.render(text, voice, p.language)
                        dt = time.perf_counter() - t0
                        synth.setdefault(choice.backend, []).extend([dt, samples.size / rate])
                        path = save_wav(samples, rate, Path(tmp) / "line.wav")
                        try:
                            heard[key] = stt.transcribe(path, language=p.language).text
                        except Exception as e:  # noqa: BLE001 - a line heard as nothing is all errors
                            heard[key] = ""
                            log(f"  {p.id}: {e}")
                    errors, n = word_errors(text, heard[key])
                    if save is not None:
                        save.write(json.dumps({"engine": key_name, "persona": p.id, "voice": f"{choice.backend}:{choice.voice_id}",
                                               "said": text, "heard": heard[key]}, ensure_ascii=False) + "\n")
                        save.flush()
                    tot = totals.setdefault(key_name, [0, 0])
                    tot[0] += errors
                    tot[1] += n
                    if engine == "default":
                        bp = by_persona.setdefault(p.id, [0, 0])
                        bp[0] += errors
                        bp[1] += n
                    if errors:
                        worst.append((errors / max(1, n), key_name, p.id, text, heard[key]))
                        log(f"  {key_name} {p.id}: {errors}/{n}  said: {text!r}  heard: {heard[key]!r}")
                log(f"{engine} {p.id}: {choice.backend}:{choice.voice_id} running WER "
                    f"{totals[key_name][0] / max(1, totals[key_name][1]):.3f}")
    figures: dict = {}
    for name, (e, n) in totals.items():
        figures[f"wer_{name}"] = round(e / max(1, n), 4)
        figures[f"words_{name}"] = n
    for backend, xs in synth.items():
        figures[f"rtf_{backend}"] = round(sum(xs[0::2]) / max(1e-9, sum(xs[1::2])), 3)
    figures["wer_by_persona"] = {pid: round(e / max(1, n), 4) for pid, (e, n) in by_persona.items()}
    figures["voices"] = used
    figures["worst"] = [{"engine": w[1], "persona": w[2], "said": w[3], "heard": w[4], "wer": round(w[0], 2)}
                        for w in sorted(worst, reverse=True)[:8]]
    figures["lines"] = which
    figures["seconds"] = round(time.perf_counter() - t_start, 1)
    return figures


def rescore(path: str) -> dict:
    """The figures again from lines saved by --save (after a change to the normaliser)."""
    totals: dict[str, list[int]] = {}
    by_persona: dict[str, list[int]] = {}
    worst = []
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        e, n = word_errors(r["said"], r["heard"])
        t = totals.setdefault(r["engine"], [0, 0])
        t[0], t[1] = t[0] + e, t[1] + n
        if r["engine"] == "default":
            b = by_persona.setdefault(r["persona"], [0, 0])
            b[0], b[1] = b[0] + e, b[1] + n
        if e:
            worst.append((e / max(1, n), r["engine"], r["persona"], r["said"], r["heard"]))
    figures: dict = {f"wer_{k}": round(e / max(1, n), 4) for k, (e, n) in totals.items()}
    figures.update({f"words_{k}": n for k, (_, n) in totals.items()})
    figures["wer_by_persona"] = {k: round(e / max(1, n), 4) for k, (e, n) in by_persona.items()}
    figures["worst"] = [{"engine": w[1], "persona": w[2], "said": w[3], "heard": w[4], "wer": round(w[0], 2)}
                        for w in sorted(worst, reverse=True)[:8]]
    figures["rescored"] = path
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", choices=["first", "all"], default="first")
    # On Linux pyttsx3 is espeak-ng again: measured only when asked for (--engines ...,pyttsx3).
    ap.add_argument("--engines", default="default,piper,espeak" + ("" if sys.platform.startswith("linux") else ",pyttsx3"))
    ap.add_argument("--persona", action="append")
    ap.add_argument("--no-ro", action="store_true")
    ap.add_argument("--save", metavar="FILE.jsonl", help="also write every line said and heard (append)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rescore", metavar="FILE.jsonl", help="only score again the lines a --save wrote")
    args = ap.parse_args()
    if args.rescore:
        emit("intelligibility", **rescore(args.rescore))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    child_engines: list[str] = []
    if sys.platform.startswith("linux") and "pyttsx3" in engines and len(engines) > 1:
        engines.remove("pyttsx3")
        child_engines = ["pyttsx3"]
    save = open(args.save, "a", encoding="utf-8") if args.save else None  # noqa: SIM115
    figures = run(engines, args.lines, args.persona, not args.no_ro and not args.child, save)
    for engine in child_engines:
        cmd = [sys.executable, __file__, "--child", "--engines", engine, "--lines", args.lines, "--no-ro"]
        if args.save:
            save.flush()
            cmd += ["--save", args.save]
        for pid in args.persona or ():
            cmd += ["--persona", pid]
        r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode == 0 and r.stdout.strip():
            sub = json.loads(r.stdout.strip().splitlines()[-1])
            for k, v in sub.items():
                if k.startswith(("wer_", "words_", "rtf_")) and k != "wer_by_persona":
                    figures.setdefault(k, v)
            figures.setdefault("voices", {}).update(sub.get("voices", {}))
        else:
            log(f"{engine} child failed: {r.stderr[-500:]}")
    emit("intelligibility", **figures)


if __name__ == "__main__":
    main()
