"""Voice figures for scoring, computed from the trainee's audio turns. Pure functions.

`voice_metrics` returns a dict with these keys (None where there is nothing to measure):

- words_per_minute   agent words / agent speaking minutes (leading and trailing silence
                     of each recording excluded when segments are known)
- filler_words       count of filler words and phrases in the agent's turns
- filler_per_min     filler_words per agent speaking minute
- fillers            {filler: count}, only those that occurred
- long_silences      long_pauses + slow_responses
- long_pauses        pauses > 2 s inside the agent's recordings (gaps between words or
                     segments; needs Transcription segments)
- slow_responses     customer-to-agent gaps > 5 s (needs response_gaps_s)
- talk_ratio_time    agent speaking s / (agent + customer speaking s)
- interruptions      customer lines the trainee talked over (hands-free barge-in)
- dead_air           silences the customer had to sit through: slow_responses, plus the
                     times the customer had to ask "are you still there?"
- dead_air_s         seconds of the slow responses' gaps (the asked ones are not timed)
- agent_speaking_s, customer_speaking_s, agent_words
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from simulator.voice.stt import Transcription

PAUSE_S = 2.0
RESPONSE_GAP_S = 5.0

FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("um", "uh", "er", "like", "you know", "i mean", "basically", "actually", "sort of", "kind of"),
    "ro": ("ăă", "ăăă", "îîî", "deci", "adică", "practic", "gen", "na", "păi"),
}
# Spelling variants a recogniser or a keyboard produces, folded onto the listed filler.
_VARIANTS = {
    "en": {"umm": "um", "ummm": "um", "uhh": "uh", "uhhh": "uh", "erm": "er", "hmm": "um"},
    "ro": {"adica": "adică", "pai": "păi", "ăăăă": "ăăă", "îî": "îîî", "îîîî": "îîî"},
}
_TOKEN = re.compile(r"[\w']+")

AgentTurn = tuple[str, Transcription | float]


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def count_fillers(text: str, language: str = "en") -> Counter[str]:
    """Fillers in one line; multi-word fillers ("you know") count once per occurrence."""
    fillers = FILLERS.get(language, FILLERS["en"])
    variants = _VARIANTS.get(language, {})
    toks = [variants.get(t, t) for t in words(text)]
    found: Counter[str] = Counter()
    for filler in fillers:
        parts = filler.split()
        k = len(parts)
        found[filler] += sum(1 for i in range(len(toks) - k + 1) if toks[i : i + k] == parts)
    return +found  # drop zero counts


def _speaking_s(audio: Transcription | float) -> float:
    if isinstance(audio, Transcription):
        if audio.segments:
            return max(0.0, audio.segments[-1].end - audio.segments[0].start)
        return audio.duration_s
    return float(audio)


def long_pauses(tr: Transcription, threshold_s: float = PAUSE_S) -> int:
    """Pauses longer than threshold_s between consecutive words (or segments, when words
    are missing) of one recording."""
    marks = [(w.start, w.end) for s in tr.segments for w in s.words]
    if not marks or any(not s.words for s in tr.segments):
        marks = [(s.start, s.end) for s in tr.segments]
    return sum(1 for (_, end), (start, _) in zip(marks, marks[1:]) if start - end > threshold_s)


def response_gaps(turns: Sequence, customer_durations: Mapping[int, float]) -> list[float]:
    """Seconds from the end of each customer line to the start of the agent's answer.

    turns: objects with `.role` and `.t` (start time in seconds), e.g. transcript Turns;
    customer_durations: audio length of customer turns, by index in `turns`.
    """
    gaps = []
    for i in range(1, len(turns)):
        prev, cur = turns[i - 1], turns[i]
        if cur.role == "agent" and prev.role == "customer" and (i - 1) in customer_durations:
            gaps.append(max(0.0, cur.t - (prev.t + customer_durations[i - 1])))
    return gaps


def voice_metrics(
    agent_turns: Sequence[AgentTurn],
    customer_durations: Sequence[float] = (),
    language: str = "en",
    response_gaps_s: Sequence[float] | None = None,
    interruptions: int = 0,
    still_there: int = 0,
) -> dict:
    """Figures for the scorer. agent_turns: (text, Transcription or audio seconds) per
    trainee turn; customer_durations: seconds of each customer audio line; interruptions:
    customer lines cut off; still_there: times the customer asked whether anyone was there."""
    agent_s = sum(_speaking_s(a) for _, a in agent_turns)
    customer_s = float(sum(customer_durations))
    n_words = sum(len(words(text)) for text, _ in agent_turns)
    fillers: Counter[str] = Counter()
    for text, _ in agent_turns:
        fillers += count_fillers(text, language)
    n_fillers = sum(fillers.values())
    pauses = sum(long_pauses(a) for _, a in agent_turns if isinstance(a, Transcription))
    slow_gaps = [g for g in (response_gaps_s or ()) if g > RESPONSE_GAP_S]
    slow = len(slow_gaps)
    minutes = agent_s / 60.0
    total_s = agent_s + customer_s
    return {
        "words_per_minute": round(n_words / minutes, 1) if minutes > 0 else None,
        "filler_words": n_fillers,
        "filler_per_min": round(n_fillers / minutes, 2) if minutes > 0 else None,
        "fillers": dict(fillers),
        "long_silences": pauses + slow,
        "long_pauses": pauses,
        "slow_responses": slow,
        "talk_ratio_time": round(agent_s / total_s, 3) if total_s > 0 else None,
        "agent_speaking_s": round(agent_s, 2),
        "customer_speaking_s": round(customer_s, 2),
        "agent_words": n_words,
        "interruptions": int(interruptions),
        "dead_air": slow + int(still_there),
        "dead_air_s": round(sum(slow_gaps), 1),
    }
