"""The SQLite store: accounts, persona/rubric versions, sessions, turns, scores,
supervisors' re-scores per criterion, assignments and readiness overrides.

One `Store` holds one connection, shared by all threads behind one lock: Gradio runs
handlers in worker threads and a connection is tied to the thread that opened it unless
`check_same_thread=False`. Every write is its own `BEGIN IMMEDIATE` transaction and is
committed before the method returns, so a turn written before a crash is there after a
restart; IMMEDIATE takes SQLite's write lock up front, which also makes "next index"
assignment atomic across processes sharing the file.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, ValidationError

from simulator import auth
from simulator.errors import NotFound, RolecallError
from simulator.transcript import LANGUAGES, CustomerState, End, EndReason, Transcript, Turn

CALL_NAME_MAX = 60
_A_NAME = re.compile(r"[^\W\d_]+(?:[ '’.-][^\W\d_]+)*\.?")  # letters, as in Ana-Maria Pop or O'Neill

MEMORY = ":memory:"
BUSY_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------- schema


def _m1_base(db: sqlite_utils.Database) -> None:
    """The first schema. Adopts a pre-versioning database that only had a users table."""
    users = db.table("users")
    if users.exists():
        cols = users.columns_dict
        if "created_at" not in cols:
            users.add_column("created_at", float)
            db.execute("UPDATE users SET created_at = ? WHERE created_at IS NULL", [time.time()])
        if "group_name" not in cols:
            users.add_column("group_name", str)
        if "active" not in cols:
            users.add_column("active", int, not_null_default=1)
    else:
        users.create(
            {"name": str, "role": str, "password_hash": str, "created_at": float, "group_name": str, "active": int},
            pk="name",
            not_null={"role", "password_hash", "created_at", "active"},
            defaults={"active": 1},
        )
    for kind in ("persona", "rubric"):
        db.table(f"{kind}_versions").create(
            {f"{kind}_id": str, "version": int, "yaml": str, "author": str, "created_at": float},
            pk=(f"{kind}_id", "version"),
            not_null={"yaml", "created_at"},
        )
    db.table("sessions").create(
        {
            "id": str, "user": str, "persona_id": str, "persona_version": int, "rubric_id": str,
            "temperament": str, "call_type": str, "language": str, "mode": str, "seed": int,
            "exam": int, "started_at": float, "ended_at": float, "end_reason": str, "end_t": float,
            "total": float, "passed": int, "parent_id": str, "branch_turn": int,
        },
        pk="id",
        not_null={"user", "persona_id", "language", "mode", "exam", "started_at"},
        defaults={"exam": 0},
    )
    db.table("turns").create(
        {"session_id": str, "idx": int, "role": str, "text": str, "t": float, "state": str, "audio": str},
        pk=("session_id", "idx"),
        not_null={"role", "text", "t"},
    )
    score_cols = {"session_id": str, "rubric_id": str, "total": float, "passed": int, "score": str, "created_at": float}
    db.table("scores").create(score_cols, pk="session_id", not_null={"score", "created_at"})
    # Every scoring run, so a re-score never loses the earlier result.
    db.table("scores_history").create({"id": int, **score_cols}, pk="id", not_null={"session_id", "score"})
    db.table("assignments").create(
        {
            "id": int, "persona_id": str, "trainee": str, "group_name": str, "due": float,
            "assigned_by": str, "created_at": float, "note": str,
        },
        pk="id",
        not_null={"persona_id", "created_at"},
    )
    db.table("readiness_overrides").create(
        {"id": int, "trainee": str, "ready": int, "note": str, "by": str, "created_at": float},
        pk="id",
        not_null={"trainee", "created_at"},
    )
    # The dashboard filters, each ending in started_at so "newest first" reads the index in order.
    for cols in (["started_at"], ["user", "started_at"], ["persona_id", "started_at"],
                 ["temperament", "started_at"], ["call_type", "started_at"], ["passed", "started_at"]):
        db.table("sessions").create_index(cols, find_unique_name=True)
    db.table("sessions").create_index(["parent_id"], find_unique_name=True)
    db.table("scores_history").create_index(["session_id", "id"], find_unique_name=True)
    db.table("assignments").create_index(["trainee"], find_unique_name=True)
    db.table("assignments").create_index(["group_name"], find_unique_name=True)
    db.table("readiness_overrides").create_index(["trainee", "id"], find_unique_name=True)


def _m2_user_language(db: sqlite_utils.Database) -> None:
    """Each user's language for the app's pages (NULL: the language the app was started in)."""
    db.table("users").add_column("language", str)


def _m3_criterion_reviews(db: sqlite_utils.Database) -> None:
    """Supervisors' scores for single criteria of a call (calibration), kept beside the automatic
    score: every review is a row, the latest per (session, criterion) counts."""
    db.table("criterion_reviews").create(
        {"id": int, "session_id": str, "criterion_id": str, "auto_score": int, "score": int, "max": int,
         "applicable": int, "note": str, "by": str, "created_at": float},
        pk="id",
        not_null={"session_id", "criterion_id", "applicable", "note", "by", "created_at"},
    )
    db.table("criterion_reviews").create_index(["session_id", "criterion_id", "id"], find_unique_name=True)
    db.table("criterion_reviews").create_index(["criterion_id", "id"], find_unique_name=True)


def _m4_user_call_name(db: sqlite_utils.Database) -> None:
    """The name each trainee gives on calls ("my name is Ana"), for the speech recogniser (NULL:
    taken from the account's name when that is a person's name)."""
    db.table("users").add_column("call_name", str)


# Ordered; PRAGMA user_version holds how many have been applied. Append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m1_base, _m2_user_language, _m3_criterion_reviews,
                                                             _m4_user_call_name]


# --------------------------------------------------------------------------- input models


class NewSession(BaseModel):
    """What `create_session` accepts; validated so a bad value fails at the call, not later."""

    model_config = ConfigDict(extra="forbid")

    user: str
    persona_id: str
    persona_version: int | None = None
    rubric_id: str | None = None
    temperament: str | None = None
    call_type: str | None = None
    language: Literal["en", "ro"] = "en"
    mode: Literal["text", "voice"] = "text"
    seed: int | None = None
    exam: bool = False
    started_at: float | None = None
    parent_id: str | None = None
    branch_turn: int | None = None


# --------------------------------------------------------------------------- the store


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            self._open()
        except (OSError, sqlite3.DatabaseError) as exc:
            if hasattr(self, "db"):
                self.db.close()
            raise RolecallError(f"cannot open database {self.path}: {exc}; check ROLECALL_DB") from None

    def _open(self) -> None:
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no hidden transactions; each method opens and commits its own.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if self.path != MEMORY:
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL survives a killed process (what the product must survive);
            # only an OS crash or power loss could lose the last commits.
            conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    # -- plumbing

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite_utils.Database]:
        """One committed transaction holding SQLite's write lock (nested calls join it)."""
        with self._lock:
            if self.db.conn.in_transaction:
                yield self.db
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.conn.execute("ROLLBACK")
                raise
            self.db.conn.execute("COMMIT")

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one transaction (imports, seeding benchmarks)."""
        with self._write():
            yield

    def _rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.db.conn.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    def _one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RolecallError(
                    f"database {self.path} has schema version {version}, newer than this Rolecall "
                    f"knows ({len(MIGRATIONS)}); upgrade Rolecall or point ROLECALL_DB elsewhere"
                )
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(db)
                db.conn.execute(f"PRAGMA user_version = {number}")

    def schema_version(self) -> int:
        with self._lock:
            return self.db.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- users

    def add_user(self, name: str, role: auth.Role | str, password: str, group: str | None = None,
                 language: str | None = None) -> dict[str, Any]:
        name = _name(name)
        role = auth.Role.parse(role)
        language = _language(language)
        password_hash = auth.hash_password(password)  # slow: outside the lock
        with self._write() as db:
            if db.conn.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
                raise RolecallError(f"user '{name}' already exists; pick another name or reset their password")
            db.conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at, group_name, active, language)"
                " VALUES (?, ?, ?, ?, ?, 1, ?)",
                [name, role.value, password_hash, time.time(), group, language],
            )
        return self._user_or_raise(name)

    def authenticate(self, name: str, password: str) -> dict[str, Any] | None:
        """The user when name and password match an active account, else None."""
        row = self._one("SELECT * FROM users WHERE name = ?", [name.strip()])
        if row is None:
            auth.burn_verify_time(password)
            return None
        if not auth.verify_password(row["password_hash"], password) or not row["active"]:
            return None
        if auth.needs_rehash(row["password_hash"]):
            self.set_password(row["name"], password)
        return _user(row)

    def get_user(self, name: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM users WHERE name = ?", [name])
        return _user(row) if row else None

    def list_users(self, role: auth.Role | str | None = None) -> list[dict[str, Any]]:
        if role is None:
            rows = self._rows("SELECT * FROM users ORDER BY name")
        else:
            rows = self._rows("SELECT * FROM users WHERE role = ? ORDER BY name", [auth.Role.parse(role).value])
        return [_user(r) for r in rows]

    def set_password(self, name: str, password: str) -> None:
        password_hash = auth.hash_password(password)
        with self._write() as db:
            if not db.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name]).rowcount:
                raise NotFound(f"user '{name}' does not exist")

    def set_language(self, name: str, language: str | None) -> None:
        """The language of the app's pages for this user (None: the app's own)."""
        language = _language(language)
        with self._write() as db:
            if not db.conn.execute("UPDATE users SET language = ? WHERE name = ?", [language, name]).rowcount:
                raise NotFound(f"user '{name}' does not exist")

    def set_call_name(self, name: str, call_name: str | None) -> None:
        """The name this user gives on calls (None or "": none given)."""
        call_name = " ".join((call_name or "").split()) or None
        if call_name is not None and (len(call_name) > CALL_NAME_MAX or not _A_NAME.fullmatch(call_name)):
            raise RolecallError(f"name on calls '{call_name[:CALL_NAME_MAX]}' is not a name; give the name you say in "
                                f"your greeting, in letters, up to {CALL_NAME_MAX} characters (e.g. Ana or Ana-Maria Pop)")
        with self._write() as db:
            if not db.conn.execute("UPDATE users SET call_name = ? WHERE name = ?", [call_name, name]).rowcount:
                raise NotFound(f"user '{name}' does not exist")

    def set_active(self, name: str, active: bool) -> None:
        """Deactivated users cannot log in; their sessions stay."""
        with self._write() as db:
            if not db.conn.execute("UPDATE users SET active = ? WHERE name = ?", [int(active), name]).rowcount:
                raise NotFound(f"user '{name}' does not exist")

    def set_group(self, name: str, group: str | None) -> None:
        with self._write() as db:
            if not db.conn.execute("UPDATE users SET group_name = ? WHERE name = ?", [group, name]).rowcount:
                raise NotFound(f"user '{name}' does not exist")

    def user_count(self) -> int:
        return self._rows("SELECT count(*) AS n FROM users")[0]["n"]

    def _user_or_raise(self, name: str) -> dict[str, Any]:
        user = self.get_user(name)
        if user is None:
            raise NotFound(f"user '{name}' does not exist")
        return user

    # -- persona and rubric versions

    def save_persona_version(self, persona_id: str, yaml_text: str, author: str | None) -> int:
        return self._save_version("persona", persona_id, yaml_text, author)

    def persona_versions(self, persona_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM persona_versions WHERE persona_id = ? ORDER BY version", [persona_id])

    def persona_version(self, persona_id: str, version: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM persona_versions WHERE persona_id = ? AND version = ?", [persona_id, version])

    def latest_persona_versions(self) -> dict[str, dict[str, Any]]:
        return self._latest("persona")

    def save_rubric_version(self, rubric_id: str, yaml_text: str, author: str | None) -> int:
        return self._save_version("rubric", rubric_id, yaml_text, author)

    def rubric_versions(self, rubric_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM rubric_versions WHERE rubric_id = ? ORDER BY version", [rubric_id])

    def rubric_version(self, rubric_id: str, version: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM rubric_versions WHERE rubric_id = ? AND version = ?", [rubric_id, version])

    def latest_rubric_versions(self) -> dict[str, dict[str, Any]]:
        return self._latest("rubric")

    def _save_version(self, kind: str, item_id: str, yaml_text: str, author: str | None) -> int:
        if not item_id:
            raise RolecallError(f"{kind} id is empty; set 'id' in the {kind} file")
        with self._write() as db:
            return db.conn.execute(
                f"INSERT INTO {kind}_versions ({kind}_id, version, yaml, author, created_at) "
                f"SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ? FROM {kind}_versions WHERE {kind}_id = ? "
                "RETURNING version",
                [item_id, yaml_text, author, time.time(), item_id],
            ).fetchone()[0]

    def _latest(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self._rows(
            f"SELECT v.* FROM {kind}_versions v JOIN (SELECT {kind}_id, MAX(version) AS version "
            f"FROM {kind}_versions GROUP BY {kind}_id) m USING ({kind}_id, version) ORDER BY v.{kind}_id"
        )
        return {r[f"{kind}_id"]: r for r in rows}

    # -- sessions

    def create_session(self, **fields: Any) -> str:
        """A new session (see `NewSession` for the fields); returns its id."""
        try:
            new = NewSession(**fields)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise RolecallError(f"session {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
        row = new.model_dump()
        row["id"] = uuid.uuid4().hex
        row["started_at"] = time.time() if new.started_at is None else new.started_at
        row["exam"] = int(new.exam)
        with self._write() as db:
            db.conn.execute(
                f"INSERT INTO sessions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
            )
        return row["id"]

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM sessions WHERE id = ?", [session_id])
        return _session(row) if row else None

    def end_session(self, session_id: str, reason: EndReason | str, t: float) -> None:
        """Record how the call ended. A session ends once: later calls change nothing."""
        try:
            reason = EndReason(reason)
        except ValueError:
            allowed = ", ".join(r.value for r in EndReason)
            raise RolecallError(f"end reason '{reason}' is not valid; use one of: {allowed}") from None
        with self._write() as db:
            self._require_session(session_id)
            db.conn.execute(
                "UPDATE sessions SET ended_at = ?, end_reason = ?, end_t = ? WHERE id = ? AND ended_at IS NULL",
                [time.time(), reason.value, float(t), session_id],
            )

    def list_sessions(
        self,
        user: str | None = None,
        persona_id: str | None = None,
        temperament: str | None = None,
        call_type: str | None = None,
        passed: bool | None = None,
        since: float | None = None,
        until: float | None = None,
        ended: bool | None = None,
        exam: bool | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Sessions newest first. `since`/`until` are unix times on started_at ([since, until))."""
        where, params = _session_filter(user, persona_id, temperament, call_type, passed, since, until, ended, exam)
        rows = self._rows(
            f"SELECT * FROM sessions {where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
            params + [int(limit), int(offset)],
        )
        return [_session(r) for r in rows]

    def count_sessions(
        self,
        user: str | None = None,
        persona_id: str | None = None,
        temperament: str | None = None,
        call_type: str | None = None,
        passed: bool | None = None,
        since: float | None = None,
        until: float | None = None,
        ended: bool | None = None,
        exam: bool | None = None,
    ) -> int:
        where, params = _session_filter(user, persona_id, temperament, call_type, passed, since, until, ended, exam)
        return self._rows(f"SELECT count(*) AS n FROM sessions {where}", params)[0]["n"]

    def _require_session(self, session_id: str) -> None:
        if not self.db.conn.execute("SELECT 1 FROM sessions WHERE id = ?", [session_id]).fetchone():
            raise NotFound(f"session '{session_id}' does not exist")

    # -- turns

    def add_turn(
        self,
        session_id: str,
        role: str,
        text: str,
        t: float,
        state: Mapping[str, Any] | BaseModel | None = None,
        audio: str | None = None,
    ) -> int:
        """Append a turn; returns its index (0, 1, ...), assigned atomically."""
        if role not in ("agent", "customer"):
            raise RolecallError(f"turn role '{role}' is not valid; use 'agent' or 'customer'")
        if not isinstance(text, str):
            raise RolecallError(f"turn text must be a string, got {type(text).__name__}")
        state_json = None if state is None else _json(state)
        with self._write() as db:
            self._require_session(session_id)
            return db.conn.execute(
                "INSERT INTO turns (session_id, idx, role, text, t, state, audio) "
                "SELECT ?, COALESCE(MAX(idx), -1) + 1, ?, ?, ?, ?, ? FROM turns WHERE session_id = ? RETURNING idx",
                [session_id, role, text, float(t), state_json, audio, session_id],
            ).fetchone()[0]

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM turns WHERE session_id = ? ORDER BY idx", [session_id])
        for r in rows:
            r["state"] = None if r["state"] is None else json.loads(r["state"])
        return rows

    def set_turn_audio(self, session_id: str, idx: int, path: str | Path | None) -> None:
        self._set_turn(session_id, idx, "audio", None if path is None else str(path))

    def set_turn_time(self, session_id: str, idx: int, t: float) -> None:
        self._set_turn(session_id, idx, "t", float(t))

    def set_turn_state(self, session_id: str, idx: int, state: Mapping[str, Any] | BaseModel | None) -> None:
        """Replace one turn's state (e.g. mark a customer line as cut off)."""
        self._set_turn(session_id, idx, "state", None if state is None else _json(state))

    def _set_turn(self, session_id: str, idx: int, column: str, value: Any) -> None:
        with self._write() as db:
            cur = db.conn.execute(f"UPDATE turns SET {column} = ? WHERE session_id = ? AND idx = ?",
                                  [value, session_id, idx])
            if not cur.rowcount:
                raise NotFound(f"turn {idx} of session '{session_id}' does not exist")

    def transcript(self, session_id: str) -> Transcript:
        """The session as the transcript JSON contract (what scoring and review read)."""
        with self._lock:  # session and turns from one consistent moment
            session = self.get_session(session_id)
            if session is None:
                raise NotFound(f"session '{session_id}' does not exist")
            turns = self.turns(session_id)
        end = None
        if session["end_reason"] is not None:
            end = End(reason=EndReason(session["end_reason"]), t=session["end_t"] or 0.0)
        return Transcript(
            persona=session["persona_id"],
            rubric=session["rubric_id"],
            seed=session["seed"],
            language=session["language"],
            mode=session["mode"],
            turns=[
                Turn(
                    role=r["role"],
                    text=r["text"],
                    t=r["t"],
                    state=None if r["state"] is None else CustomerState.model_validate(r["state"]),
                    audio=r["audio"],
                )
                for r in turns
            ],
            end=end,
        )

    # -- scores

    def save_score(self, session_id: str, score: Mapping[str, Any] | BaseModel) -> None:
        """Store the score JSON (latest wins; every run kept in scores_history) and copy
        total/passed onto the session for the dashboard."""
        data = score.model_dump(mode="json") if isinstance(score, BaseModel) else dict(score)
        total, passed = data.get("total"), data.get("passed")
        if not isinstance(total, (int, float)) or not isinstance(passed, bool):
            raise RolecallError(f"score for session '{session_id}' needs a numeric 'total' and a true/false 'passed'")
        row = [session_id, data.get("rubric"), float(total), int(passed), _json(data), time.time()]
        with self._write() as db:
            self._require_session(session_id)
            cols = "session_id, rubric_id, total, passed, score, created_at"
            db.conn.execute(f"INSERT INTO scores_history ({cols}) VALUES (?, ?, ?, ?, ?, ?)", row)
            db.conn.execute(f"INSERT OR REPLACE INTO scores ({cols}) VALUES (?, ?, ?, ?, ?, ?)", row)
            db.conn.execute("UPDATE sessions SET total = ?, passed = ? WHERE id = ?", [float(total), int(passed), session_id])

    def get_score(self, session_id: str) -> dict[str, Any] | None:
        """The latest score JSON of the session, as saved."""
        row = self._one("SELECT score FROM scores WHERE session_id = ?", [session_id])
        return None if row is None else json.loads(row["score"])

    def score_history(self, session_id: str) -> list[dict[str, Any]]:
        """Every scoring run, oldest first: {created_at, total, passed, score}."""
        rows = self._rows(
            "SELECT created_at, total, passed, score FROM scores_history WHERE session_id = ? ORDER BY id", [session_id]
        )
        return [{**r, "passed": bool(r["passed"]), "score": json.loads(r["score"])} for r in rows]

    # -- calibration: supervisors' scores per criterion

    def add_criterion_review(self, session_id: str, criterion_id: str, score: int | None, note: str, by: str,
                             *, auto_score: int | None = None, max_score: int | None = None) -> int:
        """A supervisor's score for one criterion of a call (None: not applicable), with why.
        The automatic score it is compared with is kept in the row as it was then."""
        if not note or not note.strip():
            raise RolecallError(f"re-scoring '{criterion_id}' needs a note saying why")
        with self._write() as db:
            self._require_session(session_id)
            return db.conn.execute(
                "INSERT INTO criterion_reviews (session_id, criterion_id, auto_score, score, max, applicable, note, by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [session_id, criterion_id, auto_score, score, max_score, int(score is not None), note.strip(), by,
                 time.time()],
            ).fetchone()[0]

    def criterion_reviews(self, session_id: str) -> dict[str, dict[str, Any]]:
        """The review in force per criterion of a session (the latest): criterion id -> row."""
        rows = self._rows("SELECT * FROM criterion_reviews WHERE session_id = ? ORDER BY id", [session_id])
        return {r["criterion_id"]: {**r, "applicable": bool(r["applicable"])} for r in rows}

    def review_pairs(self, criterion_id: str | None = None, limit: int = 100_000) -> list[dict[str, Any]]:
        """(automatic, supervisor) score pairs: the latest review per session and criterion, newest
        first, with the session's persona and trainee."""
        where, params = ("WHERE r.criterion_id = ?", [criterion_id]) if criterion_id else ("", [])
        return self._rows(
            "SELECT r.session_id, r.criterion_id, r.auto_score, r.score, r.max, r.applicable, r.note, r.by, "
            "r.created_at, s.user, s.persona_id FROM criterion_reviews r "
            "JOIN (SELECT MAX(id) AS id FROM criterion_reviews GROUP BY session_id, criterion_id) m USING (id) "
            f"JOIN sessions s ON s.id = r.session_id {where} ORDER BY r.id DESC LIMIT ?",
            params + [int(limit)],
        )

    # -- assignments

    def add_assignment(
        self,
        persona_id: str,
        assigned_by: str,
        trainee: str | None = None,
        group: str | None = None,
        due: float | None = None,
        note: str = "",
    ) -> int:
        """Assign practice with a persona to one trainee or to a group; returns its id."""
        if not trainee and not group:
            raise RolecallError(f"assignment of '{persona_id}' needs a trainee or a group")
        with self._write() as db:
            return db.conn.execute(
                "INSERT INTO assignments (persona_id, trainee, group_name, due, assigned_by, created_at, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [persona_id, trainee, group, due, assigned_by, time.time(), note],
            ).fetchone()[0]

    def assignments_for(self, user: str) -> list[dict[str, Any]]:
        """Assignments given to the user directly or to their group; soonest due first."""
        return self._rows(
            "SELECT * FROM assignments WHERE trainee = ? "
            "OR group_name = (SELECT group_name FROM users WHERE name = ?) "
            "ORDER BY due IS NULL, due, id",
            [user, user],
        )

    def list_assignments(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM assignments ORDER BY id DESC")

    def delete_assignment(self, assignment_id: int) -> None:
        with self._write() as db:
            if not db.conn.execute("DELETE FROM assignments WHERE id = ?", [assignment_id]).rowcount:
                raise NotFound(f"assignment {assignment_id} does not exist")

    # -- readiness overrides

    def set_readiness_override(self, trainee: str, ready: bool, note: str, by: str) -> int:
        """A supervisor grants (ready=True) or revokes readiness; the note is required."""
        return self._add_override(trainee, int(bool(ready)), note, by)

    def clear_readiness_override(self, trainee: str, note: str, by: str) -> int:
        """Back to the computed readiness (kept in the history like any override)."""
        return self._add_override(trainee, None, note, by)

    def readiness_override(self, trainee: str) -> dict[str, Any] | None:
        """The override in force (the latest one), or None when there is none or it was cleared."""
        row = self._one("SELECT * FROM readiness_overrides WHERE trainee = ? ORDER BY id DESC LIMIT 1", [trainee])
        if row is None or row["ready"] is None:
            return None
        return {**row, "ready": bool(row["ready"])}

    def readiness_history(self, trainee: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM readiness_overrides WHERE trainee = ? ORDER BY id", [trainee])
        return [{**r, "ready": None if r["ready"] is None else bool(r["ready"])} for r in rows]

    def _add_override(self, trainee: str, ready: int | None, note: str, by: str) -> int:
        if not note or not note.strip():
            raise RolecallError(f"readiness override for '{trainee}' needs a note saying why")
        with self._write() as db:
            return db.conn.execute(
                "INSERT INTO readiness_overrides (trainee, ready, note, by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                [trainee, ready, note, by, time.time()],
            ).fetchone()[0]


# --------------------------------------------------------------------------- helpers


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or any(c.isspace() or not c.isprintable() for c in name):
        raise RolecallError(f"user name {name!r} is not valid; use letters, digits, '.', '-' or '_' without spaces")
    return name


def _json(value: Mapping[str, Any] | BaseModel) -> str:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return json.dumps(data, ensure_ascii=False)


def _user(row: Mapping[str, Any]) -> dict[str, Any]:
    """A user row without the password hash: nothing outside this module needs it."""
    return {
        "name": row["name"],
        "role": row["role"],
        "group": row["group_name"],
        "active": bool(row["active"]),
        "created_at": row["created_at"],
        "language": row["language"],
        "call_name": row["call_name"],
    }


def _language(language: str | None) -> str | None:
    if language is not None and language not in LANGUAGES:
        raise RolecallError(f"language '{language}' is not one Rolecall speaks; use one of: {', '.join(LANGUAGES)}")
    return language


def _session(row: dict[str, Any]) -> dict[str, Any]:
    row["exam"] = bool(row["exam"])
    row["passed"] = None if row["passed"] is None else bool(row["passed"])
    return row


def _session_filter(
    user: str | None,
    persona_id: str | None,
    temperament: str | None,
    call_type: str | None,
    passed: bool | None,
    since: float | None,
    until: float | None,
    ended: bool | None,
    exam: bool | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("user", user), ("persona_id", persona_id), ("temperament", temperament), ("call_type", call_type)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    for column, value in (("passed", passed), ("exam", exam)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(int(value))
    if since is not None:
        clauses.append("started_at >= ?")
        params.append(float(since))
    if until is not None:
        clauses.append("started_at < ?")
        params.append(float(until))
    if ended is not None:
        clauses.append("ended_at IS NOT NULL" if ended else "ended_at IS NULL")
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params
