import pytest

from simulator.auth import Role, generate_password, hash_password, needs_rehash, verify_password
from simulator.errors import RolecallError


def test_hash_is_argon2_not_the_password_and_salted():
    h1, h2 = hash_password("correct horse"), hash_password("correct horse")
    assert h1.startswith("$argon2id$")
    assert "correct horse" not in h1
    assert h1 != h2  # random salt: equal passwords do not give equal hashes
    assert not needs_rehash(h1)


def test_verify_accepts_right_and_refuses_wrong_without_raising():
    h = hash_password("s3cret-pass")
    assert verify_password(h, "s3cret-pass") is True
    assert verify_password(h, "s3cret-Pass") is False
    assert verify_password(h, "") is False
    assert verify_password("not a hash", "s3cret-pass") is False


def test_empty_password_refused():
    with pytest.raises(RolecallError, match="empty"):
        hash_password("")


def test_generated_passwords_are_long_readable_and_distinct():
    pws = {generate_password() for _ in range(50)}
    assert len(pws) == 50
    for pw in pws:
        assert len(pw) >= 14
        assert not set(pw) & set("0O1lI")  # no look-alikes to misread
        assert pw.replace("-", "").isalnum()


def test_roles():
    assert [r.value for r in Role] == ["trainee", "trainer", "supervisor"]
    assert Role.parse(" Supervisor ") is Role.supervisor
    assert Role.supervisor.sees_all_sessions and not Role.trainer.sees_all_sessions
    with pytest.raises(RolecallError, match="'admin'.*trainee, trainer, supervisor"):
        Role.parse("admin")
