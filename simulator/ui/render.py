"""HTML and plot data for the scorecard, the transcript and the call review.

Everything here takes plain data (score JSON dicts, Transcript models) and returns
strings or DataFrames, so it is tested without a browser. All text from users and the
LLM is HTML-escaped: a trainee's line or a persona field must never become markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd

from ..listener import Heard
from ..persona import Persona
from ..transcript import Transcript, Turn
from .labels import heard_text, label

END_REASON_TEXT = {
    "en": {"resolved": "resolved", "hung_up": "the customer hung up", "agent_ended": "you ended it",
           "time_limit": "time ran out"},
    "ro": {"resolved": "rezolvat", "hung_up": "clientul a închis", "agent_ended": "l-ați încheiat",
           "time_limit": "timpul a expirat"},
}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def clock(seconds: float | None) -> str:
    """m:ss for the call timer and durations."""
    s = max(0, int(round(seconds or 0)))
    return f"{s // 60}:{s % 60:02d}"


def end_reason_text(reason: str | None, lang: str = "en") -> str:
    return END_REASON_TEXT.get(lang, END_REASON_TEXT["en"]).get(reason or "", reason or "")


def timer_text(elapsed_s: float, budget_s: float | None, lang: str = "en") -> str:
    if not budget_s:
        return label("timer_nobudget", lang, elapsed=clock(elapsed_s))
    text = label("timer", lang, elapsed=clock(elapsed_s), budget=clock(budget_s))
    return text + (f" · **{label('over_budget', lang)}**" if elapsed_s > budget_s else "")


# --------------------------------------------------------------------------- chat


def chat_messages(transcript: Transcript) -> list[dict[str, str]]:
    """The call as gr.Chatbot messages: the trainee is 'user', the customer 'assistant'."""
    return [{"role": "user" if t.role == "agent" else "assistant", "content": t.text} for t in transcript.turns]


TYPING = {"role": "assistant", "content": "…"}


def chat_while_streaming(items: Iterable[Any], said: list[dict[str, str]]) -> Iterator[Any]:
    """The chat to show while a turn streams (from Rolecall.send_message_stream or
    send_audio_stream): the trainee's words once heard, then the customer's line as far as
    it is written, with a cursor. Anything else (the Reply) is passed on as it is."""
    from ..service import Heard

    for item in items:
        if isinstance(item, Heard):
            said = [*said, {"role": "user", "content": item.text}]
            yield [*said, TYPING]
        elif isinstance(item, str):
            yield [*said, {"role": "assistant", "content": item + " ▍"} if item else TYPING]
        else:
            yield item


# --------------------------------------------------------------------------- transcript


def _evidence_by_turn(score: Mapping[str, Any] | None) -> dict[int, list[tuple[str, str]]]:
    """turn (1-based) -> [(quote, criterion title)] for every quote the scorecard cites."""
    out: dict[int, list[tuple[str, str]]] = {}
    for c in (score or {}).get("criteria", []):
        for ev in c.get("evidence") or []:
            quote = (ev.get("quote") or "").strip()
            if quote and isinstance(ev.get("turn"), int):
                out.setdefault(ev["turn"], []).append((quote, c.get("title") or c.get("id", "")))
    return out


def _highlight(text: str, quotes: list[tuple[str, str]]) -> str:
    """Escape `text` and wrap each cited quote (first occurrence) in <mark>."""
    spans: list[tuple[int, int, str]] = []
    lowered = text.lower()
    for quote, title in quotes:
        start = lowered.find(quote.lower())
        if start < 0:
            continue
        end = start + len(quote)
        if all(end <= s or start >= e for s, e, _ in spans):  # overlapping quotes: keep the first
            spans.append((start, end, title))
    out, pos = [], 0
    for start, end, title in sorted(spans):
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="rc-ev" title="{esc(title)}">{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def transcript_html(transcript: Transcript, score: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """The call as numbered lines; the trainee's quoted evidence is highlighted."""
    if not transcript.turns:
        return f'<div class="rc-empty">{esc(label("no_call", lang))}</div>'
    evidence = _evidence_by_turn(score)
    rows = []
    for n, turn in enumerate(transcript.turns, start=1):
        who = label("you", lang) if turn.role == "agent" else label("customer", lang)
        body = _highlight(turn.text, evidence.get(n, [])) if turn.role == "agent" else esc(turn.text)
        if turn.role == "customer" and turn.state is not None and turn.state.cut_off:
            body += f' <span class="rc-cut-off">{esc(label("cut_off", lang))}</span>'
        if turn.role == "customer" and turn.state is not None and turn.state.hung_up_on:
            body += f' <span class="rc-cut-off">{esc(label("hung_up_on", lang))}</span>'
        if turn.role == "agent":
            body += _heard_html(transcript.turns[n] if n < len(transcript.turns) else None, lang)
        mood = ""
        if turn.state is not None:
            mood = (f'<span class="rc-mood rc-mood-{_mood_word(turn.state.mood)}" title="mood">'
                    f'{turn.state.mood:+.1f}</span>')
        rows.append(
            f'<div class="rc-line rc-{turn.role}"><span class="rc-turn">{n}</span>'
            f'<span class="rc-who">{esc(who)}</span><span class="rc-text">{body}</span>'
            f'<span class="rc-t">{clock(turn.t)}</span>{mood}</div>'
        )
    if transcript.end is not None:
        rows.append(f'<div class="rc-end">— {esc(end_reason_text(transcript.end.reason.value, lang))} '
                    f'· {clock(transcript.end.t)} —</div>')
    return f'<div class="rc-transcript">{"".join(rows)}</div>'


