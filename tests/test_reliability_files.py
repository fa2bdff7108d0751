"""Hundreds of broken persona and rubric files in a trainer's folder: each gets a clear
`file:line: field: message` error, nothing crashes, the valid ones load, and the app still
builds and shows the errors to trainers."""

from __future__ import annotations

import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from simulator.catalog import BUILTIN_PERSONAS, BUILTIN_RUBRICS, Catalog
from simulator.loader import validate_paths
from simulator.service import Rolecall
from simulator.store import Store

PER_SOURCE = 14  # mutations of each built-in file: 17 sources x 14 = 238 files
JUNK = ["\u200b", "\u202e", "\ufeff", "\x00", "\x1b[31m", "💥", "Ω≈ç√∫", "\u0301\u0301\u0301", "\r", "\t\t"]


def _retitle(text: str, new_id: str) -> str:
    """Give a copy its own id, so mutants never clash with each other or with built-ins."""
    return re.sub(r"(?m)^id:.*$", f"id: {new_id}", text, count=1)


def _top_keys(text: str) -> list[str]:
    return re.findall(r"(?m)^([a-z_]+):", text)


def _mutate(text: str, rng: random.Random, kind: str) -> str | bytes:
    keys = _top_keys(text) or ["id"]
    key = rng.choice([k for k in keys if k != "id"] or keys)
    lines = text.splitlines(keepends=True)
    if kind == "delete_key":  # drop a top-level key with its block
        out, skipping = [], False
        for ln in lines:
            if ln.startswith(f"{key}:"):
                skipping = True
                continue
            if skipping and (ln.startswith((" ", "-", "\t")) or not ln.strip()):
                continue
            skipping = False
            out.append(ln)
        return "".join(out)
    if kind == "misspell_key":
        wrong = key[:-1] if len(key) > 3 else key + "x"
        return re.sub(rf"(?m)^{key}:", f"{wrong}:", text, count=1)
    if kind == "wrong_type":
        value = rng.choice(["[1, 2, 3]", "{a: b}", "12345", "true", "null", "-7.5", "'text'"])
        data_line = re.search(rf"(?m)^{key}:.*$", text)
        block_end = text.find("\n", data_line.end()) if data_line else -1
        return text[: data_line.start()] + f"{key}: {value}" + text[data_line.end():] if data_line else text
    if kind == "broken_yaml":
        pos = rng.randrange(len(text))
        return text[:pos] + rng.choice([": : :", "\n  - [unclosed", "\n\t- tab", '"open quote', "{", "]]", "&a *b"]) + text[pos:]
    if kind == "truncate":
        return text[: rng.randrange(1, max(2, len(text) - 1))]
    if kind == "random_bytes":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    if kind == "huge_value":
        return re.sub(rf"(?m)^{key}:.*$", f"{key}: {'x' * rng.choice([5_000, 50_000])}", text, count=1)
    if kind == "unicode_junk":
        pos = rng.randrange(len(text))
        junk = "".join(rng.choice(JUNK) for _ in range(rng.randrange(1, 6)))
        return text[:pos] + junk + text[pos:]
    if kind == "invalid_utf8":
        raw = text.encode()
        pos = rng.randrange(len(raw))
        return raw[:pos] + b"\xff\xfe\xc3" + raw[pos:]
    if kind == "alias_bomb":
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi"))
        return text + bomb
    if kind == "empty":
        return rng.choice(["", "   \n", "# only a comment\n", "---\n", "~\n"])
    if kind == "not_a_mapping":
        return rng.choice(["- a\n- b\n", "just text\n", "42\n", "[1, 2]\n"])
    if kind == "duplicate_key":
        return text + f"\n{key}: again\n"
    if kind == "deep_nesting":
        return text + "extra: " + "[" * 300 + "]" * 300 + "\n"
    raise ValueError(kind)


