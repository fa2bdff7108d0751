"""A client for the app's named endpoints over Gradio's plain HTTP API, for tests and benchmarks."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


class ApiClient:
    """One trainee on the app's named endpoints, over Gradio's plain HTTP API
    (`POST /gradio_api/call/<name>`, then the event's result stream), as `curl` would.

    One session per trainee, as a browser tab or a gradio_client keeps: Gradio builds a
    session's state (a copy of every component's config, ~10 ms for this app) on its first
    request. gradio_client itself costs ~65 ms of CPU per call in the calling process
    (threads polling every 50 ms), which on a 2-core machine would be taken from the server
    under test; this client costs under 1 ms."""

    def __init__(self, url: str, name: str, password: str, timeout: float = 300) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self.session_hash = uuid.uuid4().hex
        done = self.http.post("/login", data={"username": name, "password": password})
        if done.status_code != 200:
            raise RuntimeError(f"login as {name} failed: HTTP {done.status_code}")

    def call(self, api_name: str, *data: Any) -> Any:
        """The endpoint's output (a tuple's items as a list); RuntimeError on an error event."""
        started = self.http.post(f"/gradio_api/call/{api_name}",
                                 json={"data": list(data), "session_hash": self.session_hash})
        started.raise_for_status()
        event_id = started.json()["event_id"]
        event = None
        with self.http.stream("GET", f"/gradio_api/call/{api_name}/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line[5:])
                    if event == "error":
                        raise RuntimeError(f"/{api_name}: {payload}")
                    return payload[0] if len(payload) == 1 else payload
        raise RuntimeError(f"/{api_name}: the stream ended without a result")

    def close(self) -> None:
        self.http.close()
