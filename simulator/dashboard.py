"""Supervisor and trainee views over the store: sessions table, trends, weak spots,
readiness board, CSV export, and branching a call ("try again from this turn").

No Gradio here: every function returns plain rows or DataFrames, so the app stays a thin
layer and the queries are tested on an in-memory store.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from .errors import NotFound, RolecallError
from .scoring.model import Readiness
from .scoring.readiness import ReadinessPolicy, assess_readiness
from .store import Store

MATRIX_SESSIONS = 2000  # newest scored sessions the weak-spot matrix reads (one score JSON each)
TABLE_LIMIT = 500

SESSION_COLUMNS = ["started", "trainee", "persona", "temperament", "call_type", "mode", "exam", "total", "passed",
                   "end", "id"]


class SessionFilter(BaseModel):
    """The supervisor's filters, as typed in the form (empty strings mean "any")."""

    model_config = ConfigDict(extra="forbid")

    trainee: str | None = None
    persona_id: str | None = None
    temperament: str | None = None
    call_type: str | None = None
    passed: bool | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive

    @field_validator("trainee", "persona_id", "temperament", "call_type", "since", "until", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() or v == "any" else (v.strip() if isinstance(v, str) else v)

    def store_kwargs(self) -> dict[str, Any]:
        return {
            "user": self.trainee, "persona_id": self.persona_id, "temperament": self.temperament,
            "call_type": self.call_type, "passed": self.passed,
            "since": _day(self.since, "from"), "until": _day(self.until, "to", next_day=True),
        }


def _day(text: str | None, field: str, next_day: bool = False) -> float | None:
    if not text:
        return None
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise RolecallError(f"date '{text}' in '{field}' is not valid; write it as YYYY-MM-DD") from None
    return (day + dt.timedelta(days=1 if next_day else 0)).timestamp()


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def session_row(s: dict[str, Any]) -> dict[str, Any]:
    """One session as a table row (what supervisors scan and what the CSV holds)."""
    return {
        "started": _when(s.get("started_at")), "trainee": s["user"], "persona": s["persona_id"],
        "temperament": s.get("temperament") or "", "call_type": s.get("call_type") or "", "mode": s.get("mode"),
        "exam": bool(s.get("exam")), "total": None if s.get("total") is None else round(s["total"], 1),
        "passed": s.get("passed"), "end": s.get("end_reason") or "open", "id": s["id"],
    }


class Dashboard:
    def __init__(self, store: Store):
        self.store = store

    # -- sessions ---------------------------------------------------------------------------
    def sessions(self, filters: SessionFilter | None = None, limit: int = TABLE_LIMIT) -> list[dict[str, Any]]:
        kwargs = (filters or SessionFilter()).store_kwargs()
        return [session_row(s) for s in self.store.list_sessions(**kwargs, limit=limit)]

    def sessions_frame(self, filters: SessionFilter | None = None, limit: int = TABLE_LIMIT) -> pd.DataFrame:
        return pd.DataFrame(self.sessions(filters, limit), columns=SESSION_COLUMNS)

    def export_csv(self, path: Path, filters: SessionFilter | None = None, limit: int = 100_000) -> Path:
        """Sessions with their scores per criterion as CSV (one column per criterion id)."""
        kwargs = (filters or SessionFilter()).store_kwargs()
        rows, criteria = [], []
        for s in self.store.list_sessions(**kwargs, limit=limit):
            row = session_row(s)
            score = self.store.get_score(s["id"]) if s.get("total") is not None else None
            reviews = self.store.criterion_reviews(s["id"]) if score else {}
            for c in (score or {}).get("criteria", []):
                key = f"criterion:{c['id']}"
                if key not in criteria:
                    criteria.append(key)
                row[key] = "" if c.get("score") is None or not c.get("applicable", True) else c["score"]
                r = reviews.get(c["id"])
                if r is not None:  # the supervisor's score beside the automatic one
                    for k in (f"supervisor:{c['id']}", f"supervisor_note:{c['id']}"):
                        if k not in criteria:
                            criteria.append(k)
                    row[f"supervisor:{c['id']}"] = "na" if not r["applicable"] else r["score"]
                    row[f"supervisor_note:{c['id']}"] = r["note"]
            row["fatal"] = ";".join((score or {}).get("fatal", []))
            row["flags"] = ";".join((score or {}).get("flags", []))
            rows.append(row)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=SESSION_COLUMNS + ["fatal", "flags"] + criteria, restval="")
            writer.writeheader()
            writer.writerows(rows)
        return path

    # -- trends ------------------------------------------------------------------------------
    def trend(self, trainee: str | None = None, limit: int = 1000) -> pd.DataFrame:
        """Scored calls in time order: columns call (1, 2, …per trainee), date, total, trainee."""
        scored = [s for s in self.store.list_sessions(user=trainee, ended=True, limit=limit) if s.get("total") is not None]
        scored.sort(key=lambda s: s["started_at"])
        counts: dict[str, int] = defaultdict(int)
        rows = []
        for s in scored:
            counts[s["user"]] += 1
            rows.append({"call": counts[s["user"]], "date": _when(s["started_at"]), "total": round(s["total"], 1),
                         "trainee": s["user"]})
        return pd.DataFrame(rows, columns=["call", "date", "total", "trainee"])

    # -- weak spots -------------------------------------------------------------------------
    def matrix(self, filters: SessionFilter | None = None, limit: int = MATRIX_SESSIONS) -> pd.DataFrame:
        """Rows: criterion ids; columns: customer temperaments; cells: the average share of the
        maximum score (0..1) over applicable, scored criteria. Empty cells are NaN."""
        kwargs = (filters or SessionFilter()).store_kwargs()
        sums: dict[tuple[str, str], list[float]] = defaultdict(list)
        for s in self.store.list_sessions(**kwargs, ended=True, limit=limit):
            if s.get("total") is None:
                continue
            score = self.store.get_score(s["id"]) or {}
            for c in score.get("criteria", []):
                if c.get("applicable", True) and c.get("score") is not None and c.get("max"):
                    sums[(c["id"], s.get("temperament") or "?")].append(c["score"] / c["max"])
        if not sums:
            return pd.DataFrame()
        crit = sorted({k[0] for k in sums})
        temps = sorted({k[1] for k in sums})
        data = {t: [round(sum(v) / len(v), 2) if (v := sums.get((c, t))) else float("nan") for c in crit] for t in temps}
        return pd.DataFrame(data, index=pd.Index(crit, name="criterion"))

    # -- calibration -------------------------------------------------------------------------
    def calibration(self, criterion_id: str | None = None) -> list[dict[str, Any]]:
        """Agreement between the automatic scorer and supervisors' re-scores, one row per
        criterion: n, exact, within_one, kappa (Cohen's). What the insights page shows."""
        from .calibration import agreement

        return list(agreement(self.store.review_pairs(criterion_id)).values())

    def calibration_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.calibration(), columns=["criterion", "n", "exact", "within_one", "kappa"])

    # -- readiness --------------------------------------------------------------------------
    def readiness(self, trainee: str, policy: ReadinessPolicy | None = None) -> Readiness:
        """Why a trainee is or is not ready: the rules over their sessions, or the override."""
        policy = policy or ReadinessPolicy()
        sessions = []
        for i, s in enumerate(self.store.list_sessions(user=trainee, ended=True, limit=1000)):
            # Fatal failures only matter among the newest last_n calls (newest first here):
            # reading every score made the board take seconds over a big history.
            score = self.store.get_score(s["id"]) if s.get("total") is not None and i < policy.last_n else None
            # Dates as datetimes so the reasons read "on 2026-01-31", not a unix time.
            sessions.append({**s, "fatal": (score or {}).get("fatal", []),
                             "started_at": dt.datetime.fromtimestamp(s["started_at"])})
        override = self.store.readiness_override(trainee)
        if override and override.get("created_at"):
            override = {**override, "created_at": dt.datetime.fromtimestamp(override["created_at"])}
        return assess_readiness(sessions, override=override, policy=policy)

    def readiness_board(self, policy: ReadinessPolicy | None = None) -> list[dict[str, Any]]:
        board = []
        for user in self.store.list_users("trainee"):
            r = self.readiness(user["name"], policy)
            override = self.store.readiness_override(user["name"])
            board.append({
                "trainee": user["name"], "group": user.get("group") or "", "ready": r.ready,
                "source": r.source, "reasons": r.reasons, "counts": r.counts,
                "conditions": [c.model_dump() for c in r.conditions],
                "override_note": (override or {}).get("note", ""), "override_by": (override or {}).get("by", ""),
            })
        return board

    # -- branching ----------------------------------------------------------------------------
    def branch(self, session_id: str, upto_turn: int, user: str) -> str:
        """A new session with the same persona (version), rubric and seed whose first
        `upto_turn` turns are copied; the trainee continues from there.

        The copy stops before an agent turn so the trainee speaks next (a customer line
        that answered the dropped agent turn would make no sense)."""
        src = self.store.get_session(session_id)
        if src is None or src["user"] != user:
            raise NotFound(f"session '{session_id}' not found")
        turns = self.store.turns(session_id)
        if not 0 <= upto_turn <= len(turns):
            raise RolecallError(f"turn {upto_turn} is not in this call; pick 0 to {len(turns)}")
        keep = turns[:upto_turn]
        while keep and keep[-1]["role"] == "agent":
            keep.pop()
        new_id = self.store.create_session(
            user=user, persona_id=src["persona_id"], persona_version=src.get("persona_version"),
            rubric_id=src.get("rubric_id"), temperament=src.get("temperament"), call_type=src.get("call_type"),
            language=src["language"], mode=src["mode"], seed=src.get("seed"), exam=bool(src.get("exam")),
            parent_id=session_id, branch_turn=len(keep),
        )
        with self.store.batch():
            for t in keep:
                self.store.add_turn(new_id, t["role"], t["text"], t["t"], state=t["state"], audio=t["audio"])
        return new_id