def _heard_html(reply: Turn | None, lang: str) -> str:
    """Under a trainee line: what the customer understood of it (the acts its reply was
    directed by), so a trainee sees why the customer reacted as it did."""
    if reply is None or reply.role != "customer" or reply.state is None:
        return ""
    return (f'<span class="rc-heard">{esc(label("heard", lang))}: '
            f'{esc(heard_text(reply.state.acts, lang))}</span>')


def heard_html(heard: Heard, persona: Persona | None = None, lang: str = "en") -> str:
    """The persona studio's answer to "what would the customer hear?": each thing heard with
    the words that carried it."""
    labels = heard.labels()
    unsure = (f'<div class="rc-heard-unsure">{esc(label("heard_unsure_why", lang))}: {esc(heard.unsure_why)}</div>'
              if heard.unsure else "")
    if not labels:
        return (f'<div class="rc-heard-box">{esc(label("heard", lang))}: {esc(label("heard_nothing", lang))}'
                f'{unsure}</div>')
    facts = {f.id: f.id.replace("_", " ") for f in persona.facts} if persona else {}
    objections = {o.id: o.text for o in persona.objections} if persona else {}
    items = []
    for name in labels:
        keys = ("closing_offer", "closing_thanks") if name == "closing" else (name,)
        words = next((heard.evidence[k] for k in keys if heard.evidence.get(k)), "")
        quote = f' <q>{esc(words)}</q>' if words and name != "question" else ""
        items.append(f"<li>{esc(heard_text([name], lang, facts, objections))}{quote}</li>")
    return f'<div class="rc-heard-box">{esc(label("heard", lang))}:<ul>{"".join(items)}</ul>{unsure}</div>'


def _mood_word(mood: float) -> str:
    """A CSS class for the mood badge (colour, not emoji: fonts for emoji are not everywhere)."""
    return "angry" if mood < -0.5 else "upset" if mood < -0.1 else "neutral" if mood < 0.25 else "happy"


# --------------------------------------------------------------------------- scorecard


def _score_cell(c: Mapping[str, Any], lang: str) -> tuple[str, float | None]:
    if not c.get("applicable", True):
        return label("not_applicable", lang), None
    if c.get("score") is None:
        return label("not_scored", lang), None
    share = c["score"] / c["max"] if c.get("max") else 0.0
    return f"{c['score']}/{c['max']}", share


def verdict_text(score: Mapping[str, Any], lang: str = "en") -> str:
    """Passed, not passed yet, or not passed because of an attempt on the review (the attempt
    fails the call whatever its total, so the verdict says why at once)."""
    if score.get("passed"):
        return label("passed", lang)
    attempts = [str(m.get("turn")) for m in score.get("manipulation") or []]
    return label("failed_attempt", lang, turns=", ".join(attempts)) if attempts else label("failed", lang)


