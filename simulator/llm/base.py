"""One small interface for every LLM backend, built on LangChain chat models.

Callers pass plain (role, content) messages; backends decide how to reach the model.
Tests pass LangChain's fake chat models to `ChatModelLLM`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

# ("system" | "user" | "assistant", text)
Message = tuple[str, str]


class LLM(Protocol):
    name: str

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        seed: int | None = None,
        json_schema: dict[str, Any] | None = None,
        stop: list[str] | None = None,
    ) -> str:
        """The model's whole answer as text. With json_schema, the backend constrains the
        output to that schema where it can; callers still parse defensively."""
        ...

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        """The answer in pieces as they are generated."""
        ...


def to_langchain(messages: list[Message]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[role](content=text) for role, text in messages]


def text_of(message: BaseMessage) -> str:
    """Flatten content that may come as a list of parts."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for p in content:
        if isinstance(p, str):
            parts.append(p)
        elif isinstance(p, dict) and p.get("type") == "text":
            parts.append(p.get("text", ""))
    return "".join(parts)


class ChatModelLLM:
    """Any LangChain chat model as an `LLM` (fakes in tests; real backends subclass or wrap).

    Options a model does not support (seed, json_schema) are ignored here; the OpenAI-
    compatible backend passes them to the server.
    """

    def __init__(self, model: BaseChatModel, name: str = "chat-model"):
        self.model = model
        self.name = name

    def complete(self, messages, *, max_tokens=256, temperature=0.7, seed=None, json_schema=None, stop=None) -> str:
        return text_of(self.model.invoke(to_langchain(messages), stop=stop))

    def stream(self, messages, *, max_tokens=256, temperature=0.7, seed=None, stop=None) -> Iterator[str]:
        for chunk in self.model.stream(to_langchain(messages), stop=stop):
            piece = text_of(chunk)
            if piece:
                yield piece
