"""Through the running app: one trainee cannot reach another's sessions or audio by any
endpoint or file URL, and hostile text goes through the API intact."""

from __future__ import annotations

import wave

import httpx
import pytest
from gradio_client import Client


from fakes import PASSWORD, running_app

GREETING = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # llm=None: the engine speaks the persona's authored lines, so no model is needed.
    users = {"ana": "trainee", "bob": "trainee", "sue": "supervisor"}
    with running_app(tmp_path_factory.mktemp("app"), users) as (url, _store, service, _data):
        yield url.rstrip("/"), service


def _client(url: str, name: str) -> Client:
    return Client(url + "/", auth=(name, PASSWORD), verbose=False, download_files=False)


def _http(url: str, name: str | None) -> httpx.Client:
    """A browser-like session: logged in through the login form when a name is given."""
    http = httpx.Client(base_url=url, timeout=20, follow_redirects=False)
    if name:
        r = http.post("/login", data={"username": name, "password": PASSWORD})
        assert r.status_code == 200 and http.cookies, f"login as {name} failed: {r.status_code}"
    return http


@pytest.fixture(scope="module")
def anas_call(server):
    """Ana's call with a customer line kept as audio under ROLECALL_DATA_DIR/audio."""
    url, service = server
    ana = _client(url, "ana")
    sid, _ = ana.predict("irritable-outage", "text", None, api_name="/start_call")
    ana.predict(sid, GREETING, api_name="/send_message")
    audio = service.data_dir / "audio" / sid / "0001-customer.wav"
    audio.parent.mkdir(parents=True)
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\x01\x02" * 1600)
    service.store.set_turn_audio(sid, 1, str(audio))
    return sid, audio


def test_another_trainee_cannot_list_speak_in_or_score_the_call(server, anas_call):
    url, service = server
    sid, _ = anas_call
    bob = _client(url, "bob")
    assert sid not in {s["id"] for s in bob.predict(api_name="/list_sessions")}
    with pytest.raises(Exception, match="not found"):
        bob.predict(sid, "hello, this is bob", api_name="/send_message")
    with pytest.raises(Exception, match="not found"):
        bob.predict(sid, api_name="/end_call")
    # Bob's attempts left no trace in Ana's call.
    assert "hello, this is bob" not in [t["text"] for t in service.store.turns(sid)]
    assert service.store.get_session(sid)["end_reason"] is None


@pytest.mark.parametrize("route", ["/gradio_api/file={path}", "/file={path}", "/gradio_api/file/{path}"])
@pytest.mark.parametrize("who", ["bob", None], ids=["other-trainee", "not-logged-in"])
def test_anas_audio_cannot_be_downloaded_by_file_url(server, anas_call, route, who):
    url, _ = server
    _, audio = anas_call
    http = _http(url, who)
    r = http.get(route.format(path=str(audio)))
    assert r.status_code in (401, 403, 404), f"{route} as {who}: {r.status_code}"
    assert b"RIFF" not in r.content[:64]


def test_the_login_cookie_is_what_grants_access(server):
    url, _ = server
    # The same logged-in session reaches the API; without the cookie it does not.
    assert _http(url, "bob").get("/config").status_code == 200
    assert _http(url, None).get("/config").status_code in (401, 403)


@pytest.mark.parametrize("text", [
    ("Please help me with my bill. " * 20).strip(),  # a whole turn; longer ones are refused (test_reliability_service)
    "ctrl\x01\x07\x1b[31m and \u202eRTL\u202c שלום <script>alert(1)</script>",
], ids=["a whole turn", "control-rtl-markup"])
def test_hostile_text_through_the_api_is_answered_and_stored_exactly(server, text):
    url, service = server
    ana = _client(url, "ana")
    sid, _ = ana.predict("irritable-outage", "text", None, api_name="/start_call")
    reply, ended = ana.predict(sid, text, api_name="/send_message")
    assert isinstance(reply, str) and reply.strip() and ended is False
    assert service.store.turns(sid)[0]["text"] == text


def test_no_file_of_the_data_folder_can_be_fetched_by_name(server):
    # The data folder holds every trainee's recordings, the database and the first accounts:
    # it must never be one of the paths Gradio serves (files reach the page as copies).
    url, service = server
    for name in ("rolecall.db", "first-accounts.txt"):
        secret = service.data_dir / name
        if not secret.exists():
            secret.write_text("secret")
        for who in ("bob", None):
            r = _http(url, who).get(f"/gradio_api/file={secret}")
            assert r.status_code in (401, 403, 404) and b"secret" not in r.content, (name, who, r.status_code)
