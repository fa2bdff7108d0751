"""English and Romanian phrases the rule checks look for.

Phrases are written plainly (with or without diacritics); matching folds both sides
(see text.fold), so "bună ziua" also matches "buna ziua" and "BUNĂ ZIUA". Rubrics can add
their own phrases through rule parameters; these are the built-in defaults.
"""

from __future__ import annotations

GREETING = [
    "hello", "hi", "good morning", "good afternoon", "good evening", "thank you for calling",
    "thanks for calling", "welcome", "thank you for taking my call",
    "bună ziua", "bună dimineața", "bună seara", "salut", "bine ați venit", "vă mulțumim că ați sunat",
    "mulțumim că ați sunat", "vă mulțumesc că ați sunat", "mulțumim pentru apel",
]

# An identifying fact the agent asks for before opening the account.
ID_REQUEST = [
    "account number", "customer number", "client number", "reference number", "customer id",
    "date of birth", "birth date", "dob", "postcode", "post code", "zip code", "postal code",
    "address", "phone number", "mobile number", "telephone number", "security question",
    "verify your identity", "confirm your identity", "verify who", "full name", "last four digits",
    "pin", "passcode",
    "număr de client", "numărul de client", "numărul clientului", "numărul contului", "cod client",
    "codul de client", "data nașterii", "data de naștere", "adresa", "adresă", "codul poștal", "cod poștal",
    "numărul de telefon", "număr de telefon", "cnp", "verific identitatea", "confirmați identitatea",
    "numele complet",
]
# Cues that the ID words above come in a request, not in passing.
REQUEST_CUE = [
    "can you", "could you", "can i", "could i", "may i", "please", "what is", "what's", "confirm",
    "verify", "tell me", "give me", "i need", "i'll need", "i will need",
    "puteți", "poți", "vă rog", "care este", "care e", "confirmați", "spuneți", "îmi dați", "aș avea nevoie",
    "am nevoie", "verific", "îmi puteți",
]
# The agent talking about the account itself.
ACCOUNT_TALK = [
    "balance", "bill", "bills", "billing", "invoice", "payment", "payments", "paid", "plan", "contract",
    "subscription", "charges", "charged", "overcharged", "your account", "on your account",
    "the account shows", "outstanding", "due date", "direct debit", "tariff", "credit", "refund",
    "compensation", "discount", "fee", "fees", "statement fee", "account ending", "linked to the account",
    "the account shows", "taxa", "taxă", "comision",
    "sold", "soldul", "factura", "facturi", "factură", "facturii", "plata", "plată", "plătit", "abonament",
    "abonamentul", "contract", "contractul", "contul dumneavoastră", "contul tău", "în cont", "tarif",
    "tariful", "credit", "rambursare", "restituire", "despăgubire", "compensație", "reducere", "datorie",
    "scadență",
]
# Customer-state fact ids that count as identity given (from the session record).
ID_FACT_WORDS = ("account", "birth", "dob", "postcode", "post_code", "zip", "address", "phone", "customer_id",
                 "client_id", "pin", "cnp", "customer_number", "cod_client", "client_code")

CLOSING_OFFER = [
    "anything else", "something else", "any other questions", "any other question", "anything more",
    "other questions", "help you with anything", "else i can help", "else i can do",
    "altceva", "cu ce vă mai pot ajuta", "cu ce te mai pot ajuta", "vă mai pot ajuta", "mai pot să vă ajut",
    "mai aveți întrebări", "alte întrebări", "mai este ceva", "vreo întrebare", "vreo nelămurire", "alte nelămuriri",
]
# Goodbyes and thanks at the close are the listener's (listener/en.yaml, ro.yaml: closing_thanks).
NEXT_STEP = [
    "schedule", "appointment", "send you", "email you", "i'll email", "follow up", "call you back",
    "i'll call", "i will call", "tomorrow", "next week", "set up", "sign you up", "book", "booked",
    "confirm the order", "place the order", "arrange", "technician", "ticket", "reference number",
    "vă trimit", "vă programez", "programare", "vă sun", "revin", "mâine", "săptămâna viitoare",
    "confirmăm comanda", "plasez comanda", "tehnician", "tichet", "număr de referință",
]

