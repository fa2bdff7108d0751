"""The supervisor dashboard's first view over a large database.

Seeds a database with `--sessions` sessions of `--turns-per-session` turns each (90% ended
and scored, spread over `--trainees` trainees and the built-in personas), cached in /tmp
by size so later runs skip the ~minute of seeding. Then, on a freshly opened Store:
- first_view_ms: Dashboard.sessions(SessionFilter()) plus the session count (what the
  sessions table shows first); target <= 300 ms;
- supervisor_load_ms: everything the supervisor tab loads (table, trend, readiness board,
  weak-spot matrix), with each part timed on its own too.
Usage: python bench/dashboard.py [--sessions 100000] [--turns-per-session 20] [--trainees 50] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from _common import emit, log, ms

from simulator.dashboard import Dashboard, SessionFilter
from simulator.store import Store

CACHE_VERSION = 1  # bump when the seeded shape changes
TEMPERAMENTS = ["irritable", "calm", "hesitant", "confused", "talkative", "skeptical"]
CRITERIA = ["greeting", "identity_verification", "active_listening", "empathy", "resolution",
            "professional_language", "closing"]


def _score(rng: random.Random) -> dict:
    criteria = [{"id": c, "score": rng.randint(0, 4), "max": 4, "applicable": True, "method": "rule",
                 "evidence": [], "feedback": "", "needs_review": False} for c in CRITERIA]
    total = round(sum(c["score"] for c in criteria) / (4 * len(criteria)) * 100, 1)
    fatal = ["identity_verification"] if criteria[1]["score"] == 0 else []
    return {"rubric": "inbound-support", "total": total, "passed": total >= 70 and not fatal, "fatal": fatal,
            "criteria": criteria, "metrics": {"agent_turns": 10}, "flags": []}


def seed(path: Path, sessions: int, turns_per: int, trainees: int) -> None:
    """Bulk rows through the Store's own schema, in one transaction (store.batch())."""
    rng = random.Random(7)
    store = Store(path)
    names = [f"trainee{i:03d}" for i in range(trainees)]
    with store.batch():
        for n in names:
            store.db.conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at, active) VALUES (?, 'trainee', 'x', ?, 1)",
                [n, time.time()])
    start = time.time() - 365 * 86400
    chunk = 5000
    for first in range(0, sessions, chunk):
        srows, trows, scrows = [], [], []
        for i in range(first, min(sessions, first + chunk)):
            sid = f"s{i:08d}"
            temp = TEMPERAMENTS[i % len(TEMPERAMENTS)]
            started = start + i * (365 * 86400 / sessions)
            ended = rng.random() < 0.9
            score = _score(rng) if ended else None
            srows.append([sid, names[i % trainees], f"{temp}-persona-{i % 14}", 1, "inbound-support", temp,
                          "inbound_support", "en", "text", i % 10, int(i % 10 == 0), started,
                          started + 300 if ended else None, "agent_ended" if ended else None,
                          300.0 if ended else None, score["total"] if score else None,
                          int(score["passed"]) if score else None])
            for k in range(turns_per):
                role = "agent" if k % 2 == 0 else "customer"
                state = None if role == "agent" else json.dumps(
                    {"mood": -0.2, "patience": 4, "revealed": [], "beat": "complain", "replaced": False})
                trows.append([sid, k, role, f"line {k} of call {i}: some words a person would say here", k * 5.0,
                              state, None])
            if score:
                scrows.append([sid, "inbound-support", score["total"], int(score["passed"]), json.dumps(score),
                               started + 300])
        with store.batch():
            conn = store.db.conn
            conn.executemany(
                "INSERT INTO sessions (id, user, persona_id, persona_version, rubric_id, temperament, call_type, "
                "language, mode, seed, exam, started_at, ended_at, end_reason, end_t, total, passed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", srows)
            conn.executemany("INSERT INTO turns (session_id, idx, role, text, t, state, audio) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", trows)
            conn.executemany("INSERT INTO scores (session_id, rubric_id, total, passed, score, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", scrows)
        log(f"  seeded {min(sessions, first + chunk):,} / {sessions:,} sessions")
    store.db.conn.execute("ANALYZE")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def cached_db(sessions: int, turns_per: int, trainees: int, fresh: bool) -> Path:
    path = Path(tempfile.gettempdir()) / f"rolecall-bench-dashboard-v{CACHE_VERSION}-{sessions}x{turns_per}x{trainees}.db"
    if path.exists() and not fresh:
        log(f"using the seeded database {path}")
        return path
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    partial = path.with_suffix(".partial")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    log(f"seeding {sessions:,} sessions x {turns_per} turns into {partial}")
    t0 = time.perf_counter()
    seed(partial, sessions, turns_per, trainees)
    log(f"seeded in {time.perf_counter() - t0:.1f} s")
    os.replace(partial, path)  # only a complete database is ever cached
    return path


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--turns-per-session", type=int, default=20)
    ap.add_argument("--trainees", type=int, default=50)
    ap.add_argument("--fresh", action="store_true", help="seed again even when a cached database exists")
    args = ap.parse_args()

    path = cached_db(args.sessions, args.turns_per_session, args.trainees, args.fresh)
    with Store(path) as counting:
        sessions = counting.count_sessions()
        turns = counting.db.conn.execute("SELECT count(*) FROM turns").fetchone()[0]

    store = Store(path)  # freshly opened: the first view pays for its own queries
    dash = Dashboard(store)

    def first_view() -> None:
        dash.sessions(SessionFilter())
        store.count_sessions()

    first = timed(first_view)
    warm = [timed(first_view) for _ in range(10)]
    log(f"first view {first * 1000:.1f} ms; warm median {statistics.median(warm) * 1000:.1f} ms")
    parts = {
        "sessions_frame_ms": lambda: dash.sessions_frame(),
        "trend_ms": lambda: dash.trend(),
        "readiness_board_ms": lambda: dash.readiness_board(),
        "matrix_ms": lambda: dash.matrix(),
        "filtered_view_ms": lambda: dash.sessions(SessionFilter(trainee="trainee007", temperament="calm")),
    }
    part_ms = {}
    for key, fn in parts.items():
        part_ms[key] = ms(timed(fn))
        log(f"{key}: {part_ms[key]} ms")
    store.close()

    emit("dashboard", sessions=sessions, turns=turns, trainees=args.trainees,
         first_view_ms=ms(first), first_view_warm_ms=ms(statistics.median(warm)),
         supervisor_load_ms=round(sum(part_ms[k] for k in ("sessions_frame_ms", "trend_ms", "readiness_board_ms",
                                                            "matrix_ms")), 2),
         **part_ms, target_first_view_ms=300)


if __name__ == "__main__":
    main()
