"""Small, specific exceptions. The CLI and the app turn each into one line for a person."""


class RolecallError(Exception):
    """Base for every error a person should see as one clean line."""


class ConfigError(RolecallError):
    pass


class LineTooLong(RolecallError):
    """A typed line longer than a spoken turn: nothing was sent, and the trainee keeps the text."""


class ValidationFailed(RolecallError):
    """A persona or rubric file is invalid; `errors` holds `file:line: field: message` lines."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors[0] if len(errors) == 1 else f"{errors[0]} (and {len(errors) - 1} more)")


class NotFound(RolecallError):
    pass


class LLMUnavailable(RolecallError):
    """The LLM server could not be reached or kept failing after retries."""


class ModelAssemblyError(RolecallError):
    pass


class AudioError(RolecallError):
    """Audio that cannot be used: empty, silent, corrupt, unsupported or too long."""


class AccessDenied(RolecallError):
    pass