KINDS = ["delete_key", "misspell_key", "wrong_type", "broken_yaml", "truncate", "random_bytes", "huge_value",
         "unicode_junk", "invalid_utf8", "alias_bomb", "empty", "not_a_mapping", "duplicate_key", "deep_nesting"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("userdata")
    rng = random.Random(20240607)
    for kind_dir, sources in (("personas", sorted(BUILTIN_PERSONAS.glob("*.yaml"))),
                              ("rubrics", sorted(BUILTIN_RUBRICS.glob("*.yaml")))):
        out = root / kind_dir
        out.mkdir()
        for src in sources:
            base = src.read_text(encoding="utf-8")
            for i in range(PER_SOURCE):
                kind = KINDS[i % len(KINDS)]
                text = _retitle(base, f"mut-{src.stem}-{i:02d}")
                mutated = _mutate(text, rng, kind)
                path = out / f"{src.stem}-{i:02d}-{kind}.yaml"
                if isinstance(mutated, bytes):
                    path.write_bytes(mutated)
                else:
                    path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
    return root


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml"))


# Parsed once per module: PyYAML is pure Python here, and the huge values take a while.
@pytest.fixture(scope="module")
def validated(folder) -> tuple[int, list[str]]:
    return validate_paths([folder / "personas", folder / "rubrics", BUILTIN_RUBRICS])


@pytest.fixture(scope="module")
def catalog(folder) -> Catalog:
    return Catalog.default(folder)


def test_there_are_at_least_200_mutants_of_every_kind(folder):
    files = _files(folder)
    assert len(files) >= 200
    assert {p.stem.split("-")[-1] if "_" not in p.stem else p.stem.rsplit("-", 1)[-1] for p in files} >= set(KINDS)


def test_every_bad_file_gets_a_one_line_error_naming_file_line_and_field(folder, validated):
    checked, errors = validated
    assert checked == len(_files(folder)) + len(list(BUILTIN_RUBRICS.glob("*.yaml")))
    line_re = re.compile(r"^(?P<file>.+?\.yaml):(?P<line>\d+): (?P<field>[^:\n]+): (?P<msg>\S.*)$")
    by_file: dict[str, list[str]] = {}
    for e in errors:
        assert "\n" not in e and "Traceback" not in e, e
        assert len(e) < 600, f"error line too long to read: {e[:200]}…"
        m = line_re.match(e)
        assert m, f"not 'file:line: field: message': {e[:200]}"
        by_file.setdefault(m["file"], []).append(e)
    # Kinds that can never be valid must each have their error.
    always_bad = ("random_bytes", "invalid_utf8", "empty", "not_a_mapping", "misspell_key", "alias_bomb",
                  "deep_nesting", "duplicate_key")
    for path in _files(folder):
        if path.stem.endswith(always_bad):
            assert str(path) in by_file, f"no error for {path.name}"
    assert len(by_file) >= 150  # most mutants are broken; a few (e.g. a deleted optional key) are fine


def test_the_catalog_loads_exactly_the_valid_mutants_and_lists_the_rest(folder, catalog):
    bad_files = {re.match(r"^(.+?\.yaml):\d+: ", e)[1] for e in catalog.errors if re.match(r"^(.+?\.yaml):\d+: ", e)}
    loaded_from = {str(p) for p in catalog.sources.values()}
    for path in _files(folder):
        # A file loads, or it is named in the errors (a persona naming an unknown rubric does both).
        assert str(path) in loaded_from or str(path) in bad_files, path.name
    # The built-ins are untouched by the junk beside them.
    assert {"irritable-outage", "calm-bank-survey"} <= set(catalog.personas)
    assert {"inbound-support", "outbound-sales", "survey"} <= set(catalog.rubrics)
    assert any(pid.startswith("mut-") for pid in catalog.personas)  # valid mutants are usable


def test_the_app_builds_with_that_catalog_and_shows_trainers_the_errors(folder, catalog):
    import app

    store = Store(":memory:")
    store.add_user("tia", "trainer", "pw-trainer-1")
    service = Rolecall(store, catalog, None, data_dir=folder)
    demo = app.build_app(service)
    load_studio = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "load_studio")
    outputs = load_studio(SimpleNamespace(username="tia"))
    errors_html = outputs[1]
    some_bad = next(e for e in catalog.errors if "random_bytes" in e)
    name = Path(some_bad.split(":", 1)[0]).name
    assert name in errors_html
    assert "<script" not in errors_html.lower() and "\x1b" not in errors_html


@pytest.mark.parametrize("text", ["extra: " + "[" * 5000 + "]" * 5000 + "\n", "name: a\x00b\n"],
                         ids=["nested-5000-deep", "nul-character"])
def test_pathological_text_is_an_error_line_not_a_crash(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    checked, errors = validate_paths([path])
    assert checked == 1 and len(errors) == 1
    assert errors[0].startswith(f"{path}:") and ": (file): " in errors[0]
