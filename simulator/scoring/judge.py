"""The LLM judge for `llm` and `both` criteria: one call per criterion, quotes verified.

Every criterion's prompt shares the same prefix (system text + the delimited transcript) so
llama.cpp's prompt cache reuses it; only the short criterion part at the end changes. The
answer is constrained by a JSON schema where the backend supports it, and parsed by a pure
function that fails closed anyway. Quotes the judge gives as evidence are checked against
the agent's own lines; an invented quote is dropped and the criterion goes to review.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

from simulator.llm.base import LLM, Message
from simulator.rubric import Criterion

from .model import Evidence
from .text import clean
from .view import REMOVED, CallView

log = logging.getLogger(__name__)
PROMPT_FILE = Path(__file__).resolve().parent.parent / "prompts" / "judge.md"
OPEN, CLOSE = "<<<CALL", "CALL>>>"
MAX_EVIDENCE = 2
TURN_ONLY = ""  # the quote of evidence named by its turn alone (code fills in the line)
# No maxLength on the strings: measured with llama.cpp on 2 cores, bounded string lengths in
# the grammar slowed generation from ~20 to ~1 token/s. Length is kept down by the prompt
# and max_tokens instead.


@lru_cache(maxsize=1)
def prompt_parts() -> dict[str, str]:
    """The '# system' and '# criterion' parts of prompts/judge.md."""
    text = re.sub(r"<!--.*?-->", "", PROMPT_FILE.read_text(encoding="utf-8"), flags=re.S)
    parts: dict[str, str] = {}
    for chunk in re.split(r"^# ", text, flags=re.M)[1:]:
        name, _, body = chunk.partition("\n")
        parts[name.strip().lower()] = body.strip()
    return parts


def _one_line(text: str) -> str:
    # A line must not be able to fake a new transcript line or close the data block.
    flat = re.sub(r"\s+", " ", clean(text)).strip()
    return flat.replace("<<<", "<< <").replace(">>>", "> >>")


def transcript_block(view: CallView) -> str:
    rows = [OPEN] + [f"[turn {x.turn}] {x.role.upper()}: {_one_line(x.text)}" for x in view.lines] + [CLOSE]
    return "\n".join(rows)


def excerpt_block(view: CallView, turns: set[int]) -> str:
    """The part of the call a judge choosing between two levels needs: the agent lines code
    found (its evidence), each with the customer line it answered, in call order and under
    their real turn numbers (so quotes are checked as usual). Much shorter than the whole call:
    on 2 cores reading the prompt is most of a judged part's time."""
    keep: set[int] = set()
    for x in view.lines:
        if x.turn in turns and x.role == "agent":
            keep.add(x.turn)
            before = next((c for c in reversed(view.customer) if c.turn < x.turn), None)
            if before is not None:
                keep.add(before.turn)
    if not keep:
        return transcript_block(view)
    rows = [f"[turn {x.turn}] {x.role.upper()}: {_one_line(x.text)}" for x in view.lines if x.turn in keep]
    return "\n".join([OPEN] + rows + [CLOSE])


def criterion_block(criterion: Criterion, levels: list[int] | None = None) -> str:
    """The criterion part of the prompt. `levels`: the only levels left open (code decided the
    rest); the judge then sees just those and picks one."""
    allowed = sorted(levels) if levels else sorted(criterion.levels)
    text = "\n".join(f"{k} = {criterion.levels[k].strip()}" for k in allowed if k in criterion.levels)
    choice = (f"Give a score from 0 to {criterion.max_score}." if not levels else
              "Code already settled the rest: give one of " + ", ".join(str(x) for x in allowed) + ".")
    return Template(prompt_parts()["criterion"]).safe_substitute(
        title=criterion.title, description=criterion.description.strip(), levels=text,
        max=str(criterion.max_score), choice=choice)


_BRIEF = '\nAnswer with only {"evidence": [{"turn": N, "quote": "..."}], "score": N}.'
_BRIEF_TURN = ('\nAnswer with only {"turn": N, "score": N}: first the turn of the AGENT line that decides the level, '
               'then the level.')


def judge_messages(block: str, criterion: Criterion, levels: list[int] | None = None,
                   brief: bool = False, by_turn: bool = False) -> list[Message]:
    """System + transcript first (identical for every criterion), the criterion last. `brief`:
    the short system part (a quote and the level; no feedback or better line asked for).
    `by_turn`: the evidence is named by the turn of the agent line, not copied out."""
    tail = criterion_block(criterion, levels) + (_BRIEF_TURN if brief and by_turn else _BRIEF if brief else "")
    system = prompt_parts()["system brief" if brief else "system"]
    return [("system", system), ("user", f"{block}\n\n{tail}")]


