"""The catalog: built-in and user personas/rubrics by id; broken files never stop the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.catalog import BUILTIN_PERSONAS, BUILTIN_RUBRICS, Catalog, persona_from_yaml_text
from simulator.errors import NotFound, ValidationFailed
from simulator.persona import CallType, Temperament

from test_loader import GOOD_PERSONA, GOOD_RUBRIC

BAD = Path(__file__).parent / "data" / "bad"


def persona_text(pid: str, changes: dict[str, str] | None = None) -> str:
    """The known-good persona under another id, with some lines replaced."""
    text = GOOD_PERSONA.replace("id: good-one", f"id: {pid}")
    for old, new in (changes or {}).items():
        assert old in text
        text = text.replace(old, new)
    return text


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_dirs_are_the_repo_folders():
    root = Path(__file__).resolve().parent.parent
    assert BUILTIN_PERSONAS == root / "personas" and BUILTIN_RUBRICS == root / "rubrics"


def test_the_loader_does_not_import_the_catalog():
    """No import cycle: the loader and the catalog both take the built-in folders from
    simulator.paths, and only the catalog imports the loader."""
    import ast

    import simulator.loader

    tree = ast.parse(Path(simulator.loader.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "catalog" not in imported and "simulator.catalog" not in imported


def test_default_catalog_has_the_builtin_library():
    catalog = Catalog.default()
    assert "irritable-outage" in catalog.personas
    assert [e for e in catalog.errors if str(BUILTIN_PERSONAS) in e] == []


def test_broken_file_is_skipped_and_reported(tmp_path):
    personas = tmp_path / "personas"
    write(personas, "good-one.yaml", GOOD_PERSONA)
    write(personas, "broken.yaml", (BAD / "unknown_field.yaml").read_text(encoding="utf-8"))
    write(personas, "empty.yaml", "")
    catalog = Catalog([personas], [])
    assert list(catalog.personas) == ["good-one"]
    assert len(catalog.errors) == 2
    assert any("broken.yaml" in e and "temperment" in e for e in catalog.errors)
    assert any("empty.yaml" in e and "file is empty" in e for e in catalog.errors)


def test_user_folder_overrides_a_builtin_id(tmp_path):
    builtin = (BUILTIN_PERSONAS / "irritable-outage.yaml").read_text(encoding="utf-8")
    write(tmp_path / "personas", "mine.yaml", builtin.replace("name: Dave Morrison", "name: Dana Morrison"))
    catalog = Catalog.default(tmp_path)
    assert catalog.persona("irritable-outage").name == "Dana Morrison"
    assert catalog.sources["persona:irritable-outage"] == tmp_path / "personas" / "mine.yaml"
    assert Catalog.default().persona("irritable-outage").name == "Dave Morrison"
    # the other built-ins are still there
    assert len(catalog.personas) == len(Catalog.default().personas)


def test_later_folder_wins_and_rubrics_load(tmp_path):
    write(tmp_path / "a", "p.yaml", persona_text("same", {"name: Pat Example": "name: First"}))
    write(tmp_path / "b", "p.yaml", persona_text("same", {"name: Pat Example": "name: Second"}))
    write(tmp_path / "r", "tiny.yaml", GOOD_RUBRIC)
    catalog = Catalog([tmp_path / "a", tmp_path / "b"], [tmp_path / "r"])
    assert catalog.persona("same").name == "Second"
    assert catalog.rubric("tiny").title == "Tiny rubric"
    assert catalog.rubric_for(catalog.persona("same")).id == "tiny"
    assert catalog.errors == []


def test_duplicate_id_in_one_folder_keeps_the_first_and_says_so(tmp_path):
    write(tmp_path, "a.yaml", persona_text("twin", {"name: Pat Example": "name: Alpha"}))
    write(tmp_path, "b.yaml", persona_text("twin", {"name: Pat Example": "name: Beta"}))
    catalog = Catalog([tmp_path], [])
    assert catalog.persona("twin").name == "Alpha"
    assert len(catalog.errors) == 1 and "b.yaml" in catalog.errors[0] and "duplicate" in catalog.errors[0]


def test_persona_naming_an_unknown_rubric_loads_but_is_reported(tmp_path):
    write(tmp_path / "p", "x.yaml", persona_text("x", {"rubric: tiny": "rubric: tinny"}))
    write(tmp_path / "r", "tiny.yaml", GOOD_RUBRIC)
    catalog = Catalog([tmp_path / "p"], [tmp_path / "r"])
    assert "x" in catalog.personas
    assert len(catalog.errors) == 1 and "unknown rubric 'tinny'" in catalog.errors[0]


def test_missing_user_subfolders_are_fine_but_missing_dirs_are_reported(tmp_path):
    assert Catalog.default(tmp_path).personas.keys() == Catalog.default().personas.keys()
    catalog = Catalog([tmp_path / "nowhere"], [])
    assert catalog.personas == {} and len(catalog.errors) == 1 and "nowhere" in catalog.errors[0]


def test_unknown_ids_raise_not_found_with_known_ids(tmp_path):
    write(tmp_path, "a.yaml", persona_text("irritable-outage"))
    write(tmp_path, "b.yaml", persona_text("calm-billing"))
    catalog = Catalog([tmp_path], [])
    with pytest.raises(NotFound) as info:
        catalog.persona("irritable-outgae")
    message = str(info.value)
    assert "\n" not in message
    assert "'irritable-outgae'" in message and "did you mean 'irritable-outage'" in message
    assert "calm-billing" in message
    with pytest.raises(NotFound, match="no rubrics are loaded"):
        catalog.rubric("inbound-support")


def test_list_personas_filters(tmp_path):
    write(tmp_path, "a.yaml", persona_text("a-calm-en"))
    write(tmp_path, "b.yaml", persona_text("b-irritable-ro", {
        "temperament: calm": "temperament: irritable\nlanguage: ro\ndifficulty: hard"}))
    write(tmp_path, "c.yaml", persona_text("c-calm-survey", {
        "call_type: inbound_support": "call_type: survey"}))
    catalog = Catalog([tmp_path], [])
    ids = lambda ps: [p.id for p in ps]  # noqa: E731
    assert ids(catalog.list_personas()) == ["a-calm-en", "b-irritable-ro", "c-calm-survey"]
    assert ids(catalog.list_personas(temperament="calm")) == ["a-calm-en", "c-calm-survey"]
    assert ids(catalog.list_personas(temperament=Temperament.irritable)) == ["b-irritable-ro"]
    assert ids(catalog.list_personas(call_type=CallType.survey)) == ["c-calm-survey"]
    assert ids(catalog.list_personas(call_type="inbound_support", temperament="calm")) == ["a-calm-en"]
    assert ids(catalog.list_personas(language="ro")) == ["b-irritable-ro"]
    assert ids(catalog.list_personas(difficulty="hard")) == ["b-irritable-ro"]
    assert catalog.list_personas(language="ro", temperament="calm") == []


def test_list_personas_on_the_builtin_library():
    catalog = Catalog.default()
    for call_type in CallType:
        found = catalog.list_personas(call_type=call_type, temperament="irritable")
        assert found and all(p.call_type == call_type for p in found)


def test_reload_sees_new_fixed_and_deleted_files(tmp_path):
    write(tmp_path, "a.yaml", persona_text("a"))
    broken = write(tmp_path, "b.yaml", persona_text("b", {"temperament: calm": "temperament: angry"}))
    catalog = Catalog([tmp_path], [])
    assert list(catalog.personas) == ["a"] and len(catalog.errors) == 1
    broken.write_text(persona_text("b"), encoding="utf-8")
    (tmp_path / "a.yaml").unlink()
    catalog.reload()
    assert list(catalog.personas) == ["b"] and catalog.errors == []


def test_persona_from_editor_text():
    assert persona_from_yaml_text(GOOD_PERSONA).id == "good-one"
    with pytest.raises(ValidationFailed) as info:
        persona_from_yaml_text(GOOD_PERSONA.replace("temperament: calm", "temperment: calm"))
    line = GOOD_PERSONA.splitlines().index("temperament: calm") + 1
    assert info.value.errors == [f"<draft>:{line}: temperment: unknown field 'temperment'; did you mean 'temperament'?"]
    with pytest.raises(ValidationFailed, match=r"^editor:1: \(file\): file is empty$"):
        persona_from_yaml_text("   \n", name="editor")


def test_no_id_at_all_is_a_one_line_not_found():
    """Found from a script: asking for persona None crashed inside difflib with a TypeError."""
    with pytest.raises(NotFound, match="no persona given"):
        Catalog.default(None).persona(None)