# (phrase, better phrasing). Abusive wording fails professional language outright.
ABUSIVE: list[tuple[str, str]] = [
    ("idiot", "I understand this is frustrating; let me help you sort it out."),
    ("idiots", "I understand this is frustrating; let me help you sort it out."),
    ("stupid", "Let me explain it another way."),
    ("moron", "I understand this is frustrating; let me help you sort it out."),
    ("dumb", "Let me explain it another way."),
    ("shut up", "Let me make sure I understand: could you tell me more?"),
    ("damn", "I'm sorry about this."),
    ("dammit", "I'm sorry about this."),
    ("go to hell", "I'm sorry you're upset; let's see what I can do."),
    ("the hell", "I'm sorry, let me check what happened."),
    ("crap", "That is not good enough; let me fix it."),
    ("bullshit", "I understand you disagree; let me check the details."),
    ("shit", "I'm sorry about this."),
    ("fuck", "I'm sorry about this."),
    ("fucking", "I'm sorry about this."),
    ("f***", "I'm sorry about this."),
    ("screw you", "I'm sorry you're upset; let's see what I can do."),
    ("get lost", "Is there anything else I can help you with?"),
    ("piss off", "Is there anything else I can help you with?"),
    ("loser", "I understand this is frustrating; let me help you sort it out."),
    ("are you deaf", "Let me repeat that more clearly."),
    ("stop whining", "I can hear how frustrating this has been."),
    ("stop rambling", "Thank you; if I may, let's go on to the next question."),
    ("sweetheart", "Thank you for your time."),
    ("saw you coming", "Let me check whether there is a better price for you."),
    ("not rocket science", "Let me walk you through it step by step."),
    ("penibil", "Înțeleg că sunteți nemulțumit; hai să vedem ce pot face."),
    ("penibilă", "Înțeleg că sunteți nemulțumită; hai să vedem ce pot face."),
    ("nu vă mai văicăriți", "Înțeleg cât de greu vă este; hai să vedem ce pot face."),
    ("văicăriți", "Înțeleg cât de greu vă este; hai să vedem ce pot face."),
    ("idiotule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("prostule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("ești prost", "Să vă explic altfel."),
    ("sunteți prost", "Să vă explic altfel."),
    ("ești proastă", "Să vă explic altfel."),
    ("tâmpitule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("cretinule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("boule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("taci", "Vă rog să-mi spuneți mai multe, ca să înțeleg."),
    ("taci din gură", "Vă rog să-mi spuneți mai multe, ca să înțeleg."),
    ("du-te dracului", "Îmi pare rău că sunteți supărat; să vedem ce pot face."),
    ("dracu", "Îmi pare rău pentru situație."),
    ("dracului", "Îmi pare rău pentru situație."),
    ("nesimțitule", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
]
UNPROFESSIONAL: list[tuple[str, str]] = [
    ("what do you want", "How can I help you today?"),
    ("what now", "How else can I help?"),
    ("not my problem", "Let me see what I can do about that."),
    ("not my fault", "I'm sorry this happened; let me look into it."),
    ("i don't care", "I understand why that matters to you."),
    ("calm down", "I understand this is frustrating; let's sort it out together."),
    ("you people", "I understand; let me help."),
    ("deal with it", "Here is what we can do about it."),
    ("that's your problem", "Let me see what I can do about that."),
    ("i already told you", "Let me go over that again."),
    ("listen to me", "If I may explain:"),
    ("nothing i can do", "Here is what I can do for you."),
    ("i have no idea", "Let me find out for you."),
    ("figure it out", "Let me walk you through it."),
    ("read the manual", "Let me walk you through it."),
    ("hurry up", "Take your time."),
    ("ce vrei", "Cu ce vă pot ajuta?"),
    ("ce vreți acum", "Cu ce vă mai pot ajuta?"),
    ("nu e problema mea", "Să văd ce pot face în privința asta."),
    ("nu este problema mea", "Să văd ce pot face în privința asta."),
    ("nu e vina mea", "Îmi pare rău că s-a întâmplat asta; verific imediat."),
    ("nu mă interesează", "Înțeleg de ce este important pentru dumneavoastră."),
    ("calmează-te", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("calmați-vă", "Înțeleg că este frustrant; hai să rezolvăm împreună."),
    ("v-am mai spus", "Vă explic încă o dată."),
    ("nu am ce să fac", "Iată ce pot face pentru dumneavoastră."),
    ("n-am ce să fac", "Iată ce pot face pentru dumneavoastră."),
    ("habar n-am", "Verific imediat pentru dumneavoastră."),
    ("descurcați-vă", "Vă explic pas cu pas."),
    ("grăbiți-vă", "Luați-vă timpul necesar."),
]

UPSET = [
    "frustrated", "frustrating", "angry", "furious", "ridiculous", "unacceptable", "fed up", "third time",
    "third call", "finally", "still not working", "still down", "still no", "waste of time", "for days",
    "sick of", "annoyed", "outrageous", "terrible", "disgusting", "useless", "upset", "worried", "worrying",
    "scared", "confused", "confusing", "i don't understand", "stressed", "nervous", "not happy", "unhappy",
    "îngrijorat", "îngrijorată", "speriat", "speriată", "nu înțeleg", "nu mai înțeleg", "stresat", "stresată",
    "nervos", "nervoasă", "supărat", "supărată", "inadmisibil", "revoltător", "m-am săturat", "a treia oară",
    "ridicol", "bătaie de joc", "incompetenți", "inacceptabil", "frustrant",
]
OBJECTION = [
    "too expensive", "not interested", "need to think", "can't afford", "cannot afford", "already have",
    "no time", "don't need", "sounds like a scam",
    # Unsure about the offer, not about an answer ("I'm not sure... around fifteen thousand, maybe?")
    "not sure about", "not sure if i", "not sure whether", "not sure i need", "not sure i want", "not sure it's worth",
    "not sure this is for", "not so sure", "why should i", "i'm worried about",
    "worried about that", "need to talk to my", "talk it over with", "i've heard prices", "what if the price",
    "exit fee", "tied into", "locked into", "two-year contract", "i've got about two minutes", "get to the point",
    "mă tem", "nu vreau să mă leg", "contract pe doi ani", "mi-e teamă", "sunt îngrijorat", "sunt îngrijorată",
    "prea scump", "nu mă interesează", "trebuie să mă gândesc", "nu am timp", "am deja", "nu am nevoie",
    "nu sunt sigur că", "nu sunt sigură că", "nu sunt sigur dacă", "nu sunt sigură dacă", "nu sunt sigur de",
    "nu sunt sigură de", "de ce aș",
]
ACCEPT = [
    "that works", "sounds good", "that's great", "that is great", "perfect", "ok, thank you", "okay, thank you",
    "fine, thank you", "that would be great", "yes please", "that helps", "great, thanks",
    "thank you so much", "brilliant",
    "e bine", "este bine", "de acord", "mulțumesc mult", "sună bine", "bine, mulțumesc",
    "mă ajută", "în regulă", "așa da", "bine atunci", "atunci bine", "așa facem", "mulțumesc frumos",
    "okay then", "alright then", "all right then", "fine by me", "let's do that", "let's do it",
]
QUESTION_START = [
    "what", "how", "when", "where", "which", "who", "why", "could you", "can you", "would you", "do you",
    "did you", "is it", "are you", "have you", "may i", "shall i",
    "ce", "cum", "când", "unde", "care", "cine", "de ce", "puteți", "ați", "aveți", "sunteți", "vreți",
    "doriți", "îmi puteți",
]

# Dismissive or blaming wording the listener may not know as a phrase (each caps empathy).
DISMISSIVE: list[tuple[str, str]] = [
    ("i'm sure you'll survive", "I understand every charge matters; let me check it."),
    ("you'll survive", "I understand every charge matters; let me check it."),
    ("your loss", "Take your time to think it over."),
    ("keep overpaying", "Take your time to think it over."),
    ("everyone's got problems", "I'm sorry this keeps happening to you."),
    ("i haven't got all day", "Take your time; I'll wait."),
    ("could've fooled me", "Let me walk you through it step by step."),
    ("not my department", "Let me find out who can help you, and I'll put you through."),
    ("not my area", "Let me find out who can answer that for you."),
    ("just how it is", "Let me see what I can do about it."),
    ("fees are fees", "Let me check whether that fee applies to you."),
    ("prices are prices", "Let me see whether there is a better price for you."),
    ("nothing i can do", "Here is what I can do for you."),
    ("doesn't really matter", "That's a fair question; let me explain."),
    ("won't change anything", "Your answers do help us improve."),
    ("all you need to know", "That's a fair question; let me explain how we got your number."),
    ("maybe if you", "Let me help you avoid that next time."),
    ("nobody forced you", "I understand the price matters; let me explain the terms."),
    ("here we go", "I understand; let me explain."),
    ("got an excuse", "That's a fair point; let me answer it."),
    ("how dramatic", "I understand this charge upset you."),
    ("not psychic", "Could you tell me which charge you mean, please?"),
    ("clearly didn't read", "It was mentioned in a letter, but I understand it was easy to miss."),
    ("read your post", "I'll make sure you're told clearly about changes like this."),
    ("if you can manage that", "I can walk you through switching in the app, if you like."),
    ("it's not complicated", "Let me explain how it works."),
    ("not really my problem", "Let me see what I can do about that."),
    ("yes or a no", "Take your time to think it over."),
    ("stop interrupting", "Sorry, go ahead."),
    ("not up to me", "Let me find out who can decide that, and I'll follow it up for you."),
    ("rules are rules", "Let me explain why that rule applies, and what I can do within it."),
    ("policy is policy", "Let me explain why that policy applies, and what I can do within it."),
    ("nu e departamentul meu", "Vă spun imediat cine vă poate ajuta."),
    ("nu depinde de mine", "Aflu imediat cine poate decide și urmăresc eu cererea."),
    ("procedura e procedură", "Vă explic de ce se aplică procedura și ce pot face în cadrul ei."),
    ("procedura este procedură", "Vă explic de ce se aplică procedura și ce pot face în cadrul ei."),
    ("regulile sunt reguli", "Vă explic de ce se aplică regula și ce pot face în cadrul ei."),
    ("nu țin eu de", "Vă spun imediat cine vă poate ajuta."),
    ("n-aveți ce face", "Să vedem ce putem face."),
    ("nu pot face nimic", "Iată ce pot face pentru dumneavoastră."),
    ("asta e situația", "Să vedem ce putem face."),
    ("nu vă mai văicăriți", "Înțeleg cât de greu vă este."),
    ("stop whining", "I can hear how frustrating this has been."),
    ("like a normal person", "Could you try restarting the router for me? I'll stay on the line."),
    ("like everyone else", "I'll make sure your case is followed up."),
    ("your own fault", "Let's see what happened and how to fix it."),
    ("it is what it is", "Here is what I can do for you."),
    ("not our fault", "I'm sorry this happened; let me look into it."),
    ("nothing we can do", "Here is what I can do for you."),
    ("e vina dumneavoastră", "Să vedem ce s-a întâmplat și cum rezolvăm."),
    ("e vina ta", "Să vedem ce s-a întâmplat și cum rezolvăm."),
    ("nu e vina noastră", "Îmi pare rău că s-a întâmplat asta; verific imediat."),
    ("nu e vina mea", "Îmi pare rău că s-a întâmplat asta; verific imediat."),
    ("nu-i vina mea", "Îmi pare rău că s-a întâmplat asta; verific imediat."),
    ("nu este vina mea", "Îmi pare rău că s-a întâmplat asta; verific imediat."),
    ("așteptați ca toată lumea", "Mă asigur personal că solicitarea dumneavoastră este urmărită."),
    ("nu mai plângeți", "Înțeleg cât de frustrant este."),
]
# The customer reproaching the agent's manner: the agent line before it was rude or belittling,
# in whatever words (a QA reviewer reads it so). Not the customer waving an apology away ("no
# need to be sorry") or being sorry for themselves.
REPROACH = [
    "no need to be like that", "no need to be rude", "no need to be sharp", "no need to be sarcastic",
    "no need to be short with me", "no need to be snippy", "no need for that tone", "no need for the attitude",
    "no need for sarcasm", "there's no need for that", "watch your tone", "mind your tone", "your tone",
    "that tone with me", "take that tone", "don't get smart with me", "don't get clever with me",
    "don't get cheeky", "don't be cheeky", "don't be sarcastic", "don't talk to me like", "don't speak to me like",
    "talk down to me", "talking down to me", "don't patronise me", "don't patronize me", "patronising",
    "patronizing", "condescending", "how dare you", "that's rude", "that was rude", "how rude", "so rude",
    "very rude", "rude of you", "i'm not stupid", "i am not stupid", "i'm not an idiot", "i'm not a child",
    "taught manners", "no manners", "are you mocking me", "are you laughing at me", "are you making fun of me",
    "so it's my fault", "so now it's my fault", "are you blaming me", "don't lecture me", "no need to lecture me",
    "tonul ăsta", "tonul asta", "pe ce ton", "ce ton e ăsta", "ce ton aveți", "tonul dumneavoastră",
    "nu-mi vorbiți așa", "nu îmi vorbiți așa", "să-mi vorbiți așa", "să îmi vorbiți așa", "să-mi vorbiți pe",
    "să îmi vorbiți pe", "nu vorbiți așa cu mine", "cum vă permiteți", "nu vă permit", "obrăznicia",
    "obraznic", "obraznică", "nepoliticos", "nepoliticoasă", "lipsă de respect", "fără respect",
    "nu sunt prost", "nu sunt proastă", "nu sunt copil", "nu sunt tâmpit", "nu sunt tâmpită",
    "mă luați peste picior", "vă bateți joc", "vă bateți joc de mine", "adică e vina mea", "deci e vina mea",
    "acum e vina mea", "mă faceți vinovat", "mă faceți vinovată", "nu mă certați", "nu mă mai certați",
    "nu e nevoie să fiți", "nu meritam să-mi vorbiți",
]
# The customer saying the agent's line did not help or answer them: a brush-off, whatever its
# words. Across the read call sets (2026-12-07) these followed agent lines only in dismissive
# calls (10 of 50), never in good, mediocre or manipulative ones; persona objections that sound
# alike ("ce rost are", "so forget it") are left out.
UNHELPED = [
    "that's not an answer", "that is not an answer", "that's no answer", "you haven't answered",
    "you didn't answer my question", "you're not listening", "you are not listening", "you haven't done anything",
    "you've done nothing", "you're not helping", "you aren't helping", "so you can't do anything",
    "so you won't do anything", "so nobody can help", "we haven't got anywhere", "we've not got anywhere",
    "not got anywhere", "wasting my time", "nu mă puteți ajuta deloc", "nu m-ați ajutat", "nu mi-ați răspuns",
    "asta nu e un răspuns", "nu e un răspuns", "tot degeaba", "nu mă ascultați", "pierd vremea cu voi",
    "pierd timpul cu voi", "deci nu faceți nimic", "adică nu faceți nimic",
]
# Words that name what a problem does to a person (empathy that speaks to the impact).
IMPACT = [
    "work from home", "your work", "your day", "your evening", "your weekend", "without", "for days",
    "three times", "third time", "so long", "waiting", "worrying", "worry", "stressful", "a lot of trouble",
    "disrupt", "costing you", "cost you", "your business", "your family", "that's a lot",
    "de lucru", "fără", "a treia oară", "de zile", "așteptat", "griji", "stresant", "neplăcut", "vă încurcă",
]
# The trainee giving up or refusing outright: where a call with no resolution went wrong, the
# line a supervisor points at (the blind keys' evidence for resolution 0).
NO_FIX = [
    "nothing more i can do", "nothing else i can do", "nothing i can do", "nothing we can do", "can't do anything",
    "cannot do anything", "can't do any more", "i can't help", "i cannot help", "not refunding", "i can't refund",
    "we don't really do", "we don't do that", "that's all i can do", "i'm afraid not", "not something we do",
    "nu mai pot face nimic", "nu pot face nimic", "nu vă pot ajuta", "nu va pot ajuta", "mai mult de atât nu",
    "mai mult de atat nu", "nu, nu pot", "nu se aprobă", "nu se aproba", "nu avem cum", "n-am ce face",
    "nu am ce face", "nu se poate face nimic",
]
# An action taken or offered that solves something.
SOLUTION = [
    "i'll send", "i will send", "i've booked", "i have booked", "i'll book", "i will book", "i can book",
    "i've scheduled", "i'll schedule", "i've arranged", "i'll arrange", "i've applied", "i'll apply",
    "i've added", "i'll add", "i will add", "i've credited", "i'll credit", "i've refunded", "i'll refund",
    "i've reset", "i'll reset", "i've fixed", "i've cancelled", "i'll cancel", "i've waived", "i'll waive",
    "i've removed", "i'll remove", "i've changed", "i'll change", "i've updated", "i'll update",
    "i've corrected", "i'll correct", "i've replaced", "i'll replace", "i've sent", "i've reversed",
    "i'll reverse", "technician", "engineer", "credit", "refund", "replacement", "will be back", "back up by",
    "should be back", "will be fixed", "is fixed", "now fixed", "restored", "we can", "i can offer",
    "vă trimit", "am programat", "vă programez", "am adăugat", "vă adaug", "am creditat", "vă returnez",
    "am resetat", "am anulat", "anulez", "am corectat", "corectez", "tehnician", "credit", "rambursare",
    "înlocuire", "va fi reparat", "repară", "revine", "am trimis", "pot să vă ofer",
]
# Committing to do something, the heart of an offer.
COMMIT = ["i'm going to", "i am going to", "i'm booking", "i'm adding", "i'll move", "i will move", "i'll book",
          "i've booked", "i'll refund", "i'm refunding", "i'll credit", "i'll send", "i'll switch", "i'll set",
          "let's do it together", "i can book", "i can refund", "i'll arrange", "i'll pass", "i'll escalate",
          "vă propun", "propun să", "vă programez", "v-am programat", "vă trimit", "vă adaug", "vă returnez",
          "vă mut", "eșalonăm", "anulez"]
# What makes an offer concrete besides a time or a number.
CONCRETE = ["reference", "ticket", "text message", "sms", "email you", "confirmation", "credit", "refund",
            "referință", "tichet", "confirmare", "credit"]
# Promises with nothing behind them.
VAGUE = [
    "at some point", "someone will look", "someone will get back", "someone will call", "someone will contact",
    "look into it", "looking into it", "as soon as possible", "asap", "eventually", "sometime", "some time soon",
    "soon", "we'll see", "we will see", "hopefully", "in due course", "i can't promise", "no idea when",
    "usually", "normally", "typically", "gets sorted out", "should get sorted", "de obicei durează", "de obicei se", "de obicei în",
    "în mod normal",
    "cândva", "la un moment dat", "cineva se va uita", "cineva vă va suna", "cât mai curând", "vedem",
    "sperăm", "nu pot promite", "o să se uite cineva",
]
# Writing it down is not doing it.
NOTE_ONLY = ["put a note", "add a note", "added a note", "made a note", "make a note", "left a note", "noted it",
             "am notat", "am pus o notă", "las o notă", "notez"]
# Passing the problem on with no fix.
ESCALATE = [
    "escalate", "escalated", "escalation", "pass it on", "pass this on", "passed it on", "forward it", "forwarded it",
    "the team will decide", "someone else will", "someone will set up", "call back nearer", "if you call back",
    "call us back", "sunați înapoi", "reveniți cu un telefon",
    "another department", "the relevant department", "the right team", "raise it with", "log a complaint",
    "transmit mai departe", "alt departament", "departamentul responsabil", "am escaladat", "escaladez",
]
# Saying what happens next.
FOLLOW_UP = ["text message", "you will get", "you'll get", "you'll receive", "you will receive", "confirmation",
             "reference", "we'll call", "i'll call", "i will call", "between", "veți primi", "primiți",
             "vă sunăm", "vă sun", "referință", "confirmare", "sms", "email"]
# The customer turning an offer down.
REFUSE = ["not good enough", "that doesn't help", "no, that", "not acceptable", "useless", "no thanks",
          "no, thank you", "nu mă ajută", "nu e suficient", "inacceptabil", "nu, mulțumesc"]
# Taking in what the other side said.
ACKNOWLEDGE = [
    "thank you", "thanks", "got it", "noted", "i see", "i understand", "understood", "that's helpful",
    "that makes sense", "fair enough", "good to know", "great", "perfect", "okay", "ok", "right", "i hear you",
    "that's a fair", "that's a good", "good question", "i appreciate", "of course", "fair worry", "fair point",
    "that's fair", "absolutely", "certainly", "makes sense", "desigur", "bineînțeles", "aveți dreptate",
    "e normal", "este normal", "înțeleg îngrijorarea",
    "mulțumesc", "am notat", "am înțeles", "înțeleg", "perfect", "bine", "în regulă", "foarte bine", "notez",
    "e o întrebare bună", "grijă justificată", "îngrijorare justificată", "e justificat", "e firesc",
    "este firesc", "vă înțeleg îngrijorarea",
]
# A reply with substance to an objection.
ANSWER_FACT = ["no contract", "cancel any time", "cancel anytime", "guarantee", "free", "no fee", "no charge",
               "included", "save", "cheaper", "per month", "a month", "fără contract", "gratuit", "inclus",
               "economisiți", "pe lună", "garanție", "anulați oricând"]
# Pressure and false urgency in a sale.
PRESSURE = ["only today", "today only", "last chance", "you must decide now", "decide right now", "right now or",
            "you'd be stupid", "you'd be silly", "everyone is signing", "don't miss out", "or lose it",
            "doar azi", "ultima șansă", "trebuie să vă decideți acum", "acum sau niciodată"]
# Offering the product.
PITCH = ["we offer", "we can offer", "i can offer", "our offer", "the offer", "our plan", "the plan", "package",
         "our product", "our service", "switch to", "upgrade", "deal", "promotion",
         "vă oferim", "vă pot oferi", "oferta", "pachet", "pachetul", "abonament", "abonamentul", "promoție",
         "vă propun"]
# A benefit for the customer rather than a feature.
BENEFIT = ["save", "saving", "you'll get", "you will get", "you'd get", "so you can", "which means", "means you",
           "for you", "you won't have to", "no more", "cheaper", "faster", "lower", "less",
           "economisiți", "veți avea", "ca să puteți", "ceea ce înseamnă", "nu mai trebuie", "mai ieftin",
           "mai rapid", "mai puțin", "included", "same price", "no extra", "covered", "protects", "protect", "won't pay",
           "costs you nothing", "inclus", "inclusă", "același preț", "fără costuri", "fără cost", "acoperă",
           "nu se mai blochează", "nu mai plătiți", "pentru dumneavoastră", "nu mai aveți", "no longer"]
# Words that say what follows from an offer; a benefit when the offer uses what the prospect said.
CONSEQUENCE = ["which means", "that means", "that way", "so you", "so your", "so the", "meaning", "in other words",
               "adică", "deci", "astfel", "așa că", "ceea ce"]
PRICE = ["per month", "a month", "/month", "monthly", "euro", "eur", "lei", "ron", "pounds", "dollars", "£", "€",
         "$", "price", "costs", "cost", "pe lună", "lunar", "preț", "costă", "percent", "la sută", "per transaction",
         "excess", "a year", "per year", "pe an"]
