"""The SQLite store, in memory and on a file: round trips, durability, threads, migrations."""

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from simulator import store as store_module
from simulator.errors import NotFound, RolecallError
from simulator.store import Store
from simulator.transcript import EndReason

ROOT = Path(__file__).resolve().parents[1]

AWKWARD_TEXTS = [
    "x" * 100_000 + "end",  # a 100 KB message
    "tab\tnew\nline\r\nbell\x07 esc\x1b nul\x00 del\x7f",
    "مرحبا، أريد إلغاء اشتراكي",  # right-to-left
    "\u202eoverride\u202c שלום bună ziua, mulțumesc 🙂",
    "",
    "'; DROP TABLE turns; --",
]


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    s = Store(":memory:" if request.param == "memory" else tmp_path / "sub" / "rolecall.db")
    yield s
    s.close()


def new_session(s: Store, **kw) -> str:
    fields = dict(user="ana", persona_id="irritable-outage", rubric_id="inbound-support",
                  temperament="irritable", call_type="inbound_support")
    return s.create_session(**{**fields, **kw})


# --------------------------------------------------------------- users


def test_users_round_trip_and_login(store):
    assert store.user_count() == 0
    store.add_user("ana", "trainee", "pw-ana-123", group="cohort-1")
    store.add_user("sam", "supervisor", "pw-sam-123")
    assert store.user_count() == 2
    assert store.get_user("ana") == {
        "name": "ana", "role": "trainee", "group": "cohort-1", "active": True,
        "created_at": store.get_user("ana")["created_at"], "language": None, "call_name": None,
    }
    assert [u["name"] for u in store.list_users()] == ["ana", "sam"]
    assert [u["name"] for u in store.list_users(role="supervisor")] == ["sam"]
    assert store.authenticate("ana", "pw-ana-123")["role"] == "trainee"
    assert store.authenticate("ana", "wrong") is None
    assert store.authenticate("nobody", "pw-ana-123") is None
    assert store.get_user("nobody") is None


def test_password_is_stored_as_argon2_hash(store):
    store.add_user("ana", "trainee", "pw-ana-123")
    (stored,) = store.db.conn.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and "pw-ana-123" not in stored
    assert "password_hash" not in store.get_user("ana")


def test_duplicate_user_and_bad_input_refused(store):
    store.add_user("ana", "trainee", "pw")
    with pytest.raises(RolecallError, match="user 'ana' already exists"):
        store.add_user("ana", "trainer", "other")
    with pytest.raises(RolecallError, match="role 'boss'"):
        store.add_user("bob", "boss", "pw")
    with pytest.raises(RolecallError, match="not valid"):
        store.add_user("two words", "trainee", "pw")
    assert store.user_count() == 1


def test_set_password_and_deactivate(store):
    store.add_user("ana", "trainee", "old-pw")
    store.set_password("ana", "new-pw")
    assert store.authenticate("ana", "old-pw") is None
    assert store.authenticate("ana", "new-pw") is not None
    store.set_active("ana", False)
    assert store.authenticate("ana", "new-pw") is None
    with pytest.raises(NotFound, match="'ghost'"):
        store.set_password("ghost", "x")


# --------------------------------------------------------------- persona and rubric versions


def test_persona_and_rubric_versions(store):
    assert store.save_persona_version("p1", "id: p1\nname: A\n", "tom") == 1
    assert store.save_persona_version("p1", "id: p1\nname: B\n", "tom") == 2
    assert store.save_persona_version("p2", "id: p2\n", "eva") == 1
    assert [v["version"] for v in store.persona_versions("p1")] == [1, 2]
    assert store.persona_version("p1", 1)["yaml"] == "id: p1\nname: A\n"
    assert store.persona_version("p1", 3) is None
    latest = store.latest_persona_versions()
    assert {k: v["version"] for k, v in latest.items()} == {"p1": 2, "p2": 1}
    assert latest["p1"]["yaml"].endswith("name: B\n") and latest["p1"]["author"] == "tom"

    assert store.save_rubric_version("inbound-support", "id: inbound-support\n", "tom") == 1
    assert store.save_rubric_version("inbound-support", "id: inbound-support\n# v2\n", "tom") == 2
    assert store.rubric_version("inbound-support", 2)["yaml"].endswith("# v2\n")
    assert store.latest_rubric_versions()["inbound-support"]["version"] == 2
    assert store.latest_persona_versions().keys() == {"p1", "p2"}  # kinds kept apart


