from .base import LLM, ChatModelLLM, Message

__all__ = ["LLM", "ChatModelLLM", "Message"]
