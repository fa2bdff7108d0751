"""Any OpenAI-compatible chat server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp) as an `LLM`.

Built on LangChain's ChatOpenAI, with our own retry loop: the openai client's retries are
off so that every attempt is counted once and the error a person finally sees names the
server and the cause in one line.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from langchain_openai import ChatOpenAI

from simulator.errors import LLMUnavailable
from simulator.llm.base import Message, text_of, to_langchain

T = TypeVar("T")
DUMMY_KEY = "not-needed"  # local servers ignore the key, but the client insists on one


@dataclass(frozen=True)
class Failure:
    """One failed attempt, classified."""

    kind: str  # connect | timeout | rate_limit | server | malformed | response_format | refused
    cause: str
    retryable: bool
    retry_after: float | None = None


class _ResponseFormatRejected(Exception):
    pass


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _connect_cause(exc: BaseException) -> str:
    text = " ".join(f"{type(e).__name__}: {e}" for e in _chain(exc)).lower()
    if "refused" in text:
        return "connection refused"
    if "disconnected" in text or "remoteprotocolerror" in text or "reset" in text:
        return "connection closed without an answer"
    if "name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
        return "unknown host"
    return "connection error"


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare, fall back to our own backoff


def _short(message: str, limit: int = 120) -> str:
    line = " ".join(str(message).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def classify(exc: Exception, timeout_s: float) -> Failure:
    """Decide what a failed call means and whether trying again can help."""
    # Timeout first: it is a subclass of APIConnectionError.
    if isinstance(exc, openai.APITimeoutError):
        return Failure("timeout", f"no answer within {timeout_s:g} s", True)
    if isinstance(exc, openai.APIConnectionError):
        return Failure("connect", _connect_cause(exc), True)
    if isinstance(exc, openai.APIStatusError):
        status, msg = exc.status_code, _short(getattr(exc, "message", str(exc)))
        if status == 429:
            return Failure("rate_limit", "429 (rate limited)", True, _retry_after(exc))
        if status >= 500 or status == 408:
            return Failure("server", f"HTTP {status}", True, _retry_after(exc))
        if status in (400, 422) and ("response_format" in msg or "json_schema" in msg):
            return Failure("response_format", f"HTTP {status} ({msg})", False)
        if status in (401, 403):
            return Failure("refused", f"HTTP {status}: the API key was refused; set OPENAI_API_KEY", False)
        if status == 404:
            return Failure("refused", f"HTTP 404 ({msg}); check the model name and that the URL ends in /v1", False)
        return Failure("refused", f"HTTP {status} ({msg})", False)
    if isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        # Body that is not JSON, or JSON without choices: LangChain raises these.
        return Failure("malformed", "malformed answers (not JSON, or no choices)", True)
    raise exc


def _final_message(url: str, failure: Failure, tries: int, hint: str) -> str:
    if failure.kind == "connect":
        return f"cannot reach the LLM server at {url} ({failure.cause}); {hint}"
    if failure.kind == "timeout":
        return f"the LLM server at {url} kept timing out ({failure.cause}) after {tries} tries; check that it is not overloaded, or use a faster model"
    if failure.kind == "rate_limit":
        return f"the LLM server at {url} kept answering {failure.cause} after {tries} tries; try again in a minute"
    if failure.kind == "server":
        return f"the LLM server at {url} kept answering {failure.cause} (server error) after {tries} tries; check the server's log"
    if failure.kind == "malformed":
        return f"the LLM server at {url} kept sending {failure.cause} after {tries} tries; check that the URL is an OpenAI-compatible /v1 API"
    return f"the LLM server at {url} rejected the request: {failure.cause}"


def schema_instruction(schema: dict[str, Any]) -> str:
    return "Answer with one JSON object only, no other text, matching this JSON schema: " + json.dumps(schema)


class OpenAICompatLLM:
    """An `LLM` over any OpenAI-compatible chat server, with retries and one-line errors.

    Retries (with exponential backoff and jitter) timeouts, connection errors, 429 (its
    Retry-After honoured up to `retry_after_cap_s`), 5xx and malformed answers; other 4xx
    fail at once. `attempts` counts every HTTP attempt this instance made; `on_retry` is
    called as (attempt number, failure, delay) before each wait.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 60,
        retries: int = 4,
        name: str | None = None,
        *,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        retry_after_cap_s: float = 30.0,
        unreachable_hint: str = "start it or set OPENAI_BASE_URL",
        extra_body: dict[str, Any] | None = None,
        text_sampling: dict[str, Any] | None = None,
        on_retry: Callable[[int, Failure, float], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.retries = retries
        self.name = name or f"{model} @ {self.base_url}"
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.retry_after_cap_s = retry_after_cap_s
        self.unreachable_hint = unreachable_hint
        self.on_retry = on_retry
        # Server-specific sampling for free text only (not JSON answers): llama.cpp's loop
        # penalties, which a constrained JSON verdict must not get.
        self._text_body = {**(extra_body or {}), **text_sampling} if text_sampling else None
        # None: not tried yet; False: the server rejected it once, so we stop sending it.
        self.supports_response_format: bool | None = None
        self.attempts = 0
        self._lock = threading.Lock()
        self._chat = ChatOpenAI(
            base_url=self.base_url,
            model=model,
            api_key=api_key or DUMMY_KEY,
            timeout=timeout_s,
            max_retries=0,  # our loop retries; the client's would hide attempts from us
            use_responses_api=False,  # /v1/chat/completions is what every compatible server has
            extra_body=extra_body,
        )

    # -- the LLM protocol ---------------------------------------------------------------

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
        kwargs = self._kwargs(max_tokens, temperature, seed)
        if json_schema is not None and self.supports_response_format is not False:
            # Sent as a raw body field, not through the SDK's parse path: that path raises on an
            # answer cut at max_tokens, and callers' parsers can recover a cut-off verdict.
            kwargs["extra_body"] = {**kwargs.get("extra_body", {}), "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json_schema, "strict": True},
            }}
            try:
                return self._with_retries(lambda: self._invoke(messages, stop, kwargs), response_format_sent=True)
            except _ResponseFormatRejected:
                self.supports_response_format = False
                kwargs["extra_body"].pop("response_format")
        if json_schema is not None:
            # The server cannot constrain the output: ask for JSON in words instead.
            messages = [("system", schema_instruction(json_schema)), *messages]
        elif self._text_body:
            kwargs["extra_body"] = self._text_body
        return self._with_retries(lambda: self._invoke(messages, stop, kwargs))

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        kwargs = self._kwargs(max_tokens, temperature, seed)
        if self._text_body:
            kwargs["extra_body"] = self._text_body
        attempt = 0
        while True:
            self._count()
            started = False
            try:
                for chunk in self._chat.stream(to_langchain(messages), stop=stop, **kwargs):
                    piece = text_of(chunk)
                    if piece:
                        started = True
                        yield piece
                return
            except Exception as exc:  # noqa: BLE001 - classified below, unknown ones re-raised
                if started:
                    # Part of the answer is already on screen: retrying would repeat it.
                    failure = classify(exc, self.timeout_s)
                    raise LLMUnavailable(f"the LLM server at {self.base_url} stopped mid-answer ({failure.cause})") from exc
                self._after_failure(exc, attempt)
                attempt += 1

    # -- internals ----------------------------------------------------------------------

    def _kwargs(self, max_tokens: int, temperature: float, seed: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
        if seed is not None:
            kwargs["seed"] = seed
        return kwargs

    def _invoke(self, messages: list[Message], stop: list[str] | None, kwargs: dict[str, Any]) -> str:
        result = self._chat.invoke(to_langchain(messages), stop=stop, **kwargs)
        return text_of(result)

    def _count(self) -> None:
        with self._lock:
            self.attempts += 1

    def _with_retries(self, call: Callable[[], T], response_format_sent: bool = False) -> T:
        attempt = 0
        while True:
            self._count()
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - classified below, unknown ones re-raised
                self._after_failure(exc, attempt, response_format_sent)
                attempt += 1

    def _after_failure(self, exc: Exception, attempt: int, response_format_sent: bool = False) -> None:
        """Raise when this failure is final; otherwise wait before the next try."""
        failure = classify(exc, self.timeout_s)
        if failure.kind == "response_format" and response_format_sent:
            raise _ResponseFormatRejected() from exc
        if not failure.retryable or attempt >= self.retries:
            raise LLMUnavailable(_final_message(self.base_url, failure, attempt + 1, self.unreachable_hint)) from exc
        delay = self._delay(attempt, failure.retry_after)
        if self.on_retry is not None:
            self.on_retry(attempt + 1, failure, delay)
        time.sleep(delay)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        # Exponential backoff with jitter, so many clients do not retry in lock-step.
        delay = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.75, 1.25)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap_s))
        return delay
