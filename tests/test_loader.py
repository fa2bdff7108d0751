"""Loading persona/rubric YAML: every problem is one `file:line: field: message` line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.errors import ValidationFailed
from simulator.loader import load_model, load_text, main_validate, validate_paths
from simulator.persona import Persona
from simulator.rubric import Rubric

BAD = Path(__file__).parent / "data" / "bad"
REPO = Path(__file__).resolve().parent.parent

GOOD_PERSONA = """\
id: good-one
name: Pat Example
temperament: calm
call_type: inbound_support
company: Example Telecom
situation: Pat's internet is slow in the evenings.
goal:
  text: A line check.
  satisfied_by: [line check]
  requires: [account_number]
facts:
  - id: account_number
    value: EX-10001
    asked_by: [account number]
fallback_lines:
  opening: ["Hi, my internet is slow."]
  complain: ["It's still slow."]
  give_fact: ["It's {fact}."]
  object: ["{objection}"]
  soften: ["Okay, thanks."]
  push: ["So what will you do?"]
  react_rude: ["No need for that tone."]
  wait: ["Sure, I'll wait."]
  clarify: ["Sorry, what do you mean?"]
  deflect: ["Let's get back to my internet."]
  accept: ["That works."]
  goodbye: ["Thanks, bye."]
  hang_up: ["I'm done, bye."]
rubric: tiny
"""

GOOD_RUBRIC = """\
id: tiny
title: Tiny rubric
call_type: inbound_support
pass_mark: 50
criteria:
  - id: greeting
    title: Greeting
    description: Greets the customer.
    weight: 1
    levels: {0: no greeting, 1: greets}
    method: llm
"""


def errors_of(path: Path, model=Persona) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_model(path, model)
    return info.value.errors


def line_of(path: Path, marker: str) -> int:
    """1-based line of the first line containing `marker` (where the error must point)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in line:
            return n
    raise AssertionError(f"{marker!r} not in {path}")


def test_misspelt_field_gives_exactly_one_line_with_file_line_and_suggestion():
    path = BAD / "unknown_field.yaml"
    errors = errors_of(path)
    assert len(errors) == 1  # not also "missing temperament"
    line = errors[0]
    assert line.startswith(f"{path}:{line_of(path, 'temperment:')}: ")
    assert "temperment" in line and "'temperament'" in line and "did you mean" in line


@pytest.mark.parametrize(
    "name, marker, field, words",
    [
        ("nested_unknown_field.yaml", "sahre:", "facts.1.sahre", ["unknown field 'sahre'", "did you mean 'share'"]),
        ("wrong_type.yaml", "patience: lots", "patience", ["whole number", "'lots'"]),
        ("number_not_text.yaml", "value: 10001", "facts.0.value", ["expected text", "quotes"]),
        ("bad_enum.yaml", "temperament: angry", "temperament", ["'angry'", "irritable", "calm", "hesitant"]),
        ("bad_beat.yaml", "wiat:", "fallback_lines.wiat", ["'wiat'", "did you mean 'wait'"]),
        ("validator_error.yaml", "requires:", "goal.requires", ["acount_number"]),
        ("duplicate_key.yaml", "name: Pat Again", "name", ["duplicate key 'name'", "line 3"]),
        ("missing_nested.yaml", "goal:", "goal.text", ["missing required field 'text'"]),
    ],
)
def test_bad_persona_points_at_the_offending_line(name, marker, field, words):
    path = BAD / name
    errors = errors_of(path)
    assert len(errors) == 1, errors
    prefix = f"{path}:{line_of(path, marker)}: {field}: "
    assert errors[0].startswith(prefix), errors[0]
    for word in words:
        assert word in errors[0]


def test_missing_top_level_field_points_at_the_document():
    path = BAD / "missing_field.yaml"
    errors = errors_of(path)
    assert errors == [f"{path}:{line_of(path, 'id:')}: company: missing required field 'company'"]


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("empty.yaml", 1, ["file is empty"]),
        ("list_top.yaml", 2, ["top level must be a mapping", "list"]),
        ("malformed.yaml", None, ["malformed YAML", "line 12"]),
    ],
)
def test_document_level_problems(name, line, words):
    path = BAD / name
    errors = errors_of(path)
    assert len(errors) == 1
    m = re.match(rf"{re.escape(str(path))}:(\d+): \(file\): ", errors[0])
    assert m, errors[0]
    if line is not None:
        assert int(m.group(1)) == line
    for word in words:
        assert word in errors[0]


def test_malformed_yaml_line_is_near_the_problem():
    path = BAD / "malformed.yaml"
    (error,) = errors_of(path)
    reported = int(error.split(":")[1])
    assert abs(reported - line_of(path, "satisfied_by:")) <= 1


def test_alias_bombs_and_self_references_are_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    for text in (bomb, "a: &x\n  b: *x\n"):
        with pytest.raises(ValidationFailed) as info:
            load_text(text, Persona, "x.yaml")
        assert info.value.errors == ["x.yaml:1: (file): too large or too deeply nested (check anchors and aliases)"]


def test_missing_and_unreadable_files_are_one_line(tmp_path):
    (missing,) = errors_of(tmp_path / "nope.yaml")
    assert missing.startswith(f"{tmp_path / 'nope.yaml'}:1: ") and "not found" in missing
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    (error,) = errors_of(binary)
    assert "UTF-8" in error
    (error,) = errors_of(tmp_path)
    assert "folder" in error


