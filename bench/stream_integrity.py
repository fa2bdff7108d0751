"""A long hands-free call streamed from a real browser: does every sample arrive?

Headless Chromium (Debian's) plays a wav as its microphone: a short 1 kHz beep at every whole
second, silence between (no speech, so no turn is sent and only the stream is measured). The
app runs in this process; a tap on the hands-free stream keeps every chunk the server
received. After --seconds (default 180) the call is ended from the page.

Figures:
- streamed_s: how long the page's microphone ran (from the moment it started to End call);
- received_s: seconds of audio the server received; missing_s = streamed_s - received_s
  (up to one 0.5 s chunk is still in flight when the call ends);
- beeps_expected / beeps_found, and bad_gaps: beep-to-beep gaps that are not 1.00 s
  (within 30 ms). A lost or repeated chunk shows as a missing beep or a gap of 0.5 or 1.5 s.
- browser_cpu: the CPU Chromium's processes used while the microphone streamed, as a share of
  one core (on 2 cores, what the page takes from the customer's model when the app and the
  browser share a machine).
Usage: python bench/stream_integrity.py [--seconds 180]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _common import PASSWORD, emit, log

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store
from simulator.ui import handsfree
from simulator.voice import save_wav

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
SR = 16_000


def beeps_wav(path: Path, seconds: int) -> Path:
    t = np.arange(int(0.08 * SR)) / SR
    beep = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    audio = np.zeros(seconds * SR, dtype=np.float32)
    for s in range(seconds):
        audio[s * SR: s * SR + beep.size] = beep
    return save_wav(audio, SR, path)


def onsets(samples: np.ndarray, rate: int) -> np.ndarray:
    """Seconds at which a beep starts (10 ms frames, energy over a threshold after quiet)."""
    frame = rate // 100
    n = samples.size // frame
    energy = np.sqrt((samples[: n * frame].reshape(n, frame) ** 2).mean(axis=1))
    loud = energy > 0.05
    starts = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    return starts * frame / rate


def chromium_cpu_s() -> float:
    """CPU seconds used so far by every Chromium process on this machine (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name.startswith(("chromium", "chrome")):
            total += (int(rest[11]) + int(rest[12])) / tick  # utime + stime
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=180)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    sys_path_tests = Path(__file__).resolve().parents[1] / "tests"
    import sys

    sys.path.insert(0, str(sys_path_tests))
    from fakes import launch_app

    received: list[np.ndarray] = []
    rates: set[int] = set()
    lock = threading.Lock()

    def tap(_sid: str, rate: int, samples) -> None:
        x = np.asarray(samples)
        x = x.mean(axis=1) if x.ndim == 2 else x
        x = x.astype(np.float32) / 32768.0 if x.dtype == np.int16 else x.astype(np.float32)
        with lock:
            rates.add(int(rate))
            received.append(x)

    handsfree.HANDS_FREE.tap = tap
    with tempfile.TemporaryDirectory(prefix="rolecall-stream-") as tmp:
        folder = Path(tmp)
        mic = beeps_wav(folder / "beeps.wav", args.seconds + 30)
        store = Store(folder / "rolecall.db")
        store.add_user("ana", "trainee", PASSWORD)
        data = folder / "data"
        data.mkdir()
        service = Rolecall(store, Catalog.default(None), None, judge_llm=None, data_dir=data)
        url, demo = launch_app(service)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                            args=ARGS + [f"--use-file-for-fake-audio-capture={mic}"])
                page = browser.new_context().new_page()
                page.set_default_timeout(60_000)
                page.goto(url)
                page.get_by_label("username").fill("ana")
                page.get_by_label("password").fill(PASSWORD)
                page.get_by_role("button", name=re.compile("login", re.I)).click()
                page.locator("#persona-dd input").click()
                page.get_by_role("option", name=re.compile("Dave Morrison")).click()
                page.get_by_label("voice").check()
                page.locator("#start-call").click()
                # The microphone starts by itself; it streams once its stop button shows.
                page.locator("#rc-live-mic button[class*=stop]").first.wait_for(timeout=60_000)
                started, cpu0 = time.perf_counter(), chromium_cpu_s()
                log(f"streaming for {args.seconds} s")
                page.wait_for_timeout(args.seconds * 1000)
                browser_cpu = (chromium_cpu_s() - cpu0) / (time.perf_counter() - started)
                page.locator("#rc-end").click()
                streamed = time.perf_counter() - started
                page.wait_for_timeout(3000)  # the last chunk's way to the server
                browser.close()
        finally:
            demo.close()
            handsfree.HANDS_FREE.tap = None
    with lock:
        audio = np.concatenate(received) if received else np.zeros(0, dtype=np.float32)
        rate = max(rates) if rates else SR
    received_s = audio.size / rate
    found = onsets(audio, rate)
    gaps = np.diff(found)
    bad = [round(float(g), 3) for g in gaps if abs(g - 1.0) > 0.03]
    emit("stream_integrity", seconds=args.seconds, chunk_rates=sorted(rates), streamed_s=round(streamed, 2),
         received_s=round(received_s, 2), missing_s=round(streamed - received_s, 2),
         beeps_expected=int(received_s), beeps_found=int(found.size), bad_gaps=bad[:20], bad_gap_count=len(bad),
         browser_cpu=round(browser_cpu, 2))


if __name__ == "__main__":
    main()