# --------------------------------------------------------------- sessions, turns, transcript


def test_session_round_trip(store):
    sid = new_session(store, mode="voice", language="ro", seed=7, exam=True, persona_version=3)
    assert len(sid) == 32 and int(sid, 16) >= 0
    s = store.get_session(sid)
    assert (s["user"], s["mode"], s["language"], s["seed"], s["exam"], s["persona_version"]) == ("ana", "voice", "ro", 7, True, 3)
    assert s["ended_at"] is None and s["passed"] is None
    store.end_session(sid, EndReason.hung_up, 95.5)
    store.end_session(sid, "resolved", 200)  # a call ends once
    s = store.get_session(sid)
    assert (s["end_reason"], s["end_t"]) == ("hung_up", 95.5) and s["ended_at"] >= s["started_at"]
    assert store.get_session("0" * 32) is None


def test_bad_session_values_are_refused(store):
    with pytest.raises(RolecallError, match="mode"):
        new_session(store, mode="video")
    with pytest.raises(RolecallError, match="colour"):
        new_session(store, colour="blue")
    sid = new_session(store)
    with pytest.raises(RolecallError, match="'exploded'"):
        store.end_session(sid, "exploded", 1)
    with pytest.raises(NotFound):
        store.end_session("missing", "resolved", 1)


def test_list_and_count_sessions_filters_newest_first(store):
    ids = {}
    for i, (user, persona, temp) in enumerate(
        [("ana", "p1", "calm"), ("ana", "p2", "irritable"), ("bob", "p1", "calm"), ("bob", "p2", "hesitant")]
    ):
        ids[i] = new_session(store, user=user, persona_id=persona, temperament=temp, started_at=1000.0 + i)
    store.save_score(ids[0], {"rubric": "inbound-support", "total": 90, "passed": True})
    store.save_score(ids[3], {"rubric": "inbound-support", "total": 20, "passed": False})
    store.end_session(ids[0], "resolved", 10)

    assert [s["id"] for s in store.list_sessions()] == [ids[3], ids[2], ids[1], ids[0]]
    assert [s["id"] for s in store.list_sessions(user="ana")] == [ids[1], ids[0]]
    assert [s["id"] for s in store.list_sessions(persona_id="p1", temperament="calm")] == [ids[2], ids[0]]
    assert [s["id"] for s in store.list_sessions(passed=True)] == [ids[0]]
    assert [s["id"] for s in store.list_sessions(passed=False)] == [ids[3]]
    assert [s["id"] for s in store.list_sessions(since=1001, until=1003)] == [ids[2], ids[1]]
    assert [s["id"] for s in store.list_sessions(ended=True)] == [ids[0]]
    assert [s["id"] for s in store.list_sessions(limit=2, offset=1)] == [ids[2], ids[1]]
    assert store.count_sessions() == 4
    assert store.count_sessions(user="bob") == 2
    assert store.count_sessions(call_type="inbound_support", passed=True) == 1
    assert store.count_sessions(user="nobody") == 0


def test_turns_round_trip_awkward_text(store):
    sid = new_session(store)
    state = {"mood": -0.6, "patience": 4, "revealed": ["account_number"], "beat": "complain", "replaced": False}
    for i, text in enumerate(AWKWARD_TEXTS):
        assert store.add_turn(sid, "agent" if i % 2 == 0 else "customer", text, i * 1.5,
                              state=state if i % 2 else None) == i
    turns = store.turns(sid)
    assert [t["text"] for t in turns] == AWKWARD_TEXTS
    assert [t["idx"] for t in turns] == list(range(len(AWKWARD_TEXTS)))
    assert turns[1]["state"] == state and turns[0]["state"] is None
    assert turns[3]["t"] == 4.5
    store.set_turn_audio(sid, 1, "/data/audio/x.wav")
    assert store.turns(sid)[1]["audio"] == "/data/audio/x.wav"
    with pytest.raises(NotFound):
        store.set_turn_audio(sid, 99, "/x.wav")
    with pytest.raises(NotFound, match="session 'nope'"):
        store.add_turn("nope", "agent", "hi", 0)
    with pytest.raises(RolecallError, match="'system'"):
        store.add_turn(sid, "system", "hi", 0)


