"""What kind of answer a request wants, read from its words, to keep near facts apart.

A sentence embedding puts "where are you leaving from?" close to both the origin and the
destination, and "when are you leaving?" close to the origin too. A person does not hesitate:
the question word says what kind of answer is wanted ("where": a place, "when": a day or an
hour, "how many": a number), and the small words say which end of a journey ("from",
"leaving", "departing" against "to", "going", "destination"), or of a stay or a slot
("check-in", "start" against "check-out", "end"). These are read here, the same for every
persona, in English and Romanian, and the meaning step (sense.py) uses them to rule facts
out, never to add one.

- `request_kinds(text)`: the kinds of answer a request asks for (empty: it does not say);
- `fact_kinds(fact)`: the kinds a fact is, from its id and its phrases;
- `ends(text)`: the ends of something ("from", "to") a text names;
- `reads_back(text)`: the line reads details back for a yes or no ("so that's 2 tickets to
  Fresno on Friday?", "how about the 7:50 bus?"): it asks for no fact.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.text import fold


def _pattern(words: list[str]) -> re.Pattern[str]:
    # Each word also stands for its plural ("what kinds of", "which dates").
    alts = sorted((r"(?:s|es)?[\s-]+".join(re.escape(x) for x in w.split()) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?:s|es)?(?![\w])")


# Kinds of answer, as a request asks for them (question words and the nouns that say it).
_ASKS = {
    "place": ["where", "whereabouts", "which city", "what city", "which town", "what town", "which place",
              "street", "strada",
              "what place", "what address", "which address", "what location", "which location", "location",
              "starting point", "boarding point", "departure point", "pick up point", "pickup point",
              "point of departure", "point of origin",
              "address", "destination", "origin", "venue", "unde", "ce oras", "in ce oras", "ce localitate",
              "ce adresa", "care adresa", "locatia", "locatie", "adresa", "destinatia"],
    "date": ["when", "what date", "which date", "what day", "which day", "which dates", "what dates", "date",
             "cand", "ce data", "ce zi", "in ce zi", "care zi", "data"],
    "time": ["when", "what time", "which time", "at what time", "what hour", "time", "cand", "la ce ora",
             "ce ora", "ora"],
    "count": ["how many", "number of people", "number of tickets", "number of seats", "number of passengers",
              "party size", "group size", "cati", "cate", "cate persoane", "numarul de persoane"],
    "amount": ["how much", "what amount", "which amount", "the amount", "the total", "how much money",
               "ce suma", "ce valoare", "cat costa", "cat platiti", "cat achitati", "cat aveti de plata",
               "cat aveti de achitat", "cat v-a venit", "cat vi s-a cerut", "cat e factura", "cat este factura"],
    "kind": ["kind of", "type of", "sort of", "genre", "category", "categories", "what kind", "what type", "what sort",
             "ce fel", "ce tip", "ce gen", "tipul", "genul"],
    "name": ["what name", "which name", "name", "title", "what should i call", "call it", "numele", "denumirea",
             "cum se numeste", "cum va numiti"],
    "phone": ["phone number", "telephone number", "mobile number", "cell number", "cellphone number",
              "contact number", "callback number", "number to call", "number to reach", "numar de telefon",
              "numarul de telefon", "numar de mobil", "numarul de mobil", "numar de contact", "numarul de contact"],
}
# Words of a fact's id or phrases that say what kind of answer it is, besides the above.
_IS = {
    "place": _ASKS["place"] + ["city", "town", "area", "station", "place", "oras", "loc"],
    "date": _ASKS["date"] + ["day", "ziua"],
    "time": _ASKS["time"] + ["start time", "end time", "hour"],
    "count": _ASKS["count"] + ["travelers", "travellers", "passengers", "people", "seats", "size", "guests",
                               "tickets", "persoane", "locuri", "bilete"],
    "kind": _ASKS["kind"] + ["type"],
    "amount": _ASKS["amount"] + ["fee", "price", "cost", "charge", "spend", "rent", "budget", "suma", "plata",
                                 "valoare", "valoarea", "cat platiti", "cat e factura"],
    "name": _ASKS["name"] + ["called", "titled"],
    "phone": _ASKS["phone"] + ["phone", "telephone", "mobile", "cellphone", "telefon", "mobil"],
}
# Asking outright: a request's nouns then say what it asks ("tell me the date").
_REQUEST_VERB = _pattern(["tell me", "tell us", "give me", "provide", "share", "let me know", "i need", "i'll need",
                          "i will need", "spuneti", "spuneti-mi", "dati-mi", "dictati", "imi dati", "imi spuneti"])
_QUESTION_WORD = re.compile(r"(?:where|when|what|which|how|unde|cand|ce|care|cati|cate|cat|la ce)\b")
# A question word that may ask for something of no kind above: a request where one is not
# followed by a kind's word is not narrowed ("what movie ...?", "what's your plan, and when?").
_OPEN = _pattern(["what", "which", "who", "whose", "how", "ce", "care", "cine", "cum"])
_KIND_WORDS = {k: _pattern(v) for k, v in _ASKS.items()}
_FACT_WORDS = {k: _pattern(v) for k, v in _IS.items()}
_FROM = _pattern(["from", "leaving", "leave from", "departing", "depart from", "departure", "origin", "starting",
                  # where the traveller is now is where the journey starts
                  "present location", "current location", "where you are now", "where are you now",
                  "where are you right now", "where you are right now", "embark", "embarking",
                  "start", "begin", "beginning", "boarding", "board", "pick up", "pickup", "check in", "checkin",
                  "checking in", "de la", "din", "plecare", "plecarea", "plecati", "pornire", "incepe", "inceput"])
_TO = _pattern(["to", "going", "go", "heading", "headed", "destination", "arrive", "arriving", "arrival", "end",
                "ending", "finish", "until", "drop off", "check out", "checkout", "checking out", "visit", "travel to",
                "spre", "catre", "pana la", "destinatie", "destinatia", "sosire", "ajungeti", "mergeti"])
# In a request, "to" alone mostly starts a verb ("would you like to leave"): it counts as an
# end only where it asks ("to where", "to which city", "going to").
_TO_IN_REQUEST = _pattern(["going", "go", "heading", "headed", "destination", "arrive", "arriving", "arrival",
                           "end", "ending", "finish", "until", "drop off", "check out", "checkout", "checking out",
                           "visit",
                           "to where", "to which", "to what", "travel to", "travelling to", "traveling to",
                           "spre", "catre", "pana la", "destinatie", "destinatia", "sosire", "ajungeti",
                           "mergeti"])


@lru_cache(maxsize=8192)
def request_kinds(text: str, asked: bool = False) -> frozenset[str]:
    """Kinds of answer a request asks for; empty when it does not say, or also asks for
    something of no kind ("what movie ... ?": a question word with no kind's word after it).
    `asked`: only the kinds its question words ask ("where", "what time"), not its nouns
    ("is now an okay time?" asks for no time)."""
    t = fold(text)
    # A question word asks where it opens the request or a part of it; "... when you're
    # watching", "from zero to ten where would you put it" only join a clause.
    # Its nouns ask when it asks outright ("what would be the date", "tell me the location").
    nouns = not asked or bool(_REQUEST_VERB.search(t)) or any(_opens(t, m) for m in _OPEN.finditer(t))
    kinds = frozenset(k for k, p in _KIND_WORDS.items()
                      if any(_opens(t, m) if _QUESTION_WORD.match(m.group(0)) else nouns for m in p.finditer(t)))
    if not kinds:
        return kinds
    for m in _OPEN.finditer(t):
        if not _opens(t, m):
            continue  # ("the flat for which the bill came": a clause joined to a noun)
        after = t[m.end():]
        if m.group(0) == "how" and re.match(r"\s+(?:many|much)\b", after):
            continue
        near = " ".join(after.split()[:4])
        if not any(p.search(near) for p in _KIND_WORDS.values()):
            return frozenset()
    return kinds


def named_kinds(text: str) -> frozenset[str]:
    """The kinds of answer a text names anywhere, by a question word or a noun ("the name,
    address and time": a name, a place, a time)."""
    t = fold(text)
    return frozenset(k for k, p in _KIND_WORDS.items() if p.search(t))


def says_kind(text: str) -> bool:
    """Whether a request asks for a kind of something ("what kind of movie", "which genre")."""
    return bool(_KIND_WORDS["kind"].search(fold(text)))


def content_words(text: str) -> set[str]:
    """The words of a text that name things, plural folded ("movies" is "movie")."""
    words = {w.rstrip("s") for w in re.findall(r"\w+", fold(text)) if len(w) >= 4}
    small = {"what", "which", "where", "when", "kind", "type", "sort", "genre", "your", "there", "have", "would",
             "like", "want", "with", "this", "that", "from", "care", "este", "sunt", "pentru", "ce", "cum"}
    return {w for w in words if w not in small}


def fact_kinds(fact_id: str, phrases: list[str]) -> frozenset[str]:
    text = " ; ".join([fact_id.replace("_", " ")] + list(phrases))
    t = fold(text)
    return frozenset(k for k, p in _FACT_WORDS.items() if p.search(t))


def ends(text: str, request: bool = True) -> frozenset[str]:
    """The ends a text names: "from" (leaving, departing, check-in, start), "to" (going,
    destination, check-out, end)."""
    t = fold(text)
    out = set()
    if _FROM.search(t):
        out.add("from")
    if (_TO_IN_REQUEST if request else _TO).search(t):
        out.add("to")
    return frozenset(out)


_READBACK_CUES = _pattern([
    "confirm", "confirming", "to confirm", "confirmation", "verify", "the following", "right", "correct", "is that",
    "is this", "so you", "you want",
    "you would like", "you'd like", "you wish", "would you like", "would you still like", "do you want",
    "how about", "what about", "just to", "make sure",
    "double check", "yes", "that is", "that's", "shall i", "do you want me to", "want me to", "i will", "i'll",
    "confirmati", "confirmam", "corect", "asa e", "nu-i asa", "deci", "ce ziceti de", "ce spuneti de",
    "sa inteleg", "doriti sa"])
_OPENS_SO = re.compile(r"^\W*(?:so|ok|okay|okay so|ok so|alright|all right)\b")
_ASK_WORD = _pattern(["what", "where", "when", "which", "who", "whose", "how many", "how much", "how long",
                      "unde", "cand", "ce", "care", "cine", "cati", "cate", "cat"])
_ABOUT = _pattern(["how about", "what about", "ce ziceti de", "ce spuneti de"])
# "would you like me to play it?", "do you want that one?": an offer of what was just said.
_OFFER = _pattern(["would you like", "would you prefer", "shall i", "should i", "do you want", "want me to",
                   "would you still like", "doriti", "vreti", "sa va"])
_POINTING = _pattern(["it", "that", "this", "them", "that one", "this one", "those", "these", "il", "o", "asta",
                      "aceasta", "acesta"])
_VALUE = re.compile(r"\d|[$€£]")
_NAME = re.compile(r"(?<=[\w,]\s)[A-Z][a-z\u00C0-\u017F]{2,}")


def reads_back(text: str) -> bool:
    """Whether a request reads details back for a yes or no, or suggests one thing: it names
    values (a number, an amount, a name) and confirms or suggests, with no question word of
    its own and without asking for the customer's own ("your") anything."""
    t = fold(text)
    if not (_VALUE.search(text) or _NAME.search(text) or (_OFFER.search(t) and _POINTING.search(t))):
        return False
    if not (_READBACK_CUES.search(t) or _OPENS_SO.match(t)):
        return False
    # "confirm the last 4 digits of your card" asks for the customer's own; "confirm your
    # booking of 3 tickets from Fresno to Los Angeles" reads it back by name.
    if re.search(r"(?<![\w])(?:your|yours|dvs|dumneavoastra|tau|ta)(?![\w])", t) and not _NAME.search(text):
        return False
    return not any(_asks_here(t, m) for m in _ASK_WORD.finditer(t))


# Offering to do something, for a yes or no: "would you like to buy tickets?", "do you want me
# to book it?", "are you interested in this one?".
_OFFERS_ACTION = _pattern(["would you like to", "would you like me to", "would you want to", "do you want to",
                           "do you want me to", "do you wish to", "do you wanna", "wanna", "want me to",
                           "shall i", "should i", "shall we", "are you interested in", "would you be interested in",
                           "interested in", "would you prefer to", "can i go ahead", "may i go ahead",
                           "doriti sa", "vreti sa", "va intereseaza", "sa merg mai departe"])


def offers_action(text: str) -> bool:
    """Whether a request only offers to do something, for a yes or no ("would you like to buy
    tickets for it?", "shall I book the visit?"): an offer, with no question word of its own,
    no request to be told something and no kind of answer named ("are you interested in a
    particular date?" asks for one)."""
    t = fold(text)
    if not _OFFERS_ACTION.search(t) or _REQUEST_VERB.search(t):
        return False
    if re.search(r"(?<![\w])(?:tell|give|share|provide|specify|enter|choose|pick|select|name|confirm|let me know|"
                 r"spune\w*|dati|alege\w*|confirma\w*)(?![\w])", t):
        return False
    # ("would you like to look in a particular city?" asks which one)
    if re.search(r"(?<![\w])(?:particular|specific|certain|preferred|preference|anume|anumit\w*|preferat\w*)(?![\w])", t):
        return False
    if request_kinds(text) or any(_asks_here(t, m) for m in _ASK_WORD.finditer(t)):
        return False
    return not re.search(r"(?<![\w])(?:how|cum)(?![\w])", t)


def _asks_here(t: str, m: re.Match) -> bool:
    """A question word asks where it opens the request or a part of it ("..., and when?");
    after a noun it only joins a clause to it ("a bus which leaves at 2:40")."""
    if _ABOUT.search(t[max(0, m.start() - 1):m.end() + 7]):
        return False
    return _opens(t, m)


def _opens(t: str, m: re.Match) -> bool:
    before = t[:m.start()].split()
    while before and before[-1] in _PREPOSITIONS:  # "and from where?", "in which city"
        before.pop()
    # ("could you tell me when ...", "do you know where ...": a question inside a request)
    return (len(before) < 3 or before[-1] in _LEADS or t[:m.start()].rstrip().endswith(","))


_PREPOSITIONS = frozenset({"from", "to", "in", "at", "on", "for", "de", "la", "din", "in", "spre", "catre", "pe"})
_LEADS = frozenset({"and", "or", "also", "then", "me", "us", "know", "ask", "wondering", "confirm", "say", "share",
                    "tell", "si", "sau", "mi", "ne", "spuneti", "stiti", "intreb", "confirmati"})
