"""Where the built-in personas and rubrics live (the repository's own folders).

A module of its own so that `catalog` (which lists them) and `loader` (whose `validate`
checks them by default) both use it without importing each other.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_PERSONAS = REPO_ROOT / "personas"
BUILTIN_RUBRICS = REPO_ROOT / "rubrics"
