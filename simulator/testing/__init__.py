"""Helpers for tests and benchmarks (no test framework needed to import them)."""

from .api_client import ApiClient
from .openai_server import OpenAIStubServer

__all__ = ["ApiClient", "OpenAIStubServer"]
