"""The app's named endpoints driven through gradio_client, with the app launched in-process."""

from __future__ import annotations


import gradio as gr
import pytest
from gradio_client import Client

import app
from simulator.errors import NotFound

from fakes import PASSWORD, running_app

GREETING = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # llm=None: the engine speaks the persona's authored lines, so no model is needed.
    users = {"ana": "trainee", "bob": "trainee", "sue": "supervisor"}
    with running_app(tmp_path_factory.mktemp("app"), users) as (url, _store, service, _data):
        yield url, service


def _client(url: str, name: str, password: str = PASSWORD) -> Client:
    return Client(url, auth=(name, password), verbose=False, download_files=False)


def test_a_whole_call_start_send_end_returns_a_score(server):
    url, _ = server
    ana = _client(url, "ana")
    sid, first = ana.predict("irritable-outage", "text", None, api_name="/start_call")
    assert sid and first == ""  # inbound: the trainee speaks first
    reply, ended = ana.predict(sid, GREETING, api_name="/send_message")
    assert isinstance(reply, str) and reply.strip()
    assert ended is False
    score = ana.predict(sid, api_name="/end_call")
    assert score["rubric"] == "inbound-support"
    assert 0 <= score["total"] <= 100 and isinstance(score["passed"], bool)
    assert {c["id"] for c in score["criteria"]} >= {"greeting", "closing"}


def test_a_trainee_lists_only_their_own_sessions_and_a_supervisor_sees_all(server):
    url, _ = server
    ana, bob, sue = _client(url, "ana"), _client(url, "bob"), _client(url, "sue")
    ana_sid, _ = ana.predict("irritable-outage", "text", None, api_name="/start_call")
    bob_sid, _ = bob.predict("irritable-outage", "text", None, api_name="/start_call")

    bob_sees = {s["id"] for s in bob.predict(api_name="/list_sessions")}
    assert bob_sid in bob_sees and ana_sid not in bob_sees
    assert all(s["user"] == "bob" for s in bob.predict(api_name="/list_sessions"))
    assert {ana_sid, bob_sid} <= {s["id"] for s in sue.predict(api_name="/list_sessions")}


def test_a_trainee_cannot_speak_in_or_score_another_trainees_call(server):
    url, _ = server
    ana, bob = _client(url, "ana"), _client(url, "bob")
    ana_sid, _ = ana.predict("irritable-outage", "text", None, api_name="/start_call")
    with pytest.raises(Exception, match="not found"):
        bob.predict(ana_sid, "hello", api_name="/send_message")
    with pytest.raises(Exception, match="not found"):
        bob.predict(ana_sid, api_name="/end_call")


def test_wrong_passwords_are_refused(server):
    url, _ = server
    with pytest.raises(Exception):
        _client(url, "ana", "wrong password")
    with pytest.raises(Exception):
        _client(url, "nobody", PASSWORD)


def test_the_api_needs_a_login(server):
    url, _ = server
    with pytest.raises(Exception):
        Client(url, verbose=False).predict(api_name="/list_sessions")


def test_an_unknown_persona_is_a_one_line_error_naming_it(server):
    url, _ = server
    with pytest.raises(Exception, match="irritable-outtage"):
        _client(url, "ana").predict("irritable-outtage", "text", None, api_name="/start_call")


def test_the_boundary_turns_domain_errors_into_their_message_and_hides_the_rest():
    @app.boundary
    def domain():
        raise NotFound("session 'x' not found")

    @app.boundary
    def bug():
        raise KeyError("internal detail")

    with pytest.raises(gr.Error, match="session 'x' not found"):
        domain()
    with pytest.raises(gr.Error) as caught:
        bug()
    assert "internal detail" not in str(caught.value)
