"""Accounts: roles, slow password hashes (argon2id) and generated passwords."""

from __future__ import annotations

import functools
import secrets
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from simulator.errors import RolecallError


class Role(str, Enum):
    trainee = "trainee"
    trainer = "trainer"
    supervisor = "supervisor"

    @classmethod
    def parse(cls, value: str | Role) -> Role:
        """A role from user input, or a one-line error listing the valid ones."""
        try:
            return cls(str(value.value if isinstance(value, Role) else value).strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise RolecallError(f"role '{value}' is not valid; use one of: {allowed}") from None

    @property
    def sees_all_sessions(self) -> bool:
        """Only supervisors review everyone's calls; others see their own (DESIGN.md)."""
        return self is Role.supervisor


# argon2-cffi's defaults (argon2id, 64 MiB, 3 passes): about 50-100 ms per hash on
# 2 cores, which is the point: a stolen database is slow to crack.
_hasher = PasswordHasher()

# Readable: no 0/O, 1/l/I look-alikes, so a trainer can read it out to a trainee.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def hash_password(password: str) -> str:
    if not password:
        raise RolecallError("password is empty; choose a password or use a generated one")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False for a wrong password or a damaged hash, never raises."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash on next login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def generate_password(groups: int = 4, group_len: int = 4) -> str:
    """e.g. 'k7mq-xr4t-9bwz-hn3e': 16 random characters (~79 bits) in dash-separated groups."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(group_len)) for _ in range(groups))


# Verified against when a user does not exist, so a login for an unknown name takes
# as long as a wrong password and does not reveal which names exist.
@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def burn_verify_time(password: str) -> None:
    verify_password(_dummy_hash(), password)
