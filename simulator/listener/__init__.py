"""What the customer hears in the trainee's words: one listener for the director and the scorecard."""

from .listener import LABELS, Heard, Listener, listener_for

__all__ = ["LABELS", "Heard", "Listener", "listener_for"]