def verdict_schema(max_score: int, levels: list[int] | None = None, brief: bool = False,
                   turns: list[int] | None = None) -> dict[str, Any]:
    """The answer's JSON schema. `brief`: one quote and the score, nothing else (what code uses
    from a small model choosing among a few levels; its prose is not shown). `turns` (brief
    only): the agent turns it may name as evidence, by number; its line is then quoted whole by
    code (a dozen tokens to write instead of a copied quote: each costs time on 2 cores)."""
    score = ({"type": "integer", "enum": sorted(levels)} if levels else
             {"type": "integer", "minimum": 0, "maximum": max_score})
    if brief and turns:
        return {"type": "object", "properties": {"turn": {"type": "integer", "enum": sorted(turns)}, "score": score},
                "required": ["turn", "score"]}
    if brief:
        return {"type": "object", "properties": {
            "evidence": {"type": "array", "maxItems": 1, "items": {
                "type": "object", "properties": {"turn": {"type": "integer", "minimum": 1}, "quote": {"type": "string"}},
                "required": ["turn", "quote"]}},
            "score": {"type": "integer", "enum": sorted(levels)} if levels else
                     {"type": "integer", "minimum": 0, "maximum": max_score}},
            "required": ["evidence", "score"]}
    # Property order matters to grammar-constrained decoding: evidence is written first.
    return {
        "type": "object",
        "properties": {
            "evidence": {"type": "array", "maxItems": MAX_EVIDENCE, "items": {
                "type": "object",
                "properties": {"turn": {"type": "integer", "minimum": 1}, "quote": {"type": "string"}},
                "required": ["turn", "quote"]}},
            "score": ({"type": "integer", "enum": sorted(levels)} if levels else
                      {"type": "integer", "minimum": 0, "maximum": max_score}),
            "feedback": {"type": "string"},
            "better": {"type": "string"},
        },
        "required": ["evidence", "score", "feedback", "better"],
    }


@dataclass(frozen=True)
class Verdict:
    score: int
    evidence: list[Evidence]
    feedback: str
    better: str


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _closed(text: str) -> str | None:
    """A JSON object cut off by max_tokens, closed: the open string and brackets are ended
    (a trailing comma or dangling key is dropped). None when there is no object start."""
    start = text.find("{")
    if start < 0:
        return None
    stack: list[str] = []
    in_string = escaped = False
    for ch in text[start:]:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                return None
            stack.pop()
            if not stack:
                return None  # the object was complete: nothing to repair
    body = text[start:] + ('"' if in_string else "")
    body = re.sub(r',\s*("[^"]*"\s*:?\s*)?$', "", body.rstrip())  # dangling `, "key":`
    return body + "".join(reversed(stack))


def _candidates(raw: str) -> list[Any]:
    """JSON values found in the text: fenced blocks first, then the whole text, then every
    object that starts somewhere in it (stray prose around the JSON is common), and last an
    object cut off mid-way (the score comes before the long fields, so it survives)."""
    texts = re.findall(r"```(?:json|JSON)?\s*(.*?)```", raw, flags=re.S) + [raw]
    closed = _closed(raw)
    if closed:
        texts.append(closed)
    decoder = json.JSONDecoder()
    found = []
    for text in texts:
        try:
            found.append(json.loads(text.strip()))
            continue
        except ValueError:
            pass
        for m in re.finditer(r"\{", text):
            try:
                value, _ = decoder.raw_decode(text, m.start())
            except ValueError:
                continue
            found.append(value)
    return found


def parse_verdict(raw: str, max_score: int) -> Verdict | None:
    """The judge's verdict from its raw answer, or None when no usable verdict is in it.
    Pure: no model, no transcript. Score must be an integer level 0..max_score."""
    for value in _candidates(raw or ""):
        if not isinstance(value, dict) or "score" not in value:
            continue
        score = _as_int(value.get("score"))
        if score is None or not 0 <= score <= max_score:
            continue
        items = value.get("evidence") or []
        if not items and _as_int(value.get("turn")) is not None:
            items = [{"turn": value.get("turn"), "quote": TURN_ONLY}]  # named by turn: code quotes the line
        if isinstance(items, dict):
            items = [items]
        evidence = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            turn, quote = _as_int(item.get("turn")), item.get("quote")
            if turn is not None and turn >= 1 and isinstance(quote, str) and (quote.strip() or quote is TURN_ONLY):
                evidence.append(Evidence(turn=turn, quote=quote.strip()))
        feedback, better = value.get("feedback"), value.get("better")
        return Verdict(score, evidence, feedback.strip() if isinstance(feedback, str) else "",
                       better.strip() if isinstance(better, str) else "")
    return None


_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_EDGE = " \"'.,;:!?"


def _pieces(quote: str) -> list[str]:
    return [p.strip(_EDGE).lower() for p in _ELLIPSIS.split(clean(quote)) if p.strip(_EDGE)]


