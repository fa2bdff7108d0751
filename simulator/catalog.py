"""Every persona and rubric the app can use: the built-in files plus a user folder.

A broken file never stops the rest from loading: its error lines go to `errors`, so the
app can start with the valid ones and show trainers what to fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import TypeVar

from .errors import NotFound, ValidationFailed
from .loader import Located, load_located, load_text, unknown_rubric_error, yaml_files
from .paths import BUILTIN_PERSONAS, BUILTIN_RUBRICS, REPO_ROOT
from .persona import Persona
from .rubric import Rubric

__all__ = ["BUILTIN_PERSONAS", "BUILTIN_RUBRICS", "REPO_ROOT", "Catalog", "persona_from_yaml_text"]

M = TypeVar("M", Persona, Rubric)


def persona_from_yaml_text(text: str, name: str = "<draft>") -> Persona:
    """Validate a persona typed in the editor; raises ValidationFailed with `<draft>:LINE: …` lines."""
    return load_text(text, Persona, name)


def _known(kind: str, wanted: str, ids: Iterable[str]) -> str:
    """One line for an unknown id: a suggestion when close, and a few known ids."""
    known = sorted(ids)
    if not wanted:
        return f"no {kind} given; name one of: {', '.join(known[:6]) or 'none are loaded'}"
    if not known:
        return f"unknown {kind} {wanted!r}; no {kind}s are loaded"
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(known[:6]) + (f", … ({len(known)} in all)" if len(known) > 6 else "")
    return f"unknown {kind} {wanted!r}{hint} (known: {shown})"


def _load_dirs(dirs: list[Path], model: type[M], errors: list[str]) -> dict[str, Located]:
    """Load every file of every folder; a later folder replaces an earlier folder's ids."""
    kind = model.__name__.lower()
    out: dict[str, Located] = {}
    for folder in dirs:
        if not folder.is_dir():
            errors.append(f"{folder}:1: (file): {kind} folder not found; check the path")
            continue
        files, _ = yaml_files([folder])
        in_this_dir: dict[str, Located] = {}
        for path in files:
            try:
                located = load_located(path, model)
            except ValidationFailed as exc:
                errors.extend(exc.errors)
                continue
            first = in_this_dir.setdefault(located.obj.id, located)
            if first is not located:  # same id twice in one folder: keep the first, say so
                errors.append(
                    f"{located.where('id')}: id: duplicate {kind} id {located.obj.id!r} (also in {first.where('id')})"
                )
                continue
            out[located.obj.id] = located
    return out


def _value(x: str | Enum | None) -> str | None:
    return x.value if isinstance(x, Enum) else x


class Catalog:
    """Personas and rubrics by id. Later folders override earlier ids (user over built-in)."""

    def __init__(self, persona_dirs: list[Path], rubric_dirs: list[Path]):
        self.persona_dirs = [Path(d) for d in persona_dirs]
        self.rubric_dirs = [Path(d) for d in rubric_dirs]
        self.personas: dict[str, Persona] = {}
        self.rubrics: dict[str, Rubric] = {}
        self.errors: list[str] = []
        self.sources: dict[str, Path] = {}  # "persona:ID" / "rubric:ID" -> the file it came from
        self.reload()

    @classmethod
    def default(cls, user_dir: Path | None = None) -> "Catalog":
        """Built-ins plus `user_dir/personas` and `user_dir/rubrics` when those folders exist."""
        persona_dirs, rubric_dirs = [BUILTIN_PERSONAS], [BUILTIN_RUBRICS]
        if user_dir is not None:
            if (Path(user_dir) / "personas").is_dir():
                persona_dirs.append(Path(user_dir) / "personas")
            if (Path(user_dir) / "rubrics").is_dir():
                rubric_dirs.append(Path(user_dir) / "rubrics")
        return cls(persona_dirs, rubric_dirs)

    def reload(self) -> None:
        """Read every folder again (e.g. after a trainer saved a persona)."""
        errors: list[str] = []
        personas = _load_dirs(self.persona_dirs, Persona, errors)
        rubrics = _load_dirs(self.rubric_dirs, Rubric, errors)
        if rubrics:  # a persona naming a missing rubric still loads; the trainer sees why scoring may fail
            for located in personas.values():
                err = unknown_rubric_error(located.obj, located.where("rubric"), rubrics)
                if err:
                    errors.append(err)
        # Swap in whole dicts so a reader in another thread never sees a half-loaded catalog.
        self.personas = {pid: loc.obj for pid, loc in personas.items()}
        self.rubrics = {rid: loc.obj for rid, loc in rubrics.items()}
        self.sources = {f"persona:{k}": Path(v.name) for k, v in personas.items()} | {
            f"rubric:{k}": Path(v.name) for k, v in rubrics.items()
        }
        self.errors = errors

    # -- look-ups ---------------------------------------------------------------------
    def persona(self, persona_id: str) -> Persona:
        try:
            return self.personas[persona_id]
        except KeyError:
            raise NotFound(_known("persona", persona_id, self.personas)) from None

    def rubric(self, rubric_id: str) -> Rubric:
        try:
            return self.rubrics[rubric_id]
        except KeyError:
            raise NotFound(_known("rubric", rubric_id, self.rubrics)) from None

    def rubric_for(self, persona: Persona) -> Rubric:
        """The persona's default rubric."""
        return self.rubric(persona.rubric)

    def list_personas(
        self,
        temperament: str | Enum | None = None,
        call_type: str | Enum | None = None,
        difficulty: str | None = None,
        language: str | None = None,
    ) -> list[Persona]:
        """Personas matching every filter given, sorted by id."""
        wanted = {
            "temperament": _value(temperament),
            "call_type": _value(call_type),
            "difficulty": difficulty,
            "language": language,
        }
        out = []
        for p in self.personas.values():
            if all(v is None or _value(getattr(p, k)) == v for k, v in wanted.items()):
                out.append(p)
        return sorted(out, key=lambda p: p.id)
