"""The customer engine: a deterministic director, an LLM actor and a guard (see DESIGN.md)."""

from .acts import Act, ActClassifier, TurnActs, normalize
from .call import CallSession, CustomerReply
from .director import Director, DirectorState, Decision

__all__ = [
    "Act", "ActClassifier", "TurnActs", "normalize",
    "CallSession", "CustomerReply",
    "Director", "DirectorState", "Decision",
]