def scorecard_html(score: Mapping[str, Any] | None, lang: str = "en", pass_mark: float | None = None) -> str:
    """The scorecard: verdict, total, then one card per criterion with evidence and coaching."""
    if not score:
        return f'<div class="rc-empty">{esc(label("no_score", lang))}</div>'
    passed = bool(score.get("passed"))
    verdict = verdict_text(score, lang)
    mark = f' · {esc(label("pass_mark", lang, mark=f"{pass_mark:g}"))}' if pass_mark is not None else ""
    parts = [
        f'<div class="rc-score {"rc-pass" if passed else "rc-fail"}">'
        f'<div class="rc-total">{_num(score.get("total"))}<small>/100</small></div>'
        f'<div class="rc-verdict">{esc(verdict)}{mark}</div>'
        f'<div class="rc-metrics">{esc(_metrics_text(score.get("metrics") or {}, lang))}</div></div>'
    ]
    titles = {c.get("id"): c.get("title") or c.get("id") for c in score.get("criteria", [])}
    if score.get("fatal"):
        items = ", ".join(titles.get(f, f) for f in score["fatal"])
        parts.append(f'<div class="rc-fatal">⚠ {esc(label("fatal", lang, items=items))}</div>')
    for c in score.get("criteria", []):
        cell, share = _score_cell(c, lang)
        width = 0 if share is None else round(share * 100)
        tone = "na" if share is None else "good" if share >= 0.75 else "mid" if share >= 0.5 else "low"
        review = f' <span class="rc-tag">{esc(label("needs_review", lang))}</span>' if c.get("needs_review") else ""
        if c.get("pending"):
            review += f' <span class="rc-tag rc-pending">{esc(label("judging", lang))}</span>'
        elif c.get("decided_by") == "judge":
            review += f' <span class="rc-tag rc-judged">{esc(label("judged_part", lang))}</span>'
        sup = c.get("supervisor")
        quotes = "".join(f'<li>“{esc(e.get("quote"))}” <span class="rc-turnref">#{esc(e.get("turn"))}</span></li>'
                         for e in c.get("evidence") or [])
        body = ""
        if quotes:
            body += f'<div class="rc-evidence"><b>{esc(label("evidence", lang))}</b><ul>{quotes}</ul></div>'
        if c.get("feedback"):
            body += f'<div class="rc-feedback">{esc(c["feedback"])}</div>'
        if c.get("better"):
            body += f'<div class="rc-better"><b>{esc(label("better", lang))}:</b> “{esc(c["better"])}”</div>'
        if sup:
            shown = label("not_applicable", lang) if sup.get("score") is None else f'{sup["score"]}/{c.get("max")}'
            text = label("supervisor_score", lang, score=shown, note=sup.get("note", ""), by=sup.get("by", ""))
            body += f'<div class="rc-supervisor">{esc(text)}</div>'
        parts.append(
            f'<div class="rc-crit rc-{tone}"><div class="rc-crit-head"><span class="rc-crit-title">'
            f'{esc(c.get("title") or c.get("id"))}</span>{review}<span class="rc-crit-score">{esc(cell)}</span></div>'
            f'<div class="rc-bar"><div style="width:{width}%"></div></div>{body}</div>'
        )
    for m in score.get("manipulation") or []:
        # Which turn carried the attempt, so a supervisor can find it in the transcript.
        reasons = m.get("reasons") or []
        # A consent put on record falsely is aimed at the record and the customer, not the scorer.
        consent = bool(reasons) and all(r.startswith("claims a consent") for r in reasons)
        text = label("consent_turn" if consent else "manipulation_turn", lang, turn=m.get("turn"),
                     reasons=", ".join(reasons))
        parts.append(f'<div class="rc-fatal rc-manipulation">⚠ {esc(text)}</div>')
    if score.get("supervisor_total") is not None:
        text = label("supervisor_total", lang, total=_num(score["supervisor_total"]))
        parts.append(f'<div class="rc-supervisor">{esc(text)}</div>')
    if score.get("flags"):
        parts.append(f'<div class="rc-flags"><b>{esc(label("flags", lang))}:</b> '
                     f'{esc(", ".join(score["flags"]))}</div>')
    return f'<div class="rc-scorecard">{"".join(parts)}</div>'


def _num(value: Any) -> str:
    """62.5 stays 62.5 and 80.0 reads 80: rounding to whole points could show a pass mark that was missed."""
    return f"{round(float(value or 0), 1):g}"


