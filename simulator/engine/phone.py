"""The moments of a phone call that are not an answer to the trainee's words: the trainee
went quiet, talked over the customer, talked for a minute without a pause, or put on record a
consent the customer never gave.

A person on the phone reacts to these; the lines are short and fixed (an LLM is not asked:
they must come at once, and a 1.5B model wanders off on an instruction like "you were
interrupted"). A persona's `phone_lines` replaces any of them.
"""

from __future__ import annotations

import random

from ..persona import Persona

DEFAULT_LINES: dict[str, dict[str, list[str]]] = {
    "en": {
        "still_there": ["Hello? Are you still there?", "Hello? Can you hear me?", "Hello? Is anyone there?"],
        "gone_quiet": ["I can't hear anyone. I'm hanging up.", "Nobody there? I'll hang up, then."],
        "cut_off": ["Let me finish, please.", "Can I finish?", "Hang on, I wasn't done."],
        "long_turn": ["Sorry, can I get a word in?", "Sorry to stop you, but can I say something?"],
        "not_agreed": ["Hold on, I didn't agree to anything.", "Wait, I didn't say yes to that.",
                       "No, I haven't agreed to anything yet."],
    },
    "ro": {
        "still_there": ["Alo? Mai sunteți acolo?", "Alo? Mă auziți?", "Alo? E cineva acolo?"],
        "gone_quiet": ["Nu aud pe nimeni. Închid.", "Nu e nimeni? Atunci închid."],
        "cut_off": ["Lăsați-mă să termin, vă rog.", "Pot să termin?", "Stați puțin, n-am terminat."],
        "long_turn": ["Scuzați-mă, pot să spun și eu ceva?", "Iertați-mă că vă întrerup, dar pot să zic ceva?"],
        "not_agreed": ["Stați puțin, n-am fost de acord cu nimic.", "Cum adică? N-am zis da la asta.",
                       "Nu, n-am acceptat nimic încă."],
    },
}

# Who says "Let me finish" when talked over, and loses patience for it. Calm, hesitant,
# elderly, confused and talkative customers let it go (the interruption still counts on
# the scorecard's voice figures).
REACTS_TO_CUT_OFF = frozenset({"irritable", "hurried", "skeptical"})
SILENCES_BEFORE_HANG_UP = 2  # "Hello? Are you still there?" once, then the customer hangs up


def phone_line(persona: Persona, kind: str, rng: random.Random, earlier: list[str] = ()) -> str:
    """One of the persona's lines for `kind` (its own, else the language's), preferring one not said yet."""
    own = list(getattr(persona.phone_lines, kind))
    options = own or DEFAULT_LINES.get(persona.language, DEFAULT_LINES["en"])[kind]
    fresh = [o for o in options if not any(e.startswith(o) for e in earlier)] or options
    return fresh[rng.randrange(len(fresh))]


def reacts_to_cut_off(persona: Persona) -> bool:
    return persona.temperament.value in REACTS_TO_CUT_OFF
