"""The texts a page is built with, so the same page can be shown in each user's language.

A Gradio app's components are built once, in one language. `PageText` hands out those
texts while the page is built and remembers which label each came from; after a user signs
in, `translated` gives every component that shows one of them its text in that user's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .labels import label

# Where a component keeps the texts it shows.
_TEXT_ATTRIBUTES = ("label", "value", "placeholder", "info")


class PageText:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._made: dict[str, Callable[[str], str]] = {}  # text as built -> the same text in a language

    def __call__(self, key: str, **values: Any) -> str:
        """The label `key` in the build language, remembered."""
        return self._remember(lambda lang: label(key, lang, **values))

    def fmt(self, template: str, *keys: str) -> str:
        """`template` with `{}` filled by the labels `keys` (Markdown around a label, say)."""
        return self._remember(lambda lang: template.format(*(label(k, lang) for k in keys)))

    def made(self, make: Callable[[str], str]) -> str:
        """`make(lang)` in the build language, remembered (a rendered HTML block, say)."""
        return self._remember(make)

    def _remember(self, make: Callable[[str], str]) -> str:
        text = make(self.lang)
        self._made.setdefault(text, make)
        return text

    def translated(self, component: Any, lang: str) -> dict[str, Any]:
        """The texts of `component` in `lang`, as keyword arguments for an update ({} when it
        shows none of the remembered texts)."""
        out: dict[str, Any] = {}
        choices = getattr(component, "choices", None)
        for attr in _TEXT_ATTRIBUTES:
            if attr == "value" and choices is not None:
                continue  # a choice's value is data the handlers compare, not text to read
            value = getattr(component, attr, None)
            if isinstance(value, str) and value in self._made:
                out[attr] = self._made[value](lang)
        if choices and any(isinstance(c, tuple) and c[0] in self._made for c in choices):
            out["choices"] = [(self._made[c[0]](lang), c[1]) if c[0] in self._made else c for c in choices]
        return out

    def components(self, blocks: Iterable[Any]) -> list[Any]:
        """The components that show a remembered text, in a fixed order."""
        return [b for b in blocks if self.translated(b, self.lang)]
