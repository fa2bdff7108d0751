"""Speech recognition that knows the call's words: trainee lines naming the company, the
trainee, the customer, account numbers and addresses, transcribed by the app's STT
without and with the call context (simulator.voice.stt.call_context: faster-whisper
`hotwords` and `initial_prompt` from the persona and the trainee's name).

Lines are synthesized in two trainee voices (Piper's male voice and espeak-ng's female
en-us+f3), so neither is the customer's. Figures per setting (none, hotwords, prompt,
both): wer_<setting>, terms_<setting> (share of the call's names and codes heard right),
and false_terms_<setting> (lines with no term in them where a term was heard anyway).
--told NAME gives the recogniser another trainee name than the one the lines say ("trainee": the
first-use account's name, which the app passed before "Your name on calls"; "": none).
Usage: python bench/stt_context.py [--trainee Ana] [--told NAME]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import emit, log

from simulator.catalog import Catalog
from simulator.persona import Voice
from simulator.voice.audio import save_wav
from simulator.voice.piper_tts import PiperTTS
from simulator.voice.stt import CallContext, WhisperSTT, call_context
from simulator.voice.tts import EspeakTTS
from simulator.voice.wer import normalise, word_errors

# {company} {agent} {customer} {first} {code} {code2} {place}
LINES = {
    "irritable-outage": [
        "Thank you for calling {company}, my name is {agent}, how can I help you today?",
        "Thank you, Mr Morrison. Can you confirm the account number is {code}?",
        "I can see ticket {code2} was opened on Monday for {place}.",
        "Mr Morrison, I have booked an engineer for {place} tomorrow morning.",
        "Is there anything else I can do for you today?",
    ],
    "calm-moving-house": [
        "Good morning, you're through to {company}, this is {agent} speaking.",
        "Thanks, Ms Park. I have your customer number as {code}.",
        "And the new address is 7 {place}, is that right?",
        "Lovely, Helen, I'll set up the supply at {place} from the 28th of June.",
        "Your final bill will come to the old address, Ms Park.",
    ],
    "hurried-cafe-owner": [
        "Hi, this is {agent} from {company}, do you have two minutes?",
        "Am I speaking with {customer}, the owner of Café Alba?",
        "We work with a lot of cafés on Market Street, and we can lower your card fees.",
        "{company} charges one point four percent per transaction, Ms Romero.",
        "Thanks, Sofia, I'll call you back after three o'clock.",
    ],
    "calm-bank-survey": [
        "Hello, this is {agent} calling from {company}, is this {customer}?",
        "You visited our Riverside branch last week, Mr Grant.",
        "On a scale of one to ten, how would you rate the Riverside branch?",
        "Thank you, Mr Grant, your answers help {company} improve.",
        "That was the last question, have a good afternoon.",
    ],
    "skeptical-paper-fee": [
        "Thank you for calling {company}, you're speaking with {agent}.",
        "Ms Hughes, I can see the paper statement fee on your account.",
        "I have removed the fee, Linda, and refunded the last three months.",
        "{company} will send your statements by email from now on.",
        "Is there anything else I can help with today, Ms Hughes?",
    ],
}


def fill(template: str, persona, agent: str, ctx: CallContext) -> str:
    codes = [t for t in ctx.terms if any(c.isdigit() for c in t)]
    places = [t for t in ctx.terms if t not in codes and t not in (persona.company, agent, persona.name)]
    return template.format(
        company=persona.company, agent=agent, customer=persona.name, first=persona.name.split()[0],
        code=codes[0] if codes else "", code2=codes[1] if len(codes) > 1 else "", place=places[0] if places else "",
    )


def heard_term(term: str, hyp: str) -> bool:
    t, h = normalise(term), normalise(hyp)
    return any(h[i : i + len(t)] == t for i in range(len(h) - len(t) + 1)) if t else True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trainee", default="Ana")
    ap.add_argument("--told", default=None, help="the trainee name the recogniser is given (default: --trainee)")
    args = ap.parse_args()
    told = args.trainee if args.told is None else (args.told or None)
    catalog = Catalog.default(None)
    stt, piper, espeak = WhisperSTT(), PiperTTS(), EspeakTTS()
    settings = ("none", "hotwords", "prompt", "both")
    errs = {s: [0, 0] for s in settings}
    terms = {s: [0, 0] for s in settings}
    false_terms = {s: 0 for s in settings}
    secs = {s: 0.0 for s in settings}
    with tempfile.TemporaryDirectory() as tmp:
        for pid, templates in LINES.items():
            persona = catalog.personas[pid]
            full = call_context(persona, args.trainee, hotwords=True)  # the names the lines say
            given = call_context(persona, told, hotwords=True)  # what the recogniser is told
            contexts = {
                "none": CallContext(),
                "hotwords": CallContext(hotwords=given.hotwords),
                "prompt": CallContext(initial_prompt=given.initial_prompt),
                "both": given,
            }
            for k, template in enumerate(templates):
                text = fill(template, persona, args.trainee, full)
                said_terms = [t for t in full.terms if heard_term(t, text)]
                for v, (engine, voice) in enumerate(((piper, Voice(gender="male", rate=175)),
                                                     (espeak, Voice(espeak="en-us+f3", rate=165)))):
                    x, rate = engine.render(text, voice)
                    path = save_wav(np.asarray(x), rate, Path(tmp) / "t.wav")
                    for s in settings:
                        t0 = time.perf_counter()
                        hyp = stt.transcribe(path, context=contexts[s]).text
                        secs[s] += time.perf_counter() - t0
                        e, n = word_errors(text, hyp)
                        errs[s][0] += e
                        errs[s][1] += n
                        got = sum(heard_term(t, hyp) for t in said_terms)
                        terms[s][0] += got
                        terms[s][1] += len(said_terms)
                        others = [t for t in full.terms if t not in said_terms and heard_term(t, hyp)]
                        false_terms[s] += bool(others)
                        if e or got < len(said_terms):
                            log(f"  {s:8} {pid} v{v}: {e}/{n} terms {got}/{len(said_terms)} | {text!r} -> {hyp!r}")
            log(f"{pid}: " + ", ".join(f"{s} {errs[s][0] / max(1, errs[s][1]):.3f}" for s in settings))
    figures: dict = {"lines": sum(len(t) for t in LINES.values()) * 2, "trainee": args.trainee, "told": told}
    for s in settings:
        figures[f"wer_{s}"] = round(errs[s][0] / max(1, errs[s][1]), 4)
        figures[f"terms_{s}"] = round(terms[s][0] / max(1, terms[s][1]), 3)
        figures[f"false_terms_{s}"] = false_terms[s]
        figures[f"stt_s_{s}"] = round(secs[s] / figures["lines"], 3)
    emit("stt_context", **figures)


if __name__ == "__main__":
    main()
