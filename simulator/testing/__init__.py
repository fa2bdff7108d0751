"""Helpers for tests and benchmarks (no test framework needed to import them)."""

from .openai_server import OpenAIStubServer

__all__ = ["OpenAIStubServer"]