def test_transcript_from_store(store):
    sid = new_session(store, seed=7, language="ro", mode="voice")
    store.add_turn(sid, "agent", "Bună ziua, cu ce vă pot ajuta?", 0.0)
    store.add_turn(sid, "customer", "Nu merge internetul!", 2.4, audio="/a/1.wav",
                   state={"mood": -0.6, "patience": 4, "revealed": [], "beat": "complain", "replaced": True})
    t = store.transcript(sid)
    assert (t.persona, t.rubric, t.seed, t.language, t.mode, t.end) == (
        "irritable-outage", "inbound-support", 7, "ro", "voice", None)
    assert t.turns[1].state.replaced is True and t.turns[1].audio == "/a/1.wav"
    assert t.turns[0].text == "Bună ziua, cu ce vă pot ajuta?"
    store.end_session(sid, "agent_ended", 30.0)
    data = store.transcript(sid).to_json_dict()
    assert data["end"] == {"reason": "agent_ended", "t": 30.0}
    assert data["turns"][1]["state"]["beat"] == "complain"
    with pytest.raises(NotFound):
        store.transcript("missing")


# --------------------------------------------------------------- scores


def test_scores_latest_wins_history_kept(store):
    sid = new_session(store)
    assert store.get_score(sid) is None
    first = {"rubric": "inbound-support", "total": 40.0, "passed": False, "fatal": ["identity_verification"],
             "criteria": [{"id": "empathy", "feedback": "Say “I'm sorry” — ţ"}]}
    store.save_score(sid, first)
    assert store.get_score(sid) == first
    assert (store.get_session(sid)["total"], store.get_session(sid)["passed"]) == (40.0, False)
    store.save_score(sid, {"rubric": "inbound-support", "total": 81.5, "passed": True})
    assert store.get_score(sid)["total"] == 81.5
    assert (store.get_session(sid)["total"], store.get_session(sid)["passed"]) == (81.5, True)
    assert [h["total"] for h in store.score_history(sid)] == [40.0, 81.5]
    assert store.score_history(sid)[0]["score"] == first
    with pytest.raises(RolecallError, match="total"):
        store.save_score(sid, {"rubric": "x"})
    with pytest.raises(NotFound):
        store.save_score("missing", {"total": 1, "passed": True})


# --------------------------------------------------------------- assignments and readiness


def test_assignments_direct_and_by_group(store):
    store.add_user("ana", "trainee", "pw", group="night-shift")
    store.add_user("bob", "trainee", "pw")
    a1 = store.add_assignment("p1", assigned_by="tom", trainee="ana", due=2000.0, note="twice")
    a2 = store.add_assignment("p2", assigned_by="tom", group="night-shift", due=1000.0)
    a3 = store.add_assignment("p3", assigned_by="tom", trainee="bob")
    assert [a["id"] for a in store.assignments_for("ana")] == [a2, a1]  # soonest due first
    assert [a["id"] for a in store.assignments_for("bob")] == [a3]
    assert store.assignments_for("ana")[1]["note"] == "twice"
    assert {a["id"] for a in store.list_assignments()} == {a1, a2, a3}
    store.delete_assignment(a2)
    assert [a["id"] for a in store.assignments_for("ana")] == [a1]
    with pytest.raises(NotFound):
        store.delete_assignment(a2)
    with pytest.raises(RolecallError, match="trainee or a group"):
        store.add_assignment("p1", assigned_by="tom")


def test_readiness_override_latest_wins_history_kept(store):
    assert store.readiness_override("ana") is None
    store.set_readiness_override("ana", True, "Handled three live-like calls well", "sam")
    store.set_readiness_override("ana", False, "Rude on last call", "sam")
    o = store.readiness_override("ana")
    assert (o["ready"], o["note"], o["by"]) == (False, "Rude on last call", "sam")
    store.clear_readiness_override("ana", "Back to the computed status", "sam")
    assert store.readiness_override("ana") is None
    assert [h["ready"] for h in store.readiness_history("ana")] == [True, False, None]
    with pytest.raises(RolecallError, match="note"):
        store.set_readiness_override("ana", True, "  ", "sam")


# --------------------------------------------------------------- durability, threads, migrations


def test_file_store_uses_wal_and_survives_reopen(tmp_path):
    path = tmp_path / "r.db"
    with Store(path) as s:
        assert s.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        sid = new_session(s)
        s.add_turn(sid, "agent", "hello", 0.0)
    with Store(path) as s:
        assert [t["text"] for t in s.turns(sid)] == ["hello"]


