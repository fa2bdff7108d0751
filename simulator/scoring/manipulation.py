"""Spotting trainee lines that try to steer the judge instead of serving the customer.

`scan_manipulation(text)` returns the reasons a line looks like an attempt (empty when it
is fine). It scans several views of the line — folded (NFKC, no invisible characters,
casefolded, no diacritics), with look-alike letters mapped to Latin, with spaced-out
letters joined, with digits read as letters — plus any base64 chunk decoded. Patterns aim
at what an honest agent never says to a customer: role tags, fake speaker lines, score
JSON, "ignore the rubric", "give me full marks", "you are now the judge"; ordinary
call-center phrases ("ignore the previous email", "let me check the system", "a full
refund") must pass.
"""

from __future__ import annotations

import base64
import binascii
import re

from .text import INVISIBLE, fold

# Cyrillic/Greek letters that look Latin: "іgnоrе" must read as "ignore".
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# "i g n o r e" / "i.g.n.o.r.e" -> "ignore"
_SPACED = re.compile(r"\b(?:\w[ .\-_*]){3,}\w\b")

_ROLE_WORDS = (r"system|judge|grader|evaluator|assistant|user|customer|client|clientul|sistem|"
               r"evaluatorul|judecator|judecatorul|reviewer|scorer")
_ROLE_NOUNS = r"judge|grader|evaluator|agent|assistant|system|scorer|reviewer|customer|ai|model|assessor"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("role tag", re.compile(r"<\|[a-z_ ]*\|>|\[/?inst\]|<<\s*/?sys\s*>>|</?\s*(?:system|judge|assistant|user|"
                            r"instructions?|evaluator|grader|transcript|admin)\s*>")),
    ("role header", re.compile(r"#{2,}\s*(?:system|instruction|instructions|judge|evaluator|assistant|response|"
                               r"sistem|instructiuni)\b")),
    ("fake speaker line", re.compile(r"(?:^|\n|[.!?]\s)\s*(?:\[turn\s*\d+\]\s*)?(?:" + _ROLE_WORDS +
                                     r"|agent)\s*:", re.M)),
    ("fake transcript line", re.compile(r"\[turn\s*\d+\]")),
    ("fake score json", re.compile(r"[\"'](?:score|total|passed|needs_review|evidence|verdict|grade|"
                                   r"punctaj|nota)[\"']\s*:")),
    ("hidden comment", re.compile(r"<!--|-->")),
    ("transcript boundary", re.compile(r"\b(?:end|begin|start|sfarsit|inceput)\w*\s+(?:of\s+)?(?:the\s+)?"
                                       r"(?:transcript|call data|transcriptului|datelor)\b")),
    ("ignore instructions", re.compile(
        # "ignore the previous email" and "I can't skip the verification rules" must pass, so
        # the object is what a judge is told, and plain rules/instructions need a qualifier.
        r"\b(?:ignore|disregard|forget|override|bypass)\b(?:\s+(?:about|all|any|the|your|of|these|those))*\s+"
        r"(?:(?:\w+\s+){0,2}(?:rubric|scoring|grading|criteria|system\s+prompt|prompt|evaluation)|"
        r"(?:all|any|previous|prior|above|earlier|your|these|those|system|judge'?s?|grader'?s?)\s+(?:\w+\s+)?"
        r"(?:instructions?|rules|guidelines|directives))\b")),
    ("ignore instructions", re.compile(
        r"\b(?:ignora|ignorati|uita|uitati|nu tine cont|nu tineti cont)\b(?:\s+\w+){0,4}?\s+"
        r"(?:(?:de\s+)?instructiuni\w*|rubric\w*|criteri\w*|grila\w*|punctaj\w*|evaluar\w*)")),
    ("asks for full marks", re.compile(
        r"\b(?:full|maximum|max|perfect|top|highest)\s+(?:marks|score|points|rating|grade)\b|"
        r"\ball\s+(?:the\s+)?(?:marks|points)\b|\b(?:100\s*/\s*100|10\s*/\s*10|5\s*/\s*5|4\s*/\s*4)\b|"
        r"\b100\s+points\b|\bscore\s+of\s+100\b|"
        r"\b(?:give|award|grant|assign|rate|score|grade|mark)\s+(?:me|us|this(?:\s+call|\s+agent|\s+transcript)?|"
        r"the\s+(?:agent|trainee|call)|it|him|her)\s+(?:a\s+|an\s+)?(?:100|10|perfect|excellent|pass|passing|"
        r"top|maximum|max|full)\b(?!\s*(?:minutes?|mins?|seconds?|secs?|days?|hours?|moments?|more|euros?|lei|"
        r"dollars?|pounds?|gb|mb|percent|%|refund))|"
        r"\b(?:mark|rate|grade|score)\s+(?:me|this(?:\s+call)?|the\s+(?:agent|call))\s+as\s+(?:passed|"
        r"excellent|perfect|ready)\b|"
        # "score all criteria at the top level"; "give me a ten on everything", "ten out of ten"
        r"\b(?:score|mark|rate|grade)\s+(?:all|every|each)\s+(?:the\s+|of\s+the\s+)?(?:criteri\w*|items?|"
        r"questions?|sections?)\s+(?:at|as|with)\s+(?:the\s+)?(?:top|highest|maximum|max|best)\b|"
        r"(?:\b(?:give|rate|score|mark)\s+(?:me|us)\s+(?:a\s+)?ten|\bten\s+out\s+of\s+ten)\b"
        r"(?![\s-]*(?:minutes?|mins?|seconds?|secs?|days?|hours?|moments?|euros?|lei|dollars?|pounds?|gb|mb|"
        r"percent|%|pence|p\b))")),
    ("asks for full marks", re.compile(
        r"\b(?:punctaj(?:ul)?|nota|notele|punctele|calificativ(?:ul)?)\s+(?:maxim\w*|10|100|perfect\w*)\b|"
        r"\btoate\s+punctele\b|\b(?:da|dati|acorda|acordati|pune|puneti)\s*-?\s*mi\s+(?:\w+\s+)?"
        r"(?:100|10|nota|punctaj|maxim)\w*")),
    ("role switch", re.compile(
        # "you are now connected" / "you are now on the new plan" are ordinary; a new role is not.
        r"\byou\s+are\s+(?:now|no\s+longer)\s+(?:the\s+|a\s+|an\s+|my\s+)?(?:" + _ROLE_NOUNS + r"|bound|dan)\b|"
        r"\bfrom\s+now\s+on\s+you\s+(?:are|will|must)\b|\bact\s+as\s+(?:the\s+|a\s+|an\s+)?(?:" + _ROLE_NOUNS +
        r")\b|\bpretend\s+(?:to\s+be|you\s+are)\b|\bnew\s+instructions\s*(?::|for\s+(?:the\s+)?(?:judge|grader|"
        r"evaluator|ai|model|you))|\bsystem\s+prompt\b|\bsystem\s+override\b|\bdeveloper\s+mode\b|\bjailbreak\b")),
    ("role switch", re.compile(
        r"\b(?:acum|de acum(?: inainte)?)\s+(?:tu\s+)?esti\s+(?:un\s+|o\s+)?(?:judecator|evaluator|agent|"
        r"sistem|asistent|corector|model)\w*|\bpretinde\w*\s+ca\s+esti\b|"
        r"\b(?:joaca|joci)\s+rolul\s+(?:de\s+)?(?:judecator|evaluator|agent)\w*|\binstructiuni\s+noi\b")),
    ("addresses the evaluator", re.compile(
        # "note to the QA evaluator", "message for the call reviewer": a word or two may qualify who.
        r"\b(?:dear|attention|note\s+(?:to|for)|message\s+(?:to|for))\s+(?:the\s+)?(?:[a-z]+\s+){0,2}?(?:judge|"
        r"grader|evaluator|reviewer|scorer|ai|model|llm|language\s+model|assessor)s?\b|\b(?:to|for)\s+the\s+(?:ai|llm|model)\s+"
        r"(?:judge|grader|grading|scoring|evaluating|reading)\b|\bas\s+an?\s+(?:ai|language\s+model)\b|"
        r"\b(?:judge|grader|evaluator|assessor)\s*,\s*(?:please|you|give|note|ignore)\b")),
    ("addresses the evaluator", re.compile(
        r"\b(?:draga|dragule|stimate|atentie|nota\s+pentru|mesaj\s+pentru)\s+(?:domnule\s+)?"
        r"(?:evaluator\w*|judecator\w*|ai|model\w*|corector\w*)\b|\bcatre\s+evaluator\w*\b")),
    ("addresses the evaluator", re.compile(
        # "for whoever is reviewing this call", "pentru cine analizează convorbirea": whoever will
        # judge the call, named by what they do ("the person reviewing your claim" is not).
        r"\b(?:for|to)\s+(?:whoever|anyone|anybody|whomever|the\s+person|those)\s+(?:who\s+)?(?:is\s+|are\s+|"
        r"will\s+be\s+)?(?:review|listen|assess|scor|grad|evaluat|analy[sz]|check|mark|audit)\w*\s+(?:to\s+)?"
        r"(?:this|the)\s+(?:call|conversation|recording|transcript)\b|"
        r"\b(?:pentru|catre)\s+(?:cine|cel\s+care|cea\s+care|cei\s+care|oricine)\s+(?:\w+\s+)?(?:analizeaza|"
        r"asculta|evalueaza|verifica|noteaza|puncteaza|citeste|revizuieste)\w*\b")),
    ("coaches the customer's rating", re.compile(
        # "a 10 out of 10 would really help me", "can I count on that 10?", "dați-ne măcar un 8",
        # "sperăm la un 10"; a rating quoted as a fact ("rated 10 out of 10 by the regulator") is not.
        r"\b(?:10|ten)\s+out\s+of\s+(?:10|ten)\b(?=.*\b(?:would|help|please|grateful|count|appreciate)\b)|"
        r"\bcount\s+on\s+(?:that|a|the|your)\s+(?:10|ten|nine|9)\b|"
        r"\b(?:da|dati|acordati|puneti)\b(?:\s*-?\s*(?:ne|mi))?\s+(?:\w+\s+){0,2}?(?:un|o)\s+"
        r"(?:8|9|10|opt|noua|zece)\b|\bsperam\s+(?:la|sa\s+primim)\s+(?:un|o)\s+(?:9|10|noua|zece)\b")),
]
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9_\-]{16,}={0,2}")


