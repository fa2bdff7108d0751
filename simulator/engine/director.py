"""The director: deterministic customer state and the choice of what the customer does next.

No LLM here. Given the persona and the trainee's acts it moves mood and patience, tracks
which facts were asked for and revealed, which objections were raised and answered and
whether the goal is met, and picks the next beat. Replaying the same agent turns gives
the same states, which is how an interrupted call is restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..listener.tone import PATTERN, candidate
from ..persona import Beat, CallType, Persona
from ..transcript import EndReason
from .acts import Act, ActClassifier, TurnActs
from .phone import SILENCES_BEFORE_HANG_UP, reacts_to_cut_off

# How much each act moves the mood before the persona's sensitivity is applied.
MOOD_STEP = {
    Act.empathy: 0.15,
    Act.apology: 0.1,
    Act.asked_fact: 0.05,
    Act.answered_objection: 0.15,
    Act.solution: 0.35,
    Act.greeting: 0.05,
    Act.rude: -0.35,
    Act.manipulation: -0.15,
}
UNHELPFUL_STEP = -0.1


@dataclass
class DirectorState:
    mood: float
    patience: int
    turn: int = 0                      # agent turns seen
    asked: list[str] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    volunteered: list[str] = field(default_factory=list)
    objections_raised: list[str] = field(default_factory=list)
    objections_answered: list[str] = field(default_factory=list)
    goal_met: bool = False
    holds: int = 0
    offer_standing: bool = False       # the goal was offered once the agent knew enough
    silences: int = 0                  # "are you still there?" asked since the trainee last spoke
    brush_offs: int = 0                # lines heard as rude, dismissive, or a brush-off by meaning
    ended: EndReason | None = None


@dataclass
class Decision:
    beat: Beat
    fact_id: str | None = None         # for give_fact
    objection_id: str | None = None    # for object
    volunteer_id: str | None = None    # a volunteer fact the customer may mention
    acts: TurnActs | None = None
    ends: EndReason | None = None
    cut_off: bool = False              # the trainee talked over the customer's last line
    long_turn: bool = False            # the trainee talked for a minute without a pause
    fixed_line: str | None = None      # a kind of simulator.engine.phone line said instead of one written


class Director:
    def __init__(self, persona: Persona, classifier=None):
        self.persona = persona
        self.classifier = classifier or ActClassifier(persona)
        self.state = DirectorState(mood=persona.mood.start, patience=persona.patience)

    # -- who speaks first -------------------------------------------------------------
    @property
    def customer_speaks_first(self) -> bool:
        """Inbound: the agent answers the phone. Outbound and surveys: the customer picks up."""
        return self.persona.call_type != CallType.inbound_support

    def first_beat(self) -> Decision:
        return Decision(beat=Beat.opening)

    # -- one agent turn -----------------------------------------------------------------
    def _brush_off(self, text: str, acts: TurnActs, answers: str) -> None:
        """A brush-off in words no phrase list holds sours the customer from the `PATTERN`th
        one on (rude lines included), as the scorecard counts them (simulator/listener/tone.py):
        one such line may be a plain fact ("the signal is poor in your area"), a pattern is not."""
        s = self.state
        if Act.rude in acts.acts:
            s.brush_offs += 1
            return
        words, alone = candidate(text, answers=answers,
                                 offers=bool(acts.acts & {Act.solution, Act.apology, Act.hold, Act.manipulation}),
                                 next_step=Act.next_step in acts.acts,
                                 courteous=bool(acts.acts & {Act.greeting, Act.closing}),
                                 taken_back=acts.taken_back)
        if words is None:
            return
        s.brush_offs = max(s.brush_offs + 1, PATTERN if alone else 0)
        if s.brush_offs >= PATTERN:
            acts.acts.add(Act.rude)
            acts.acts.discard(Act.courteous)

    def step(self, agent_text: str, acts: TurnActs | None = None, *, cut_off: bool = False,
             long_turn: bool = False, answers: str = "") -> Decision:
        """Move the state for one agent line. `acts` replays stored acts instead of classifying.
        cut_off: the line talked over the customer's; long_turn: it ran a minute without a pause;
        answers: the customer's line it answers (a read-back of it is no brush-off)."""
        if self.state.ended:
            raise RuntimeError("the call has ended")
        s = self.state
        p = self.persona
        if acts is None:
            acts = self.classifier.classify(agent_text)
            self._brush_off(agent_text, acts, answers)
        elif Act.rude in acts.acts:
            s.brush_offs += 1
        first_turn = s.turn == 0
        s.turn += 1
        s.silences = 0
        if (cut_off and reacts_to_cut_off(p)) or long_turn:
            s.patience -= 1  # being talked over or talked at wears a customer down

        for fid in acts.facts_asked:
            if fid not in s.asked:
                s.asked.append(fid)
        # An objection answered before the customer raised it ("and you won't need the
        # internet, you can pay at the post office") is settled: the customer does not raise it.
        newly_answered = [o for o in acts.objections_answered if o not in s.objections_answered]
        s.objections_answered.extend(newly_answered)

        offered = Act.solution in acts.acts
        goal_ready = all(r in s.revealed or r in acts.facts_asked for r in p.goal.requires)
        pending_objection = next((o.id for o in p.objections
                                  if o.id not in s.objections_raised and o.id not in s.objections_answered), None)
        unanswered = [o for o in s.objections_raised if o not in s.objections_answered]

        # Mood and patience.
        delta = 0.0
        for act in acts.acts:
            if act == Act.solution and not goal_ready:
                continue
            if act == Act.answered_objection and not newly_answered:
                continue
            delta += MOOD_STEP.get(act, 0.0)
        # A line the listener did not fully understand but that was polite or on topic is not a
        # stall: it costs no patience (Act.courteous).
        useful = bool(acts.acts & {Act.asked_fact, Act.empathy, Act.apology, Act.hold, Act.question,
                                   Act.answered_objection, Act.greeting, Act.closing, Act.courteous,
                                   Act.identity_check, Act.next_step, Act.unsure}) or (offered and goal_ready)
        if Act.rude in acts.acts:
            s.patience -= 2
        elif acts.acts & {Act.manipulation, Act.claims_consent, Act.silent}:
            s.patience -= 1
            delta += UNHELPFUL_STEP
        elif not useful:
            s.patience -= 1
            delta += UNHELPFUL_STEP
        if Act.hold in acts.acts:
            s.holds += 1
            if s.holds > 2:  # being put on hold again and again wears anyone down
                s.patience -= 1
        s.mood = max(-1.0, min(1.0, s.mood + delta * p.mood.sensitivity))

        def decide(beat: Beat, **kw) -> Decision:
            return Decision(beat=beat, acts=acts, cut_off=cut_off, long_turn=long_turn, **kw)

        # What happens next, most pressing first.
        if s.patience <= 0:
            s.ended = EndReason.hung_up
            return decide(Beat.hang_up, ends=EndReason.hung_up)
        if s.goal_met:
            s.ended = EndReason.resolved
            return decide(Beat.goodbye, ends=EndReason.resolved)
        if Act.rude in acts.acts:
            return decide(Beat.react_rude)
        if Act.claims_consent in acts.acts:
            # It agreed to nothing (an accepted offer ends the call): "Hold on, I didn't agree to that."
            return decide(Beat.deflect, fixed_line="not_agreed")
        if Act.manipulation in acts.acts:
            return decide(Beat.deflect)
        if first_turn and not self.customer_speaks_first:
            return decide(Beat.opening, volunteer_id=self._volunteer())
        if (Act.farewell in acts.acts and Act.question not in acts.acts and not acts.facts_asked
                and p.call_type != CallType.inbound_support):
            # Called for a survey or an offer, the customer says goodbye back to the trainee's
            # goodbye (a walk: "What next?" kept the call going). A caller with a problem protests.
            s.ended = EndReason.agent_ended
            return decide(Beat.goodbye, ends=EndReason.agent_ended)
        wanted = [f for f in acts.facts_asked if f not in s.revealed] or acts.facts_asked
        if wanted:
            fid = wanted[0]
            if fid not in s.revealed:
                s.revealed.append(fid)
            return decide(Beat.give_fact, fact_id=fid)
        if offered and goal_ready:
            s.offer_standing = True
        elif newly_answered and s.offer_standing and not unanswered and not pending_objection:
            # The offer made before the objection still stands; its answer settles it.
            offered = True
        if offered and goal_ready:
            if unanswered:
                return decide(Beat.object, objection_id=unanswered[0])
            if pending_objection:
                s.objections_raised.append(pending_objection)
                return decide(Beat.object, objection_id=pending_objection)
            s.goal_met = True
            return decide(Beat.accept)
        if offered:
            # Offers before the agent knows who they are talking to do not count yet.
            return decide(Beat.push)
        if newly_answered or (pending_objection and p.call_type != CallType.inbound_support and s.turn >= 1
                               and not unanswered):
            if pending_objection and p.call_type != CallType.inbound_support:
                s.objections_raised.append(pending_objection)
                return decide(Beat.object, objection_id=pending_objection)
            return decide(Beat.soften)
        if Act.unsure in acts.acts:
            return decide(Beat.clarify)  # "Sorry, what do you need from me?"
        if Act.hold in acts.acts:
            return decide(Beat.wait)
        if acts.acts & {Act.empathy, Act.apology}:
            return decide(Beat.soften)
        if (Act.question in acts.acts and Act.closing not in acts.acts
                and p.temperament.value in ("confused", "elderly", "hesitant")):
            return decide(Beat.clarify)  # not "anything else?": that asks for no explaining (a walk)
        if Act.silent in acts.acts or s.mood < -0.2:
            return decide(Beat.complain, volunteer_id=self._volunteer())
        return decide(Beat.push)

    def silent(self) -> bool:
        """The trainee said nothing for a long while. Returns whether the customer gives up
        (hangs up) rather than asking whether anyone is there."""
        if self.state.ended:
            raise RuntimeError("the call has ended")
        s = self.state
        s.silences += 1
        if reacts_to_cut_off(self.persona):  # impatient customers: waiting in silence costs patience
            s.patience -= 1
            s.mood = max(-1.0, s.mood + UNHELPFUL_STEP * self.persona.mood.sensitivity)
        # Patience decides whether the customer stays once the trainee speaks again; a silence
        # is always asked about once first (it may be the line, not the trainee).
        if s.silences >= SILENCES_BEFORE_HANG_UP:
            s.ended = EndReason.hung_up
            return True
        return False

    def _volunteer(self) -> str | None:
        for f in self.persona.facts:
            if f.share == "volunteer" and f.id not in self.state.revealed:
                self.state.revealed.append(f.id)
                self.state.volunteered.append(f.id)
                return f.id
        return None

    def agent_ended(self) -> None:
        if not self.state.ended:
            self.state.ended = EndReason.agent_ended
