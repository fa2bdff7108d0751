"""The `rolecall` command as a person uses it: contracts, and one-line errors, never tracebacks."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROLECALL_DB", str(tmp_path / "r.db"))
    monkeypatch.setenv("ROLECALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROLECALL_CACHE_DIR", str(tmp_path / "cache"))


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_selfplay_prints_the_transcript_contract(capsys):
    code, out, _ = run(capsys, "selfplay", "--persona", "irritable-outage", "--agent", "rude", "--seed", "7",
                       "--no-llm", "--json")
    assert code == 0
    tr = json.loads(out)
    assert tr["persona"] == "irritable-outage" and tr["seed"] == 7 and tr["language"] == "en"
    assert tr["end"]["reason"] == "hung_up"
    cust = [t for t in tr["turns"] if t["role"] == "customer"]
    assert {"mood", "patience", "revealed", "beat", "replaced"} <= set(cust[0]["state"])
    assert all(isinstance(t["t"], float) for t in tr["turns"])


def test_validate_builtins_and_a_misspelt_field(capsys, tmp_path):
    assert run(capsys, "validate")[0] == 0
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "personas" / "irritable-outage.yaml").read_text()
    bad.write_text(text.replace("\ntemperament:", "\ntemperment:"))
    line = next(i for i, x in enumerate(bad.read_text().splitlines(), 1) if x.startswith("temperment:"))
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 1
    assert f"{bad}:{line}: temperment:" in out and "temperament" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize("content, expect", [
    (None, "file not found"),
    ("{not json", "not valid JSON"),
    ('{"persona": "irritable-outage", "turns": [{"role": "boss", "text": "hi"}]}', "turns.0.role"),
])
def test_score_bad_input_is_one_line(capsys, tmp_path, content, expect):
    f = tmp_path / "t.json"
    if content is not None:
        f.write_text(content)
    code, out, err = run(capsys, "score", str(f), "--judge", "none", "--json")
    assert code == 1 and expect in err and len(err.strip().splitlines()) == 1


def test_unknown_persona_is_one_line(capsys):
    code, _, err = run(capsys, "selfplay", "--persona", "nobody", "--agent", "good", "--no-llm")
    assert code == 1 and "nobody" in err and len(err.strip().splitlines()) == 1


def test_users_add_reads_password_from_stdin_and_export(tmp_path):
    env = {"ROLECALL_DB": str(tmp_path / "r.db"), "ROLECALL_DATA_DIR": str(tmp_path / "d"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "users", "add", "maria", "--role", "trainee"],
                       input="correct horse battery\n", capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    from simulator.store import Store
    assert Store(tmp_path / "r.db").authenticate("maria", "correct horse battery")["role"] == "trainee"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "users", "add", "maria", "--role", "trainee"],
                       input="correct horse battery\n", capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 1 and "already exists" in r.stderr and "Traceback" not in r.stderr


def test_readme_documents_every_command_and_setting():
    readme = (ROOT / "README.md").read_text()
    from simulator.cli import build_parser
    from simulator.config import VARIABLES
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert re.search(rf"`rolecall {name}\b", readme), f"README does not mention `rolecall {name}`"
    for var in VARIABLES.values():
        if var not in ("ROLECALL_LLM_TIMEOUT", "ROLECALL_CACHE_DIR"):
            assert var in readme, f"README does not mention {var}"
    assert readme.splitlines()[3].startswith("make run") and readme.splitlines()[4].startswith("make test")


def test_users_get_a_page_language_when_added_and_later(capsys, tmp_path, monkeypatch):
    from simulator.store import Store

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert run(capsys, "users", "add", "ioana", "--role", "trainee", "--language", "ro")[0] == 0
    assert Store(tmp_path / "r.db").get_user("ioana")["language"] == "ro"
    code, out, _ = run(capsys, "users", "language", "ioana", "default")
    assert code == 0 and "ioana" in out
    assert Store(tmp_path / "r.db").get_user("ioana")["language"] is None
    code, _, err = run(capsys, "users", "language", "nobody", "en")
    assert code == 1 and "nobody" in err and "Traceback" not in err
