"""Settings: built-in defaults < rolecall.toml < .env < the process environment.

Everything is read through `load_settings(env, cwd)` so tests (and tools) can pass an
explicit environment and directory; nothing here reads `os.environ` behind their back.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.errors import ConfigError

APP_NAME = "rolecall"
TOML_FILE = "rolecall.toml"
ENV_FILE = ".env"

# Settings field -> the variable that sets it (also the key accepted in rolecall.toml).
VARIABLES: dict[str, str] = {
    "db": "ROLECALL_DB",
    "data_dir": "ROLECALL_DATA_DIR",
    "llm": "ROLECALL_LLM",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_api_key": "OPENAI_API_KEY",
    "customer_model": "ROLECALL_CUSTOMER_MODEL",
    "judge_model": "ROLECALL_JUDGE_MODEL",
    "local_gguf": "ROLECALL_LOCAL_GGUF",
    "stt_model": "ROLECALL_STT_MODEL",
    "llm_timeout_s": "ROLECALL_LLM_TIMEOUT",
    "cache_dir": "ROLECALL_CACHE_DIR",
    "acts": "ROLECALL_ACTS",
}
_FIELD_BY_VARIABLE = {var: field for field, var in VARIABLES.items()}
_PATH_FIELDS = ("db", "data_dir", "local_gguf", "stt_model", "cache_dir")
MEMORY_DB = ":memory:"


class Settings(BaseModel):
    """Where Rolecall keeps its data and which LLM it talks to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)),
        description="Audio files and user personas live here (ROLECALL_DATA_DIR).",
    )
    db: Path = Field(
        default=None,  # type: ignore[assignment]  # filled in from data_dir below
        validate_default=False,
        description="SQLite file (ROLECALL_DB), default data_dir/rolecall.db; ':memory:' for a throwaway database.",
    )
    llm: Literal["local", "openai"] = Field("local", description="ROLECALL_LLM: embedded model or an OpenAI-compatible server.")
    # Opt-in: the LLM classifier costs a second round trip before the customer can answer.
    acts: Literal["offline", "llm"] = Field(
        "offline", description="ROLECALL_ACTS: how the trainee's acts are understood: phrases only, or also the LLM."
    )
    openai_base_url: str | None = Field(None, description="OPENAI_BASE_URL; None means OpenAI itself.")
    # repr=False: settings get printed and logged; the key must not be.
    openai_api_key: str | None = Field(None, repr=False, description="OPENAI_API_KEY.")
    customer_model: str | None = Field(None, description="ROLECALL_CUSTOMER_MODEL: model name on the server.")
    judge_model: str | None = Field(None, description="ROLECALL_JUDGE_MODEL; None means the customer model.")
    local_gguf: Path | None = Field(None, description="ROLECALL_LOCAL_GGUF: any GGUF file instead of the default model.")
    stt_model: Path | None = Field(None, description="ROLECALL_STT_MODEL: a faster-whisper model folder.")
    llm_timeout_s: float = Field(60.0, gt=0, description="ROLECALL_LLM_TIMEOUT: seconds per LLM request.")
    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME)),
        description="ROLECALL_CACHE_DIR: the assembled model and other rebuildable files.",
    )

    @model_validator(mode="after")
    def _db_under_data_dir(self) -> Settings:
        # Setting only ROLECALL_DATA_DIR moves everything, the database included.
        if self.db is None:
            object.__setattr__(self, "db", self.data_dir / "rolecall.db")
        return self

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def personas_dir(self) -> Path:
        return self.data_dir / "personas"

    @property
    def rubrics_dir(self) -> Path:
        return self.data_dir / "rubrics"


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Read settings; `env` defaults to the process environment, `cwd` to the current directory."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else Path(cwd)

    # field -> (raw value, where it came from); later sources overwrite earlier ones.
    raw: dict[str, tuple[object, str]] = {}
    for field, value in _read_toml(cwd / TOML_FILE).items():
        raw[field] = (value, TOML_FILE)
    for source, values in ((ENV_FILE, _read_dotenv(cwd / ENV_FILE)), ("environment", env)):
        for var, value in values.items():
            field = _FIELD_BY_VARIABLE.get(var)
            # An empty value means "not set", as with most dotenv tools.
            if field is not None and value != "":
                raw[field] = (value, source)

    return Settings(**{field: _convert(field, value, source, cwd) for field, (value, source) in raw.items()})


def _convert(field: str, value: object, source: str, cwd: Path) -> object:
    """One raw value -> its typed form, or a one-line ConfigError naming the variable."""
    var = VARIABLES[field]
    where = f"{var}={value!r} (from {source})"
    if field == "llm":
        text = str(value).strip().lower()
        if text not in ("local", "openai"):
            raise ConfigError(f"{where}: allowed values are 'local' or 'openai'")
        return text
    if field == "llm_timeout_s":
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = float("nan")
        if not seconds > 0 or seconds == float("inf"):
            raise ConfigError(f"{where}: must be a number of seconds greater than 0, e.g. 60")
        return seconds
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a string")
    text = value.strip()
    if field in _PATH_FIELDS:
        if field == "db" and text == MEMORY_DB:
            return Path(MEMORY_DB)
        path = Path(text).expanduser()
        # Relative paths are relative to where the settings were read, not wherever
        # the process happens to be later.
        return path if path.is_absolute() else cwd / path
    return text


def _read_toml(path: Path) -> dict[str, object]:
    """rolecall.toml: a flat table keyed by variable name (any case) or field name."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, object] = {}
    known = sorted(set(VARIABLES) | set(VARIABLES.values()))
    for key, value in data.items():
        field = key.lower() if key.lower() in VARIABLES else _FIELD_BY_VARIABLE.get(key.upper())
        if field is None:
            near = difflib.get_close_matches(key.upper(), [k.upper() for k in known], n=1)
            hint = f"; did you mean {near[0]}?" if near else f"; known keys: {', '.join(VARIABLES.values())}"
            raise ConfigError(f"{path}: unknown key '{key}'{hint}")
        if isinstance(value, (dict, list)):
            raise ConfigError(f"{path}: {key}: must be a single value, not a table or list")
        out[field] = value
    return out


def _read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `#` comments, optional `export ` and optional quotes."""
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key or not key.replace("_", "").isalnum():
            raise ConfigError(f"{path}:{lineno}: expected KEY=VALUE, got {line[:40]!r}")
        out[key] = _dotenv_value(value.strip())
    return out


def _dotenv_value(value: str) -> str:
    if len(value) >= 2 and value[0] in "\"'" and value.find(value[0], 1) > 0:
        # Quoted: everything up to the closing quote; what follows can only be a comment.
        return value[1 : value.find(value[0], 1)]
    # Unquoted: " #" starts a trailing comment (a bare # may be part of a password).
    comment = value.find(" #")
    return (value[:comment] if comment >= 0 else value).strip()
