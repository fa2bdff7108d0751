"""The labelled paraphrase set behind bench/understanding.py: valid, and heard as well as measured.

The figures themselves (and how honest each split's is) are in docs/benchmarks.md; this test
fails when a change to the listener or its vocabularies makes the whole set heard worse.
"""

import sys
from pathlib import Path

from simulator.listener import LABELS
from simulator.loader import load_persona

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import understanding  # noqa: E402  (bench/understanding.py)


def test_every_line_names_a_real_persona_fact_and_objection_and_marks_its_questions():
    items = understanding.load_items()
    assert len(items) >= 200
    personas = {}
    for source, item in items:
        p = personas.setdefault(item.persona, load_persona(ROOT / "personas" / f"{item.persona}.yaml"))
        facts, objections = {f.id for f in p.facts}, {o.id for o in p.objections}
        for label in item.hears + item.not_:
            kind, _, ref = label.partition(":")
            if kind == "asked":
                assert ref in facts, (source, item.text, label)
            elif kind == "answered":
                assert ref in objections, (source, item.text, label)
            else:
                assert label in LABELS, (source, item.text, label)
        assert ("question" in item.hears) == ("?" in item.text), (source, item.text)
        assert not set(item.hears) & set(item.not_), (source, item.text)
    assert {p.language for p in personas.values()} == {"en", "ro"} and len(personas) >= 8


def test_the_set_is_heard_at_least_as_well_as_when_it_was_last_measured(monkeypatch):
    # The vocabulary alone (the floor the meaning step builds on; 800 lines through the
    # embedding model take minutes on a busy 2-core machine: bench/understanding.py has those
    # figures, tests/test_listener_sense.py the step itself).
    monkeypatch.setenv("ROLECALL_UNDERSTANDING", "rules")
    items = understanding.load_items()
    figures = understanding.score([x for x in items if not x[0].endswith("fresh5")])
    assert figures["recall"] >= 0.93
    assert figures["false_positive_rate"] <= 0.06
    # fresh5, written blind with many look-alikes, measured untouched at 0.886 / 0.206 (targets
    # 0.95 / 0.04, missed): it must not get worse either.
    fresh5 = understanding.score([x for x in items if x[0].endswith("fresh5")])
    assert fresh5["recall"] >= 0.88
    assert fresh5["false_positive_rate"] <= 0.21


def test_the_blind_sets_name_real_personas_facts_and_objections():
    import yaml

    for folder in ("blind", "blind2"):
        paths = sorted((understanding.DATA / folder).glob("*.yaml"))
        assert paths, folder
        for path in paths:
            for pid, rows in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                p = load_persona(ROOT / "personas" / f"{pid}.yaml")
                facts, objections = {f.id for f in p.facts}, {o.id for o in p.objections}
                for row in rows:
                    assert set(row.get("asks") or []) <= facts, (path.name, row["line"])
                    assert set(row.get("answers") or []) <= objections, (path.name, row["line"])
