"""llama.cpp in-process through xllamacpp, reached over its own OpenAI-compatible HTTP API.

xllamacpp's `Server` runs llama.cpp's native server (continuous batching, prompt cache,
JSON-schema constrained output) inside this process on a free port of 127.0.0.1. Talking
to it over HTTP lets `EmbeddedLLM` reuse `OpenAICompatLLM` as is, so streaming, seeds and
json_schema behave exactly as with any other server.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from simulator.errors import LLMUnavailable
from simulator.llm.base import Message
from simulator.llm.openai_compat import OpenAICompatLLM


# A 1.5B model can loop on a phrase inside one line ("cât mai rapid posibil, cât mai rapid
# posibil, …"). llama.cpp's penalties look back over a short window only: the fact a line must
# give sits in the prompt just before the answer, and copying it is no loop.
ANTI_LOOP = {"repeat_penalty": 1.1, "repeat_last_n": 24,
             "dry_multiplier": 0.8, "dry_base": 1.75, "dry_allowed_length": 3, "dry_penalty_last_n": 24}


def default_threads() -> int:
    # All cores, capped: past ~8 threads a 1.5B model gains little and starves the app.
    return max(1, min(os.cpu_count() or 2, 8))


class EmbeddedServer:
    """One loaded GGUF model serving OpenAI-compatible requests at `base_url`."""

    def __init__(self, server: Any, gguf: Path, base_url: str, load_s: float):
        self._server = server
        self.gguf = gguf
        self.base_url = base_url
        self.load_s = load_s

    @classmethod
    def start(
        cls,
        gguf: Path,
        n_parallel: int = 4,
        ctx_per_slot: int = 4096,
        threads: int | None = None,
        progress: bool = True,
    ) -> EmbeddedServer:
        import xllamacpp as xlc  # heavy native import: only when a model is really needed

        gguf = Path(gguf)
        if not gguf.is_file():
            raise LLMUnavailable(f"the model file {gguf} does not exist; set ROLECALL_LOCAL_GGUF to a .gguf file or unset it")
        threads = threads or default_threads()
        params = xlc.CommonParams()
        params.model.path = str(gguf)
        params.port = 0  # any free port, so several apps or tests never collide
        params.n_parallel = n_parallel
        params.n_ctx = n_parallel * ctx_per_slot  # the context is split evenly across slots
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cont_batching = True
        params.cache_prompt = True  # persona + rules prefix is the same every turn: reuse it
        params.verbosity = -1  # llama.cpp logs every request otherwise
        if progress:
            # xllamacpp holds the GIL while loading and has no progress callback, so a
            # spinner thread could not run: say what is happening before and after.
            print(f"rolecall: loading model {gguf.name} ({gguf.stat().st_size / 1e9:.1f} GB, {threads} threads)…",
                  file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            server = xlc.Server(params)
        except RuntimeError as exc:
            raise LLMUnavailable(f"llama.cpp could not load the model file {gguf} ({exc}); check that it is a GGUF model") from exc
        load_s = time.perf_counter() - t0
        if progress:
            print(f"rolecall: model loaded in {load_s:.1f} s", file=sys.stderr, flush=True)
        return cls(server, gguf, server.listening_address.rstrip("/") + "/v1", load_s)

    def stop(self) -> None:
        # xllamacpp stops the server when the object is destroyed; it has no explicit close.
        self._server = None


_servers: dict[Path, EmbeddedServer] = {}
_servers_lock = threading.Lock()


def shared_server(gguf: Path, **start_kwargs: Any) -> EmbeddedServer:
    """The process-wide server for `gguf`, started on first use (thread-safe)."""
    key = Path(gguf).resolve()
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = _servers[key] = EmbeddedServer.start(key, **start_kwargs)
        return server


def stop_shared_servers() -> None:
    with _servers_lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


class EmbeddedLLM:
    """An `LLM` on the embedded llama.cpp server. Nothing loads until the first call.

    `gguf` may be a path or a function returning one, so that assembling the default
    model (1 GB) also waits for the first call and the app starts fast.
    """

    def __init__(
        self,
        gguf: Path | Callable[[], Path],
        model_name: str = "local",
        *,
        timeout_s: float = 300,
        n_parallel: int = 4,
        ctx_per_slot: int = 4096,
        threads: int | None = None,
        progress: bool = True,
    ):
        self._gguf = gguf
        self.model_name = model_name
        self.name = f"embedded {gguf.name}" if isinstance(gguf, Path) else f"embedded {model_name}"
        self._timeout_s = timeout_s
        self._start_kwargs = {"n_parallel": n_parallel, "ctx_per_slot": ctx_per_slot, "threads": threads, "progress": progress}
        self._llm: OpenAICompatLLM | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._llm is not None

    def client(self) -> OpenAICompatLLM:
        """The HTTP client for the running server, starting the server if needed."""
        with self._lock:
            if self._llm is None:
                gguf = self._gguf() if callable(self._gguf) else self._gguf
                server = shared_server(gguf, **self._start_kwargs)
                self.name = f"embedded {Path(gguf).name}"
                self._llm = OpenAICompatLLM(
                    server.base_url,
                    self.model_name,
                    timeout_s=self._timeout_s,
                    retries=1,  # our own server: a failure is not a passing network hiccup
                    name=self.name,
                    extra_body={"cache_prompt": True},
                    text_sampling=ANTI_LOOP,
                    unreachable_hint="the embedded model server stopped; restart rolecall",
                )
                # One tiny answer now pages the weights in: without it the first trainee line
                # after start took 10-30 s instead of 2-3 s.
                try:
                    self._llm.complete([("user", "Hello")], max_tokens=1, temperature=0.0)
                except Exception:  # a failing server is reported on the first real request
                    pass
            return self._llm

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
        return self.client().complete(messages, max_tokens=max_tokens, temperature=temperature, seed=seed,
                                      json_schema=json_schema, stop=stop)

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        return self.client().stream(messages, max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop)

    def warm(self, messages: list[Message]) -> None:
        """Have the server read a prompt into its cache now (one token is generated): a later
        request with the same start skips reading it. Only worth it on a local server — on a
        hosted API it would be a paid request for nothing."""
        self.client().complete(messages, max_tokens=1, temperature=0.0)
