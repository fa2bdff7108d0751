"""The scorecard's "Try saying" lines on the blind call sets: in the call's language, with no slot.

Every call in tests/data/scoring/calls*/ is scored by code (no judge). Counted over the lines
offered: in_call_language (coaching.in_language, and for Romanian calls no common English word),
with_a_slot (a "<...>" left: only the trainee's name should be, when they never said it) and
company_slot ("<company>" left although the persona names its company).
Issue 20: "Try saying" is a complete line the trainee could have said, in the call's language.
Usage: python bench/try_saying_language.py
"""

from __future__ import annotations

import re
from pathlib import Path

from _common import REPO, emit
from fairness import read_call

from simulator.catalog import Catalog
from simulator.scoring import score_transcript
from simulator.scoring.coaching import in_language
from simulator.transcript import Transcript

_ENGLISH = re.compile(r"\b(?:the|you|your|is|how)\b")


def main() -> None:
    catalog = Catalog.default(None)
    lines = in_language_n = slot = company_slot = 0
    misses = []
    for path in sorted((REPO / "tests" / "data" / "scoring").glob("calls*/*.json")):
        call, _ = read_call(path)
        transcript = Transcript.model_validate({k: v for k, v in call.items() if k in Transcript.model_fields})
        persona = catalog.persona(transcript.persona)
        card = score_transcript(transcript, catalog.rubric(transcript.rubric or persona.rubric), None,
                                persona=persona, company=persona.company)
        lang = transcript.language or persona.language
        for c in card.criteria:
            if not c.better:
                continue
            lines += 1
            fits = in_language(c.better, lang) and not (lang == "ro" and _ENGLISH.search(c.better.lower()))
            in_language_n += fits
            slot += "<" in c.better
            company_slot += bool(re.search(r"<compan", c.better))
            if not fits:
                misses.append(f"{Path(path).parent.name}/{path.name} {c.id}: {c.better}")
    emit("try_saying_language", better_lines=lines, in_call_language=in_language_n, with_a_slot=slot,
         company_slot=company_slot, misses=misses[:20])


if __name__ == "__main__":
    main()
