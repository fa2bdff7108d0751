"""A small OpenAI-compatible HTTP server for tests and benchmarks.

Answers POST /v1/chat/completions (plain JSON or SSE streaming) and GET /v1/models on
127.0.0.1 from a background thread. Faults can be queued to exercise client retries:
an int answers that HTTP status, "timeout" sleeps past the client's timeout, "malformed"
answers 200 with a body that is not JSON, "drop" closes the connection unanswered.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str] | str
Fault = str | int
FAULTS = ("timeout", "malformed", "drop")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping through a "timeout" fault must not block close()
    request_queue_size = 256  # 50+ clients connect at once; the default backlog of 5 stalls them
    stub: OpenAIStubServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms to
    # every keep-alive request, which would swamp the latencies benchmarks measure.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # tests and benchmarks want a quiet server

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "stub", "object": "model", "owned_by": "rolecall"}]})
        else:
            self._json(404, _error(404, f"no route for GET {self.path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, _error(404, f"no route for POST {self.path}"))
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._json(400, _error(400, "request body is not JSON"))
            return
        stub = self.server.stub
        stub.requests.append(body)
        fault = stub._next_fault()
        if stub.latency_s:
            time.sleep(stub.latency_s)
        if fault is not None and self._fault(fault):
            return
        if stub.reject_response_format and "response_format" in body:
            self._json(400, _error(400, "response_format is not supported by this server"))
            return
        text = stub.reply(body.get("messages", [])) if callable(stub.reply) else stub.reply
        if body.get("stream"):
            self._stream(text, body)
        else:
            self._json(200, _completion(text, body))

    def _fault(self, fault: Fault) -> bool:
        """Act out one fault; True when the request was answered (or dropped) by it."""
        if isinstance(fault, int):
            headers = {"Retry-After": f"{self.server.stub.retry_after_s:g}"} if fault == 429 else {}
            self._json(fault, _error(fault, f"stub fault {fault}"), headers)
            return True
        if fault == "timeout":
            time.sleep(self.server.stub.timeout_sleep_s)
            return False  # then answer normally, to a client that has given up
        if fault == "malformed":
            self._send(200, b"<html>this is not json</html>", "application/json")
            return True
        if fault == "drop":
            self.close_connection = True
            return True
        raise ValueError(f"unknown fault {fault!r}")

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (e.g. after a timeout)

    def _stream(self, text: str, body: dict[str, Any]) -> None:
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        model = body.get("model", "stub")
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")  # no length: the end of the body is the close
            self.end_headers()
            self.close_connection = True
            pieces = _pieces(text)
            for i, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                self._event(_chunk(cid, model, delta, None))
            self._event(_chunk(cid, model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            pass

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()


def _pieces(text: str) -> list[str]:
    """Split into word-sized pieces that join back to exactly `text`."""
    pieces, start = [], 0
    for i, ch in enumerate(text):
        if ch == " " and i > start:
            pieces.append(text[start:i])
            start = i
    pieces.append(text[start:])
    return [p for p in pieces if p] or [""]


def _error(status: int, message: str) -> dict[str, Any]:
    kind = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}
    return {"error": {"message": message, "type": kind.get(status, "server_error"), "code": status}}


def _completion(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        # Word counts stand in for tokens: good enough for a stub.
        "usage": {"prompt_tokens": sum(len(str(m.get("content", "")).split()) for m in body.get("messages", [])),
                  "completion_tokens": len(text.split()), "total_tokens": 0},
    }


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class OpenAIStubServer:
    """An OpenAI-compatible server on 127.0.0.1 in a background thread; a context manager.

    `reply` is the answer text, or a function of the request's messages that returns it.
    `latency_s` delays every answer (requests are served concurrently, so 50 clients with
    0.5 s latency take about 0.5 s, not 25 s). `faults` are consumed one per chat request,
    in order. `reject_response_format` makes it answer 400 to any request that sets
    response_format, like servers without structured output.
    """

    def __init__(
        self,
        reply: Reply = "Hello.",
        latency_s: float = 0.0,
        faults: list[Fault] | None = None,
        *,
        reject_response_format: bool = False,
        timeout_sleep_s: float = 3.0,
        retry_after_s: float = 0.0,
        port: int = 0,
    ):
        self.reply = reply
        self.latency_s = latency_s
        self.reject_response_format = reject_response_format
        self.timeout_sleep_s = timeout_sleep_s  # how long a "timeout" fault stalls
        self.retry_after_s = retry_after_s  # the Retry-After a 429 fault sends
        self.requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.set_faults(faults or [])
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.stub = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def set_faults(self, faults: list[Fault]) -> None:
        for f in faults:
            if not isinstance(f, int) and f not in FAULTS:
                raise ValueError(f"unknown fault {f!r}: use an HTTP status or one of {', '.join(FAULTS)}")
        with self._lock:
            self._faults = list(faults)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def start(self) -> OpenAIStubServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="openai-stub", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> OpenAIStubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