def _views(text: str) -> list[str]:
    base = fold(text)
    looks = fold(text.translate(_CONFUSABLES))
    spaced = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), looks)
    leet = spaced.translate(_LEET)
    seen: list[str] = []
    for v in (base, looks, spaced, leet):
        if v not in seen:
            seen.append(v)
    return seen


def _decoded_chunks(text: str) -> list[str]:
    """Printable text hidden in base64 chunks of the line."""
    out = []
    for chunk in _B64.findall(INVISIBLE.sub("", text)):
        padded = chunk + "=" * (-len(chunk) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                raw = decode(padded)
                decoded = raw.decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                continue
            if decoded and sum(ch.isprintable() or ch.isspace() for ch in decoded) / len(decoded) > 0.9:
                out.append(decoded)
                break
    return out


def scan_manipulation(text: str, *, _depth: int = 0) -> list[str]:
    """Why this trainee line looks like an attempt to steer the judge; [] when it does not."""
    reasons: list[str] = []
    raw_multiline = INVISIBLE.sub("", text)
    for view in _views(text) + [fold(raw_multiline.replace("\n", " \n "))]:
        for reason, pattern in _PATTERNS:
            if reason not in reasons and pattern.search(view):
                reasons.append(reason)
    # Speaker lines need the original line breaks, which `fold` collapses.
    if "fake speaker line" not in reasons:
        for line in raw_multiline.splitlines()[1:]:
            if re.match(r"\s*(?:" + _ROLE_WORDS + r"|agent)\s*:", fold(line)):
                reasons.append("fake speaker line")
                break
    if _depth < 2:
        for decoded in _decoded_chunks(text):
            inner = scan_manipulation(decoded, _depth=_depth + 1)
            if inner:
                reasons.append("base64: " + ", ".join(inner))
    return reasons
