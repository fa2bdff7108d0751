"""The real embedded model (slow: assembles a 1.1 GB GGUF once, loads it once).

The GGUF is assembled into the user cache, so later runs reuse it. Skipped when the
model part packages are not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import platformdirs
import pytest

from simulator.errors import ModelAssemblyError
from simulator.llm.embedded import EmbeddedLLM, shared_server, stop_shared_servers
from simulator.llm.model_files import default_gguf

pytestmark = pytest.mark.embedded

LINE = [
    ("system", "You write the next line a customer says in a phone call. Write only that line."),
    ("user", "The customer, Maria, has had no internet for three days and is annoyed. "
             "Agent: 'Hello, thank you for calling. How can I help?'\nCustomer:"),
]
SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 4}, "reason": {"type": "string", "maxLength": 100}},
    "required": ["score", "reason"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def llm():
    try:
        # The real user cache on purpose: assembling 1 GB on every run would be wasteful.
        gguf = default_gguf(Path(platformdirs.user_cache_dir("rolecall")))
    except ModelAssemblyError as exc:
        pytest.skip(str(exc))
    # Smaller than the app's server (2 slots, 2048 tokens each): starts faster, same code.
    shared_server(gguf, n_parallel=2, ctx_per_slot=2048, progress=False)
    yield EmbeddedLLM(gguf)  # reuses the server started above
    stop_shared_servers()


def test_completes_a_customer_line(llm):
    text = llm.complete(LINE, max_tokens=24, temperature=0.7, seed=1)
    assert text.strip()


def test_same_seed_same_line(llm):
    # Exam calls rely on this: same persona, seed and turns -> the same customer.
    first = llm.complete(LINE, max_tokens=16, temperature=0.8, seed=42)
    second = llm.complete(LINE, max_tokens=16, temperature=0.8, seed=42)
    assert first == second


def test_json_schema_answer_parses(llm):
    answer = llm.complete(
        [("system", "You grade call-center agents."),
         ("user", "Agent said: 'I'm so sorry, that sounds frustrating. Let me fix it now.' "
                  "Rate the agent's empathy from 0 to 4 and give a short reason.")],
        max_tokens=100, temperature=0.0, json_schema=SCHEMA,
    )
    data = json.loads(answer)
    assert set(data) == {"score", "reason"}
    assert 0 <= data["score"] <= 4


def test_streams_in_pieces(llm):
    pieces = list(llm.stream(LINE, max_tokens=16, temperature=0.0, seed=3))
    assert len(pieces) > 1
    assert "".join(pieces).strip()
