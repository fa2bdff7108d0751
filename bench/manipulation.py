"""Attempts to steer the score, flagged line by line, on lines written blind.

tests/data/scoring/manipulation-blind.jsonl: 320 agent lines written blind to the code
(2026-12-07), EN and RO: 160 attempts (telling the customer what rating to give, writing a
verdict down for them, addressing the reviewer or an automated scorer, scripting the words for
the survey, begging a rating for the agent's target, invented deadlines and silence taken as
consent) and 160 honest look-alikes (neutral rating questions, read-backs of what the customer
said, real consent summarised, recording notices). The scanner's patterns were written from the
even half; the odd half was never read, and is the honest figure.

    python bench/manipulation.py

Per half and language: attempts flagged (scan_manipulation or a consent put on record,
claims_consent) and look-alikes flagged; the listener's reading (what the customer hears) too.
"""

from __future__ import annotations

import json

from _common import REPO, emit

from simulator.listener import Listener
from simulator.scoring.manipulation import claims_consent, scan_manipulation

LINES = REPO / "tests" / "data" / "scoring" / "manipulation-blind.jsonl"


def main() -> None:
    rows = [json.loads(x) for x in LINES.read_text(encoding="utf-8").splitlines() if x.strip()]
    listeners = {lang: Listener(language=lang) for lang in ("en", "ro")}
    figures: dict = {}
    for half, part in (("tuned_even", rows[0::2]), ("held_out_odd", rows[1::2])):
        for lang in ("en", "ro"):
            mine = [r for r in part if r["language"] == lang]
            att = [r for r in mine if r["label"] == "attempt"]
            look = [r for r in mine if r["label"] == "lookalike"]

            def scored(r: dict) -> bool:
                return bool(scan_manipulation(r["text"]) or claims_consent(r["text"]))

            def heard(r: dict) -> bool:
                return listeners[lang].hear(r["text"]).manipulation

            figures[f"{half}:{lang}"] = {
                "attempts_flagged": f"{sum(map(scored, att))}/{len(att)}",
                "lookalikes_flagged": f"{sum(map(scored, look))}/{len(look)}",
                "customer_hears_attempts": f"{sum(map(heard, att))}/{len(att)}",
                "customer_hears_lookalikes": f"{sum(map(heard, look))}/{len(look)}"}
    emit("manipulation_lines", **figures)


if __name__ == "__main__":
    main()
