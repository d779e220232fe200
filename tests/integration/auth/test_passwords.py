"""The password rule (NIST SP 800-63B style): length, no common or guessable passwords, no username."""

from __future__ import annotations

import pytest

from lms_bridge.auth.accounts import create_account, set_password
from lms_bridge.auth.passwords import WeakPassword, check_password


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("lyhyt-sana", "vähintään 12 merkkiä"),
        ("password1234", "liian helppo arvata"),
        ("qwertyuiopas", "liian helppo arvata"),
        ("aaaaaaaaaaaaaaaa", "liian helppo arvata"),
        ("123456789012", "liian helppo arvata"),
        ("maija.virtanen-2024", "käyttäjätunnusta"),
    ],
)
def test_weak_passwords_are_refused_with_a_finnish_reason(password, message):
    with pytest.raises(WeakPassword, match=message):
        check_password(password, username="maija.virtanen", min_length=12)


@pytest.mark.parametrize(
    "password", ["kotihoidon-aamuvuoro-alkaa-seitsemältä", "Rauma ja Pori ovat sataman kaupunkeja"]
)
def test_long_own_phrases_pass(password):
    check_password(password, username="maija.virtanen", min_length=12)


def test_account_creation_and_reset_apply_the_rule(session):
    with pytest.raises(WeakPassword):
        create_account(session, username="maija", password="salasana1234", role="admin", actor="t")
    account = create_account(
        session, username="maija", password="kotihoidon-aamuvuoro-alkaa", role="admin", actor="t"
    )
    with pytest.raises(WeakPassword):
        set_password(session, account, "password1234", actor="t")


def test_the_cli_says_why_a_password_is_refused(run):
    result = run("accounts", "create", "liisa", "--role", "admin", "--password", "password1234")
    assert result.exit_code == 1
    assert "liian helppo arvata" in result.output
    ok = run("accounts", "create", "liisa", "--role", "admin", "--password", "kotihoidon-aamuvuoro-alkaa")
    assert ok.exit_code == 0, ok.output
