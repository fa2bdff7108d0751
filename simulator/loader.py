"""Load persona and rubric YAML files into pydantic models, with one precise line per error.

Every error is `FILE:LINE: FIELD: MESSAGE`. Lines come from PyYAML's composed nodes (which
keep positions), so errors from pydantic — which only knows field paths — still point at
the right line of the trainer's file.
"""

from __future__ import annotations

import difflib
import re
import sys
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ValidationFailed
from .paths import BUILTIN_PERSONAS, BUILTIN_RUBRICS
from .persona import Persona
from .rubric import Rubric

M = TypeVar("M", bound=BaseModel)
Loc = tuple[Any, ...]

WHOLE_FILE = "(file)"  # FIELD for errors about the document itself (empty, malformed, unreadable)
YAML_SUFFIXES = (".yaml", ".yml")


# ---------------------------------------------------------------- YAML with line numbers


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: `2024-03-12` stays text (no field is a date)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Doc:
    """Plain data built from a YAML document plus the 1-based line of every path in it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[Loc, int] = {}
        self.errors: list[str] = []
        self.nodes = 0  # values built so far (see MAX_NODES)

    def line(self, loc: Loc) -> int:
        """Line of the longest prefix of `loc` present in the document."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return 1

    def error(self, line: int, field: str, message: str) -> str:
        return f"{self.name}:{line}: {field}: {message}"


MAX_NODES = 50_000  # far above any real persona; stops alias bombs ("billion laughs") from the editor


class _TooBig(Exception):
    pass


