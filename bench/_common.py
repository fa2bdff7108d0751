"""Helpers shared by the benchmarks: machine facts, percentiles, the JSON result line,
an instant fake LLM, and running `rolecall serve` as a child process.

Not a benchmark itself; run directly it prints the machine description (so `make bench`,
which runs every bench/*.py, still gets one JSON line from it).
"""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PASSWORD = "bench-password-42"


def log(*parts: Any) -> None:
    """Progress goes to stderr; stdout's last line is the result."""
    print(*parts, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def emit(name: str, **figures: Any) -> None:
    print(json.dumps({"name": name, **figures, "machine": machine()}, ensure_ascii=False), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class InstantLLM:
    """An `LLM` that answers at once with a fresh line each time (a repeat would be
    replaced by the guard, which is not what a text-turn benchmark should measure).
    `spent` adds up the time spent inside it, to subtract from a turn."""

    name = "instant"

    def __init__(self) -> None:
        self.n = 0
        self.spent = 0.0

    def complete(self, messages, *, max_tokens=256, temperature=0.7, seed=None, json_schema=None, stop=None) -> str:
        t0 = time.perf_counter()
        self.n += 1
        line = f"I have been waiting a long time and I need this fixed, that is call number {self.n}."
        self.spent += time.perf_counter() - t0
        return line

    def stream(self, messages, **kw) -> Iterator[str]:
        yield self.complete(messages, **kw)


def child_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for a `rolecall` child: its own database and data folder, no
    developer settings, the repository importable (app.py lives at its root)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROLECALL_", "OPENAI_"))}
    env.update(ROLECALL_DATA_DIR=str(data_dir), ROLECALL_DB=str(data_dir / "rolecall.db"),
               GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO), **extra)
    return env


def rolecall(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one `rolecall` command (cwd away from the repository, so no .env is read)."""
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def add_user(name: str, role: str, env: dict[str, str], cwd: Path, password: str = PASSWORD) -> None:
    done = rolecall(["users", "add", name, "--role", role], env, cwd, stdin=password + "\n")
    if done.returncode != 0:
        raise RuntimeError(f"rolecall users add {name} failed: {done.stderr.strip() or done.stdout.strip()}")


def start_server(env: dict[str, str], cwd: Path, port: int, log_path: Path) -> subprocess.Popen:
    """`rolecall serve` in a child process; returns once it answers HTTP."""
    import httpx

    out = open(log_path, "ab")  # noqa: SIM115 - the child keeps writing to it
    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", "serve", "--port", str(port)],
                            env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rolecall serve exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"rolecall serve did not answer on port {port} within 90 s; see {log_path}")


@contextmanager
def served(env: dict[str, str], cwd: Path, port: int, log_path: Path) -> Iterator[subprocess.Popen]:
    proc = start_server(env, cwd, port, log_path)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    emit("machine")


# Distinct customer lines for stub servers, as a real model gives: a repeated or near-repeated
# line would be rejected by the guard and retried, which no real server causes.
CUSTOMER_LINES = [
    "It has been down since Monday and I work from home, so please hurry.",
    "Yes, I already restarted the router twice this morning.",
    "Fine, but I need someone here before noon tomorrow.",
    "I've been a customer for nine years and this has never happened before.",
    "Okay, and will I get something back for the days without service?",
    "Right, I'm listening, what happens next?",
    "That sounds better than what I was told last time.",
    "Please make sure the technician actually turns up this time.",
    "Alright, and how will I know when they are coming?",
    "Good, send me a text message to confirm it.",
]