CRASH_SCRIPT = """
import os, signal, sys
from simulator.store import Store
s = Store(sys.argv[1])
sid = s.create_session(user="ana", persona_id="p1")
for i in range(25):
    s.add_turn(sid, "agent" if i % 2 == 0 else "customer", f"line {i}", float(i))
s.save_score(sid, {"total": 55.0, "passed": False})
print(sid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit, no flush of anything
"""


def test_turns_written_before_a_kill_are_there_after_reopen(tmp_path):
    path = tmp_path / "crash.db"
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(path)],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    sid = proc.stdout.strip()
    with Store(path) as s:
        assert [t["text"] for t in s.turns(sid)] == [f"line {i}" for i in range(25)]
        assert s.get_score(sid)["total"] == 55.0
        assert s.add_turn(sid, "agent", "resumed", 30.0) == 25  # the call can go on


def _hammer(stores, shared_sid, own_sids, per_thread=15):
    """20 threads: half write to their own session, half to one shared session."""
    errors = []
    barrier = threading.Barrier(20)

    def work(n):
        s = stores[n % len(stores)]
        sid = shared_sid if n % 2 else own_sids[n]
        try:
            barrier.wait()
            for k in range(per_thread):
                s.add_turn(sid, "agent", f"t{n}-{k}", float(k))
        except Exception as exc:  # collected, so the test shows what went wrong
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.parametrize("where", ["memory", "file", "two-stores-one-file"])
def test_concurrent_turns_lose_and_double_nothing(tmp_path, where):
    if where == "memory":
        stores = [Store(":memory:")]
    else:
        stores = [Store(tmp_path / "c.db") for _ in range(2 if where == "two-stores-one-file" else 1)]
    shared = new_session(stores[0])
    own = {n: new_session(stores[0], user=f"u{n}") for n in range(0, 20, 2)}
    errors = _hammer(stores, shared, own)
    assert errors == []
    check = stores[0]
    shared_turns = check.turns(shared)
    assert [t["idx"] for t in shared_turns] == list(range(10 * 15))
    assert sorted(t["text"] for t in shared_turns) == sorted(f"t{n}-{k}" for n in range(1, 20, 2) for k in range(15))
    for n, sid in own.items():
        assert [t["text"] for t in check.turns(sid)] == [f"t{n}-{k}" for k in range(15)]
    for s in stores:
        s.close()


def test_store_opened_in_one_thread_works_in_another(tmp_path):
    s = Store(tmp_path / "t.db")
    result = []
    th = threading.Thread(target=lambda: result.append(new_session(s)))
    th.start()
    th.join()
    assert s.get_session(result[0])["user"] == "ana"
    s.close()


def test_older_database_is_migrated_on_open(tmp_path):
    path = tmp_path / "old.db"
    from simulator.auth import hash_password

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL)")
    conn.execute("INSERT INTO users VALUES ('ana', 'trainee', ?)", [hash_password("pw-old")])
    conn.commit()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()

    with Store(path) as s:
        assert s.schema_version() == len(store_module.MIGRATIONS)
        user = s.authenticate("ana", "pw-old")
        assert user is not None and user["active"] is True and user["created_at"] > 0
        sid = new_session(s)  # the new tables are there
        s.add_turn(sid, "agent", "hi", 0)
    with Store(path) as s:  # reopening applies nothing twice
        assert s.schema_version() == len(store_module.MIGRATIONS)
        assert s.user_count() == 1 and len(s.turns(sid)) == 1


def test_new_migration_runs_once_in_order(tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    Store(path).close()
    ran = []

    def m2(db):  # the numbers name the order here, not the schema version
        ran.append(2)
        db.execute("ALTER TABLE sessions ADD COLUMN difficulty TEXT")

    def m3(db):
        ran.append(3)
        db.execute("UPDATE sessions SET difficulty = 'hard'")

    before = len(store_module.MIGRATIONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, m2, m3])
    with Store(path) as s:
        assert s.schema_version() == before + 2
        assert "difficulty" in s.db.table("sessions").columns_dict
    Store(path).close()
    assert ran == [2, 3]


def test_newer_database_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RolecallError, match="schema version 99.*upgrade Rolecall"):
        Store(path)


def test_a_file_that_is_not_a_database_gives_one_line_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes, not SQLite " * 100)
    with pytest.raises(RolecallError, match=r"cannot open database .*notes\.txt.*ROLECALL_DB") as e:
        Store(path)
    assert "\n" not in str(e.value)