def _build(node: yaml.Node, loc: Loc, doc: _Doc, loader: _Loader) -> Any:
    """Turn a composed node into plain Python data, recording where each key/item starts."""
    doc.nodes += 1
    if doc.nodes > MAX_NODES or len(loc) > 50:
        raise _TooBig
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<:` merge keys the way PyYAML would
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, loc, doc, loader)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                doc.errors.append(doc.error(line, _dotted(loc) or WHOLE_FILE, "a key must be a plain name"))
                continue
            if key in out:
                first = doc.lines[loc + (key,)]
                doc.errors.append(
                    doc.error(line, _dotted(loc + (key,)), f"duplicate key {key!r} (first at line {first}); keep one")
                )
                continue
            doc.lines[loc + (key,)] = line
            out[key] = _build(value_node, loc + (key,), doc, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            doc.lines[loc + (i,)] = item.start_mark.line + 1
            items.append(_build(item, loc + (i,), doc, loader))
        return items
    return loader.construct_object(node, deep=True)


def _parse(text: str, name: str) -> tuple[Any, _Doc]:
    """Parse YAML text; problems with the document itself land in `doc.errors`."""
    doc = _Doc(name)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        doc.errors.append(doc.error(1, WHOLE_FILE, "file is empty"))
        return None, doc
    loader = None
    try:
        loader = _Loader(text)  # the reader itself rejects NUL and other unprintable characters
        root = loader.get_single_node()
        if root is None:
            doc.errors.append(doc.error(1, WHOLE_FILE, "file is empty"))
            return None, doc
        data = _build(root, (), doc, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "unreadable YAML"
        if exc.context and exc.context_mark and exc.context_mark.line != line - 1:
            what = f"{exc.context} started at line {exc.context_mark.line + 1}, {what}"
        elif exc.context:
            what = f"{exc.context}, {what}"
        doc.errors.append(doc.error(line, WHOLE_FILE, f"malformed YAML: {what}; check indentation and quotes"))
        return None, doc
    except (_TooBig, RecursionError):
        doc.errors.append(doc.error(1, WHOLE_FILE, "too large or too deeply nested (check anchors and aliases)"))
        return None, doc
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        doc.errors.append(doc.error(line, WHOLE_FILE, f"malformed YAML: {_one_line(str(exc))[:200]}"))
        return None, doc
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        doc.errors.append(
            doc.error(
                root.start_mark.line + 1,
                WHOLE_FILE,
                f"the top level must be a mapping of fields (`name: value` lines), not {_describe(data)}",
            )
        )
        return None, doc
    doc.lines[()] = root.start_mark.line + 1
    return data, doc


MAX_FILE_BYTES = 256 * 1024  # a persona is a few KB; pure-Python YAML parsing of huge files is slow


def _read(path: Path, name: str) -> tuple[str | None, list[str]]:
    try:
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            return None, [f"{name}:1: {WHOLE_FILE}: file is larger than {MAX_FILE_BYTES // 1024} KB; "
                          "a persona or rubric should be a few KB"]
        return path.read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [f"{name}:1: {WHOLE_FILE}: file not found; check the path"]
    except IsADirectoryError:
        return None, [f"{name}:1: {WHOLE_FILE}: is a folder, not a YAML file"]
    except UnicodeDecodeError:
        return None, [f"{name}:1: {WHOLE_FILE}: not UTF-8 text; save the file as UTF-8"]
    except OSError as exc:
        return None, [f"{name}:1: {WHOLE_FILE}: cannot read file ({exc.strerror or exc})"]


# ---------------------------------------------------------------- pydantic errors → lines


def _dotted(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) <= 40 else "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(tp: Any) -> Any:
    """`X | None` → X (a model if any member is one), so the walk below can continue."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return (models or args or [tp])[0]
    return tp


def _type_at(model: type[BaseModel], loc: Loc) -> Any:
    """The declared type at `loc` inside `model` (None when the path leaves the schema)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif origin in (list, tuple, set, frozenset):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    tp = _type_at(model, loc)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9-]*$": "use lowercase letters, digits and dashes, e.g. 'irritable-outage'",
    r"^[a-z0-9_]+$": "use lowercase letters, digits and underscores, e.g. 'active_listening'",
}

_KINDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (`name: value` lines)",
    "model_type": "a mapping (`name: value` lines)",
    "model_attributes_type": "a mapping (`name: value` lines)",
}

_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


def _clip(value: Any) -> Any:
    """Long bad values are shown shortened: an error line stays one readable line."""
    if isinstance(value, str) and len(value) > 40:
        return value[:40] + "…"
    return value


def _message(err: dict[str, Any]) -> str:
    """A short message for one pydantic error (the field path and line are added elsewhere)."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    long_value = isinstance(value, str) and len(value) > 100
    value = _clip(value)
    if kind in ("enum", "literal_error"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = "" if long_value else _suggest(str(value), allowed)
        return f"{value!r} is not allowed; use one of: {', '.join(allowed)}{hint}"
    if kind in _KINDS:
        hint = "; put it in quotes" if kind == "string_type" and isinstance(value, (int, float, bool)) else ""
        return f"expected {_KINDS[kind]}, got {_describe(value)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{value!r} is not valid; {_PATTERN_HINTS.get(pattern, f'it must match {pattern}')}"
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()), "?")
        shown = f"{limit:g}" if isinstance(limit, float) else limit
        return f"must be {_BOUNDS[kind]} {shown}, got {value}"
    if kind == "value_error":
        return _one_line(str(ctx.get("error", err["msg"])))
    return _one_line(err["msg"][:1].lower() + err["msg"][1:])


_PLURALS = {"criterion": "criteria"}  # validators name one item of a list field


def _validator_target(data: Any, loc: Loc, message: str) -> Loc:
    """Point a model-level validator error at the field it talks about, when it names one.

    Validators say e.g. "fallback_lines needs …" or "fact 'x' is if_asked …"; the first word
    that names a key (or, in the plural, a list key) of that mapping picks the line.
    """
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return loc
    if not isinstance(node, dict):
        return loc
    for word in re.findall(r"[A-Za-z_][\w.]*", message):
        for candidate in (word, _PLURALS.get(word, word + "s")):
            path = tuple(candidate.split("."))
            target, ok = node, True
            for part in path:
                if isinstance(target, dict) and part in target:
                    target = target[part]
                else:
                    ok = False
                    break
            if not ok:
                continue
            # "fact 'late_fee' …" → the list item whose id is late_fee
            quoted = re.findall(r"'([^']+)'", message)
            if isinstance(target, list) and quoted:
                for i, item in enumerate(target):
                    if isinstance(item, dict) and item.get("id") in quoted:
                        return loc + path + (i,)
            return loc + path
    return loc


def _error_lines(exc: ValidationError, data: dict[str, Any], doc: _Doc, model: type[BaseModel]) -> list[str]:
    errs = exc.errors(include_url=False)
    # A misspelt required field shows up twice (unknown + missing); report it once, as unknown.
    suggested: set[Loc] = set()
    for e in errs:
        if e["type"] == "extra_forbidden":
            parent, name = tuple(e["loc"][:-1]), e["loc"][-1]
            close = difflib.get_close_matches(str(name), _fields_at(model, parent), n=1, cutoff=0.6)
            if close:
                suggested.add(parent + (close[0],))

    found: list[tuple[int, str]] = []
    for e in errs:
        loc: Loc = tuple(e["loc"])
        if e["type"] == "missing" and loc in suggested:
            continue
        if e["type"] == "extra_forbidden":
            parent, name = loc[:-1], loc[-1]
            fields = _fields_at(model, parent)
            close = _suggest(str(name), fields)
            message = f"unknown field {name!r}" + (close or f"; valid fields: {', '.join(fields)}")
            found.append((doc.line(loc), doc.error(doc.line(loc), _dotted(loc), message)))
            continue
        if loc and loc[-1] == "[key]":  # a bad key of a mapping such as fallback_lines
            loc = loc[:-1]
            found.append((doc.line(loc), doc.error(doc.line(loc), _dotted(loc), "key " + _message(e))))
            continue
        if e["type"] == "missing":
            line = doc.line(loc[:-1])  # the key is absent: point at its parent mapping
            found.append((line, doc.error(line, _dotted(loc), f"missing required field {loc[-1]!r}")))
            continue
        if e["type"] == "value_error" or e["type"] == "assertion_error":
            loc = _validator_target(data, loc, _message(e))
        line = doc.line(loc)
        found.append((line, doc.error(line, _dotted(loc) or WHOLE_FILE, _message(e))))
    found.sort(key=lambda pair: pair[0])
    return list(dict.fromkeys(text for _, text in found))


# ---------------------------------------------------------------- public API


def _validate(data: dict[str, Any], doc: _Doc, model: type[M]) -> M:
    if doc.errors:  # duplicate keys etc.: report them together with the schema errors
        try:
            model.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(sorted(doc.errors + _error_lines(exc, data, doc, model), key=_line_of)) from None
        raise ValidationFailed(doc.errors)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_error_lines(exc, data, doc, model)) from None


def _line_of(error_line: str) -> int:
    m = re.search(r":(\d+): ", error_line)
    return int(m.group(1)) if m else 0


def load_text(text: str, model: type[M], name: str = "<draft>") -> M:
    """Validate YAML text (e.g. from the persona editor); errors are `NAME:LINE: FIELD: MESSAGE`."""
    data, doc = _parse(text, name)
    if data is None:
        raise ValidationFailed(doc.errors)
    return _validate(data, doc, model)


def load_model(path: Path, model: type[M]) -> M:
    """Load one YAML file into `model`; raises ValidationFailed with one line per problem."""
    name = str(path)
    text, errors = _read(Path(path), name)
    if text is None:
        raise ValidationFailed(errors)
    return load_text(text, model, name)


def load_persona(path: Path) -> Persona:
    return load_model(path, Persona)


def load_rubric(path: Path) -> Rubric:
    return load_model(path, Rubric)


def is_rubric_file(path: Path, data: Any = None) -> bool:
    """Rubrics live in a folder named `rubrics` or have a top-level `criteria` key."""
    return Path(path).parent.name == "rubrics" or (isinstance(data, dict) and "criteria" in data)


def yaml_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into their *.yaml/*.yml files (sorted); missing paths become error lines."""
    files: list[Path] = []
    errors: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in YAML_SUFFIXES and f.is_file()))
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{p}:1: {WHOLE_FILE}: no such file or folder; check the path")
    return files, errors


class Located:
    """A valid file's model plus where its keys are, for errors that span files."""

    def __init__(self, name: str, obj: Any, doc: _Doc) -> None:
        self.name, self.obj, self.doc = name, obj, doc

    def where(self, key: str) -> str:
        """`FILE:LINE` of a top-level key (of the first line when the key is absent)."""
        return f"{self.name}:{self.doc.line((key,))}"


def load_located(path: Path, model: type[BaseModel] | None = None) -> Located:
    """Like load_model, keeping line numbers. model=None picks Rubric or Persona by is_rubric_file."""
    name = str(path)
    text, errors = _read(Path(path), name)
    if text is None:
        raise ValidationFailed(errors)
    data, doc = _parse(text, name)
    if data is None:
        raise ValidationFailed(doc.errors)
    chosen = model or (Rubric if is_rubric_file(Path(path), data) else Persona)
    return Located(name, _validate(data, doc, chosen), doc)


def _duplicates(items: list[Located], kind: str) -> list[str]:
    seen: dict[str, Located] = {}
    errors = []
    for item in items:
        first = seen.setdefault(item.obj.id, item)
        if first is not item:
            errors.append(f"{item.where('id')}: id: duplicate {kind} id {item.obj.id!r} (also in {first.where('id')})")
    return errors


def unknown_rubric_error(persona: Persona, where: str, rubric_ids: Iterable[str]) -> str | None:
    """The error line for a persona whose `rubric` names no known rubric, else None."""
    known = sorted(rubric_ids)
    if persona.rubric in known:
        return None
    return (
        f"{where}: rubric: unknown rubric {_clip(persona.rubric)!r}"
        f"{_suggest(persona.rubric, known) if len(persona.rubric) <= 100 else ''}"
        f" (known: {', '.join(known)})"
    )


def validate_paths(paths: list[Path]) -> tuple[int, list[str]]:
    """Validate persona and rubric files (folders are walked); returns (files checked, error lines)."""
    files, errors = yaml_files(paths)
    personas: list[Located] = []
    rubrics: list[Located] = []
    for path in files:
        try:
            loaded = load_located(path)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        (rubrics if isinstance(loaded.obj, Rubric) else personas).append(loaded)
    errors += _duplicates(personas, "persona") + _duplicates(rubrics, "rubric")
    if rubrics:  # only then do we know which rubric ids exist
        ids = {r.obj.id for r in rubrics}
        for p in personas:
            err = unknown_rubric_error(p.obj, p.where("rubric"), ids)
            if err:
                errors.append(err)
    return len(files), errors


def main_validate(paths: list[str]) -> int:
    """`rolecall validate [PATH ...]`: error lines to stdout, a summary to stderr; exit 0 or 1.

    With no paths, the built-in personas and rubrics are checked.
    """
    targets = [Path(p) for p in paths] if paths else [BUILTIN_PERSONAS, BUILTIN_RUBRICS]
    checked, errors = validate_paths(targets)
    for line in errors:
        print(line)
    bad_files = len({re.sub(r":\d+: .*", "", e) for e in errors})
    if errors:
        print(f"{len(errors)} error(s) in {bad_files} file(s); {checked} file(s) checked", file=sys.stderr)
        return 1
    print(f"{checked} file(s) valid", file=sys.stderr)
    return 0


__all__ = [
    "ValidationFailed",
    "WHOLE_FILE",
    "is_rubric_file",
    "Located",
    "load_located",
    "load_model",
    "load_persona",
    "load_rubric",
    "load_text",
    "main_validate",
    "unknown_rubric_error",
    "validate_paths",
    "yaml_files",
]