def test_several_errors_are_all_reported_in_line_order(tmp_path):
    text = GOOD_PERSONA.replace("temperament: calm", "temperament: grumpy").replace(
        "company: Example Telecom", "compnay: Example Telecom"
    )
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    errors = errors_of(path)
    assert len(errors) == 2
    assert "temperament" in errors[0] and "grumpy" in errors[0]
    assert "compnay" in errors[1] and "did you mean 'company'" in errors[1]
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == [line_of(path, "grumpy"), line_of(path, "compnay")]


def test_model_level_rules_point_at_the_field_they_name():
    text = GOOD_PERSONA.replace('  hang_up: ["I\'m done, bye."]\n', "")
    with pytest.raises(ValidationFailed) as info:
        load_text(text, Persona, "p.yaml")
    line = text.splitlines().index("fallback_lines:") + 1
    assert info.value.errors == [
        f"p.yaml:{line}: fallback_lines: fallback_lines needs at least one line for each beat; missing: hang_up"
    ]
    text = GOOD_PERSONA.replace("    asked_by: [account number]\n", "")
    with pytest.raises(ValidationFailed) as info:
        load_text(text, Persona, "p.yaml")
    (error,) = info.value.errors
    line = text.splitlines().index("  - id: account_number") + 1
    assert error.startswith(f"p.yaml:{line}: facts.0: ") and "asked_by" in error
    text = GOOD_RUBRIC + GOOD_RUBRIC[GOOD_RUBRIC.index("  - id: greeting"):]
    with pytest.raises(ValidationFailed) as info:
        load_text(text, Rubric, "r.yaml")
    (error,) = info.value.errors
    assert error.startswith(f"r.yaml:{text.splitlines().index('criteria:') + 1}: criteria: duplicate criterion id")


def test_good_files_load_into_models():
    persona = load_text(GOOD_PERSONA, Persona)
    assert persona.id == "good-one" and persona.fact("account_number").value == "EX-10001"
    rubric = load_text(GOOD_RUBRIC, Rubric)
    assert rubric.criterion("greeting").max_score == 1


def test_dates_stay_text():
    # An unquoted date is a common fact value; it must not turn into a date object and fail.
    persona = load_text(GOOD_PERSONA.replace("value: EX-10001", "value: 2024-03-12"), Persona)
    assert persona.fact("account_number").value == "2024-03-12"


def test_unknown_field_in_a_rubric_criterion():
    text = GOOD_RUBRIC.replace("    weight: 1", "    wieght: 1")
    with pytest.raises(ValidationFailed) as info:
        load_text(text, Rubric, "r.yaml")
    errors = info.value.errors
    assert len(errors) == 1
    line = text.splitlines().index("    wieght: 1") + 1
    assert errors[0].startswith(f"r.yaml:{line}: criteria.0.wieght: ") and "did you mean 'weight'" in errors[0]


def test_validate_paths_walks_folders_and_tells_rubrics_from_personas(tmp_path):
    (tmp_path / "personas").mkdir()
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "personas" / "good-one.yaml").write_text(GOOD_PERSONA, encoding="utf-8")
    # A rubric outside a `rubrics` folder is recognised by its `criteria` key; .yml counts too.
    (tmp_path / "personas" / "tiny.yml").write_text(GOOD_RUBRIC, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not yaml", encoding="utf-8")
    assert validate_paths([tmp_path]) == (2, [])


def test_validate_paths_reports_bad_files_and_keeps_checking():
    checked, errors = validate_paths([BAD])
    assert checked == len(list(BAD.glob("*.yaml")))
    assert {e.split(":")[0] for e in errors} == {str(p) for p in BAD.glob("*.yaml")}
    rubric_error = next(e for e in errors if "bad_rubric" in e)
    assert "criteria.0.method" in rubric_error and "rule, llm, both" in rubric_error


def test_cross_file_duplicate_ids_and_unknown_rubric(tmp_path):
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "tiny.yaml").write_text(GOOD_RUBRIC, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(GOOD_PERSONA, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD_PERSONA.replace("rubric: tiny", "rubric: tinny"), encoding="utf-8")
    checked, errors = validate_paths([tmp_path])
    assert checked == 3
    assert len(errors) == 2
    dup = next(e for e in errors if "duplicate" in e)
    assert dup.startswith(f"{tmp_path / 'b.yaml'}:1: id: ") and "a.yaml" in dup
    unknown = next(e for e in errors if "unknown rubric" in e)
    assert unknown.startswith(f"{tmp_path / 'b.yaml'}:{GOOD_PERSONA.splitlines().index('rubric: tiny') + 1}: rubric: ")
    assert "did you mean 'tiny'" in unknown


def test_unknown_rubric_is_not_checked_without_rubrics(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD_PERSONA.replace("rubric: tiny", "rubric: elsewhere"), encoding="utf-8")
    assert validate_paths([tmp_path]) == (1, [])


def test_missing_path_is_an_error_line(tmp_path):
    checked, errors = validate_paths([tmp_path / "gone"])
    assert checked == 0 and len(errors) == 1 and "gone" in errors[0]


def test_main_validate_prints_lines_and_returns_exit_code(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD_PERSONA, encoding="utf-8")
    assert main_validate([str(good)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "1 file(s) valid" in err

    assert main_validate([str(good), str(BAD / "unknown_field.yaml")]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == errors_of(BAD / "unknown_field.yaml")
    assert "1 error(s) in 1 file(s); 2 file(s) checked" in err
    assert "Traceback" not in out + err


def test_main_validate_without_paths_checks_the_builtin_library(capsys):
    code = main_validate([])
    out, _ = capsys.readouterr()
    persona_errors = [line for line in out.splitlines() if str(REPO / "personas") in line]
    assert persona_errors == []
    assert code == (1 if out else 0)