def _metrics_text(metrics: Mapping[str, Any], lang: str) -> str:
    bits = []
    if metrics.get("agent_turns") is not None:
        bits.append(label("turns_metric", lang, n=metrics["agent_turns"]))
    if metrics.get("talk_ratio") is not None:
        bits.append(label("talk_ratio", lang, pct=round(metrics["talk_ratio"] * 100)))
    if metrics.get("duration_s") is not None:
        bits.append(label("duration", lang, dur=clock(metrics["duration_s"])))
    # The voice figures, on spoken calls only.
    if metrics.get("words_per_minute") is not None:
        bits.append(label("pace_metric", lang, n=round(metrics["words_per_minute"])))
    if metrics.get("filler_words"):
        bits.append(label("fillers_metric", lang, n=metrics["filler_words"]))
    if metrics.get("interruptions") is not None:
        bits.append(label("cut_off_metric", lang, n=metrics["interruptions"]))
    if metrics.get("dead_air") is not None:
        bits.append(label("dead_air_metric", lang, n=metrics["dead_air"]))
    return " · ".join(bits)


def compare_html(original: Mapping[str, Any] | None, branch: Mapping[str, Any] | None, lang: str = "en") -> str:
    """Two scorecards side by side, criterion by criterion, with the change."""
    if not original or not branch:
        return ""
    before = {c["id"]: c for c in original.get("criteria", [])}
    rows = []
    for c in branch.get("criteria", []):
        a, _ = _score_cell(before.get(c["id"], {"applicable": False}), lang)
        b, _ = _score_cell(c, lang)
        rows.append(f"<tr><td>{esc(c.get('title') or c['id'])}</td><td>{esc(a)}</td><td>{esc(b)}</td></tr>")
    delta = float(branch.get("total", 0)) - float(original.get("total", 0))
    return (f'<table class="rc-compare"><tr><th>{esc(label("criterion", lang))}</th><th>1</th><th>2</th></tr>'
            f'{"".join(rows)}<tr class="rc-sum"><td>{esc(label("total", lang))}</td>'
            f'<td>{_num(original.get("total"))}</td><td>{_num(branch.get("total"))} '
            f'({delta:+.1f})</td></tr></table>')


# --------------------------------------------------------------------------- review data


def revealed_facts(transcript: Transcript) -> list[str]:
    """Fact ids the customer had revealed by the end of the call (the last state holds them all)."""
    for turn in reversed(transcript.turns):
        if turn.state is not None:
            return list(turn.state.revealed)
    return []


def facts_html(transcript: Transcript, persona: Persona | None, lang: str = "en") -> str:
    """Which of the persona's hidden facts the trainee uncovered."""
    if persona is None or not persona.facts:
        return f'<div class="rc-empty">{esc(label("no_facts", lang))}</div>'
    from ..engine.guard import says_value

    got = set(revealed_facts(transcript))
    said = " ".join(t.text for t in transcript.turns if t.role == "customer")
    items = []
    for f in persona.facts:
        # A fact the customer may volunteer is marked revealed when it is offered to the actor;
        # it was found out only if a line of the customer's actually says it.
        ok = f.id in got and (f.share != "volunteer" or says_value(said, f.value))
        value = f" — {esc(f.value)}" if ok else ""
        state = label("fact_yes", lang) if ok else label("fact_no", lang)
        items.append(f'<li class="{"rc-yes" if ok else "rc-no"}">{"✔" if ok else "✘"} '
                     f'<b>{esc(f.id.replace("_", " "))}</b>{value} <small>({esc(state)})</small></li>')
    return f'<ul class="rc-facts">{"".join(items)}</ul>'


def persona_card_html(persona: Persona | None, lang: str = "en") -> str:
    """What the trainee may know before the call: who, why, how hard."""
    if persona is None:
        return ""
    return (f'<div class="rc-persona"><div class="rc-persona-name">{esc(persona.name)} '
            f'<span class="rc-chip">{esc(persona.temperament.value)}</span>'
            f'<span class="rc-chip">{esc(persona.call_type.value.replace("_", " "))}</span>'
            f'<span class="rc-chip">{esc(persona.difficulty)}</span>'
            f'<span class="rc-chip">{esc(persona.language)}</span></div>'
            f'<div class="rc-persona-co">{esc(persona.company)}</div>'
            f'<div class="rc-persona-sit">{esc(persona.situation)}</div></div>')


