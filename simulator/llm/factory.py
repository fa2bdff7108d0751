"""Choose the customer's and the judge's LLM from the settings.

Nothing heavy happens here: the embedded model is assembled and loaded on the first call,
so the app starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import ConfigError
from simulator.llm.base import LLM
from simulator.llm.embedded import EmbeddedLLM
from simulator.llm.model_files import resolve_gguf
from simulator.llm.openai_compat import OpenAICompatLLM

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
# On 2 cores a judge answer from the embedded model can take tens of seconds, and
# requests beyond its 4 slots wait in line: a 60 s limit would fail sound requests.
EMBEDDED_MIN_TIMEOUT_S = 300.0


@dataclass
class LLMs:
    """The two roles an LLM plays: the customer (actor) and the judge (scoring)."""

    customer: LLM
    judge: LLM

    def describe(self) -> str:
        if self.judge is self.customer:
            return f"customer and judge: {self.customer.name}"
        return f"customer: {self.customer.name}; judge: {self.judge.name}"


def make_llms(settings: Any) -> LLMs:
    """Backends for `settings` (a simulator.config.Settings or anything with its fields)."""
    kind = str(getattr(settings, "llm", "local") or "local").strip().lower()
    if kind == "local":
        return _local(settings)
    if kind == "openai":
        return _openai(settings)
    raise ConfigError(f"ROLECALL_LLM is {settings.llm!r}; use 'local' (the embedded model) or 'openai' (any OpenAI-compatible server)")


def _openai(settings: Any) -> LLMs:
    url = settings.openai_base_url or OPENAI_URL
    customer_model = settings.customer_model or OPENAI_DEFAULT_MODEL
    judge_model = settings.judge_model or customer_model

    def client(model: str) -> OpenAICompatLLM:
        return OpenAICompatLLM(url, model, api_key=settings.openai_api_key, timeout_s=settings.llm_timeout_s)

    customer = client(customer_model)
    # One client when both roles use the same model: one connection pool, one counter.
    judge = customer if judge_model == customer_model else client(judge_model)
    return LLMs(customer=customer, judge=judge)


def _gguf_override(value: str | None, variable: str) -> Path | None:
    """A model setting that names a GGUF file, in local mode. Plain model names (meant for
    an OpenAI server, e.g. left over in .env) do not apply to the embedded model."""
    if not value:
        return None
    path = Path(value).expanduser()
    if path.suffix.lower() != ".gguf" and not path.is_file():
        return None
    if not path.is_file():
        raise ConfigError(f"{variable} names {path}, which is not a file; set it to a .gguf model file or unset it")
    return path


def _local(settings: Any) -> LLMs:
    customer_gguf = _gguf_override(settings.customer_model, "ROLECALL_CUSTOMER_MODEL")
    judge_gguf = _gguf_override(settings.judge_model, "ROLECALL_JUDGE_MODEL")
    timeout = max(float(settings.llm_timeout_s), EMBEDDED_MIN_TIMEOUT_S)

    def default() -> Path:
        return resolve_gguf(settings)

    customer = EmbeddedLLM(customer_gguf or default, timeout_s=timeout)
    if judge_gguf is None or judge_gguf == customer_gguf:
        return LLMs(customer=customer, judge=customer)  # no judge model: the customer's
    # Another file for the judge: a second server (shared_server loads each file once).
    judge = EmbeddedLLM(judge_gguf, timeout_s=timeout)
    return LLMs(customer=customer, judge=judge)