def _quote_in(quote: str, line: str) -> str | None:
    """The quote as it stands in the line when every piece of it is there, in order."""
    pieces = _pieces(quote)
    if not pieces or sum(len(p) for p in pieces) < 4:
        return None
    hay, pos = clean(line), 0
    low = hay.lower()
    start = None
    for piece in pieces:
        at = low.find(piece, pos)
        if at < 0:
            return None
        start = at if start is None else start
        pos = at + len(piece)
    if len(pieces) == 1 and len(low) == len(hay):
        return hay[start:pos]  # the line's own casing
    return clean(quote).strip(_EDGE)


def verify_quotes(evidence: list[Evidence], agent_lines: dict[int, str]) -> tuple[list[Evidence], list[Evidence]]:
    """(kept, dropped). A quote counts when found in the agent's line at its turn, or in any
    agent line (the turn number is then fixed). Lines removed as manipulation never count."""
    kept, dropped = [], []
    usable = {t: text for t, text in agent_lines.items() if text != REMOVED}
    for ev in evidence:
        order = ([ev.turn] if ev.turn in usable else []) + [t for t in sorted(usable) if t != ev.turn]
        for turn in order:
            exact = _quote_in(ev.quote, usable[turn])
            if exact:
                kept.append(Evidence(turn=turn, quote=exact))
                break
        else:
            dropped.append(ev)
    return kept, dropped


@dataclass
class Judgement:
    score: int | None
    evidence: list[Evidence] = field(default_factory=list)
    feedback: str = ""
    better: str = ""
    needs_review: bool = False
    flags: set[str] = field(default_factory=set)
    raw: str | None = None


def judge_criterion(llm: LLM, view: CallView, criterion: Criterion, *, samples: int = 1, seed: int = 0,
                    block: str | None = None, max_tokens: int = 160, levels: list[int] | None = None,
                    brief: bool = False, turns: list[int] | None = None) -> Judgement:
    """Judge one criterion on a (masked) call view; fails closed: no usable verdict → score None.
    `levels`: the judge may only pick among these (an answer outside them is moved to the
    nearest one and the criterion goes to review). `turns` (with `brief`): the agent lines it
    may name as evidence, by turn; the named line is the quote."""
    block = block if block is not None else transcript_block(view)
    by_turn = bool(brief and turns)
    messages = judge_messages(block, criterion, levels, brief, by_turn)
    schema = verdict_schema(criterion.max_score, levels, brief, turns if by_turn else None)
    verdicts: list[Verdict] = []
    raws: list[str] = []
    flags: set[str] = set()
    for i in range(max(1, samples)):
        try:
            raw = llm.complete(messages, max_tokens=max_tokens, temperature=0.0 if samples <= 1 else 0.7,
                               seed=seed + i, json_schema=schema)
        except Exception as e:  # noqa: BLE001 - any backend failure leaves the criterion unscored
            log.warning("judge failed on %s: %s", criterion.id, e)
            raws.append(f"error: {e}")
            flags.add("judge_error")
            continue
        raws.append(raw)
        verdict = parse_verdict(raw, criterion.max_score)
        if verdict is None:
            flags.add("judge_unparsed")
        else:
            if levels and verdict.score not in levels:
                flags.add("judge_out_of_range")
                nearest = min(levels, key=lambda x: (abs(x - verdict.score), x))
                verdict = Verdict(nearest, verdict.evidence, verdict.feedback, verdict.better)
            verdicts.append(verdict)
    if not verdicts:
        return Judgement(None, needs_review=True, flags=flags, raw="\n---\n".join(raws))
    scores = [v.score for v in verdicts]
    median = statistics.median_low(scores)
    chosen = next(v for v in verdicts if v.score == median)
    needs_review = "judge_out_of_range" in flags
    if max(scores) - min(scores) > (1 if not levels else 0):
        flags.add("judge_disagreement")
        needs_review = True
    agent_lines = {x.turn: x.text for x in view.agent}
    named = [Evidence(turn=e.turn, quote=clean(agent_lines[e.turn]).strip()) for e in chosen.evidence
             if e.quote == TURN_ONLY and e.turn in agent_lines and agent_lines[e.turn] != REMOVED
             and (not turns or e.turn in turns)]
    if len(named) < sum(e.quote == TURN_ONLY for e in chosen.evidence):
        flags.add("unverified_quote")  # a turn that is no agent line it was shown
        needs_review = True
    kept, dropped = verify_quotes([e for e in chosen.evidence if e.quote != TURN_ONLY], agent_lines)
    kept = named + kept
    if dropped:
        flags.add("unverified_quote")
        needs_review = True
    return Judgement(median, kept, chosen.feedback, chosen.better, needs_review, flags,
                     raw="\n---\n".join(raws) if "judge_unparsed" in flags or "judge_error" in flags else None)