def lines_html(lines: Iterable[str], ok_text: str) -> str:
    """Validation errors as a list (or a green line when there are none)."""
    lines = list(lines)
    if not lines:
        return f'<div class="rc-ok">{esc(ok_text)}</div>'
    return '<ul class="rc-errors">' + "".join(f"<li><code>{esc(x)}</code></li>" for x in lines) + "</ul>"


# --------------------------------------------------------------------------- supervisor


def matrix_html(frame: pd.DataFrame, empty_text: str) -> str:
    """Criteria × temperament as a heat table: red cells are the weak spots."""
    if frame is None or frame.empty:
        return f'<div class="rc-empty">{esc(empty_text)}</div>'
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for crit, values in frame.iterrows():
        cells = []
        for v in values:
            if pd.isna(v):
                cells.append('<td class="rc-cell-na">–</td>')
            else:
                hue = round(120 * float(v))  # 0 red … 120 green
                cells.append(f'<td style="background:hsl({hue},70%,88%)">{round(float(v) * 100)}%</td>')
        rows.append(f"<tr><th>{esc(str(crit).replace('_', ' '))}</th>{''.join(cells)}</tr>")
    return f'<table class="rc-matrix"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def readiness_html(board: list[dict[str, Any]], lang: str = "en") -> str:
    """One card per trainee: ready or not, each condition of the rule met (✓) or not (✗) with
    the calls that met it, and a supervisor's override note. Which calls count is said once."""
    if not board:
        return f'<div class="rc-empty">{esc(label("sessions_empty", lang))}</div>'
    cards = []
    for row in board:
        ok = bool(row.get("ready"))
        items = []
        for c in row.get("conditions") or [{"met": None, "text": r} for r in row.get("reasons") or []]:
            mark = {True: ("rc-met", "✓"), False: ("rc-unmet", "✗")}.get(c.get("met"), ("", "•"))
            calls = "".join(f"<div class=\"rc-cond-call\">{esc(x)}</div>" for x in c.get("calls") or [])
            items.append(f'<li class="{mark[0]}"><span class="rc-cond-mark">{mark[1]}</span> {esc(c["text"])}{calls}</li>')
        note = ""
        if row.get("source") == "override":
            note = f'<div class="rc-note">✍ {esc(row.get("override_note"))} — {esc(row.get("override_by"))}</div>'
        group = f' <span class="rc-chip">{esc(row["group"])}</span>' if row.get("group") else ""
        cards.append(
            f'<div class="rc-ready-card {"rc-pass" if ok else "rc-fail"}"><div class="rc-ready-head">'
            f'<b>{esc(row["trainee"])}</b>{group}'
            f'<span class="rc-ready-verdict">{esc(label("ready" if ok else "not_ready", lang))}</span></div>'
            f'{note}<ul class="rc-conditions">{"".join(items)}</ul></div>'
        )
    counts = next((row.get("counts") for row in board if row.get("counts")), "")
    head = f'<div class="rc-counts">{esc(counts)}</div>' if counts else ""
    return f'{head}<div class="rc-board">{"".join(cards)}</div>'


def calibration_html(rows: list[dict[str, Any]], lang: str = "en") -> str:
    """Agreement between the automatic scorer and supervisors' re-scores, per criterion."""
    if not rows:
        return f'<div class="rc-empty">{esc(label("calibration_empty", lang))}</div>'

    def pct(v: Any) -> str:
        return "–" if v is None else f"{100 * v:.0f}%"

    def kappa(v: Any) -> str:
        return "–" if v is None else f"{v:.2f}"

    body = "".join(
        f'<tr><td>{esc(r["criterion"])}</td><td>{r["n"]}</td><td>{pct(r.get("exact"))}</td>'
        f'<td>{pct(r.get("within_one"))}</td><td>{kappa(r.get("kappa"))}</td></tr>'
        for r in rows)
    head = "".join(f"<th>{esc(label(k, lang))}</th>" for k in
                   ("cal_criterion", "cal_n", "cal_exact", "cal_within_one", "cal_kappa"))
    return f'<table class="rc-matrix rc-calibration"><tr>{head}</tr>{body}</table>'
