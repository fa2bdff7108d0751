"""The agent's own name in a line ("my name is Ana", "mă numesc Ioana")."""

from __future__ import annotations

import re

# Regexes on folded text; group 1 is the agent's own name.
NAME_PATTERNS = [
    r"\bmy name(?:'s| is) (\w+)",
    r"\bthis is (\w+)(?: \w+)?(?: from| at| with| of|,| speaking| here)",
    r"\b(?:i'm|i am) (\w+)(?: \w+)? (?:from|at|with|of)\b",
    r"\b(\w+) speaking\b",
    r"\byou(?:'re| are) (?:speaking|talking) (?:with|to) (\w+)",
    r"\bnumele meu (?:este|e) (\w+)",
    r"\bma numesc (\w+)",
    r"\b(?:sunt|aici este|aici e) (\w+)(?: \w+)? (?:de la|din partea)\b",
    r"\b(?:vorbiti|vorbesti) cu (\w+)",
    r"\bva (?:vorbeste|asculta|suna|raspunde) (\w+)",
    r"(?:^|[,.!?;] )(\w+) here\b(?! is| are| was)",
    r"\b(?:it's|it is) (\w+)(?: here| calling| ringing| phoning)* (?:from|at|with|on behalf|here)\b",
    r"\byou(?:'re| are) through to (\w+)",
    r"\bname(?:'s| is) (\w+)",
    r"\b(?:i'm|i am) (\w+)(?:[,.!]|$| and i| calling| on behalf| from)",
    r"\bma cheama (\w+)",
    r"\b(?:sunt|aici e|aici este|aici) (\w+)(?:[,.!]|$| si| de la| din partea| la telefon)",
    r"\b(\w+) la telefon\b",
]
# Words the loose name patterns can catch that are not names ("I'm sorry from ...").
NOT_NAMES = {
    "sorry", "here", "calling", "the", "a", "an", "glad", "happy", "sure", "afraid", "not", "going",
    "just", "so", "very", "really", "still", "now", "your", "our", "customer", "support", "service",
    "team", "department", "agent", "it", "that", "me", "who", "someone", "bucuros", "bucuroasa",
    "aici", "de", "la", "un", "o", "eu", "noi", "m", "s", "sorry", "fine", "okay", "ok", "well", "good",
    "calling", "afraid", "unable", "able", "looking", "checking", "back", "done", "ready", "listening",
    "everything", "details", "number", "all", "one", "this", "there", "everyone", "nobody", "what", "how",
    "gata", "bine", "multumit", "sigur", "convins", "aceasta", "acesta", "asta", "acum", "tot", "toate",
    "colegul", "colega", "tehnicianul", "cineva", "el", "ea", "maine", "inapoi", "imediat", "personal", "dupa",
    "azi", "dispus", "dispusa", "disponibil", "disponibila", "ocupat", "ocupata", "sincer", "sincera", "atent",
    "atenta", "bucuros", "bucuroasa", "dumneavoastra", "sunt", "nevoie", "in", "pe", "cu", "va", "sa",
}


# Looser patterns, taken only when the original line writes the word as a name ("this is Marek.").
CAPITALISED_PATTERNS = [r"\bthis is (\w+)\b", r"\baici (?:este|e) (\w+)\b"]


def agent_name(folded: str, company: str | None = None, original: str | None = None) -> str | None:
    """The agent's own name in a folded line, or None. Words of the company name do not count
    ("this is Nordlink Telecom, ...")."""
    from simulator.text import fold

    skip = NOT_NAMES | set(fold(company or "").split())
    patterns = list(NAME_PATTERNS)
    if company:
        # "Sam from Tillwise", "Jess at Skyway Mobile": a word, then the company.
        first = re.escape(fold(company).split()[0])
        patterns.append(rf"(?:^|[,.!?;:] |\b(?:hi|hello|hey|morning|afternoon|buna|buna ziua),? )(\w+)"
                        rf"(?: here| calling| ringing)? (?:from|at|with|of|de la) {first}")
    for pattern in patterns:
        for m in re.finditer(pattern, folded):
            if m.group(1) not in skip:
                return m.group(1)
    if original:
        for pattern in CAPITALISED_PATTERNS:
            for m in re.finditer(pattern, original, flags=re.IGNORECASE):
                word = m.group(1)
                if word[:1].isupper() and fold(word) not in skip:
                    return fold(word)
    return None
