"""Tokens at rest: encrypted under a key from SECRET_KEY, unreadable (with a clear message) under another."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from lms_bridge.moodle.tokens import TokenUnreadable, decrypt_token, encrypt_token, token_hint

TOKEN = "0123456789abcdef0123456789abcdef"


def test_a_token_round_trips_and_is_not_in_its_ciphertext():
    stored = encrypt_token(TOKEN, secret_key="one")
    assert TOKEN not in stored
    assert encrypt_token(TOKEN, secret_key="one") != stored  # a fresh IV each time
    assert decrypt_token(stored, secret_key="one", site_name="lab") == TOKEN
    assert token_hint(TOKEN) == "cdef"


def test_another_secret_key_cannot_read_it_and_says_what_to_do():
    stored = encrypt_token(TOKEN, secret_key="one")
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context(), pytest.raises(TokenUnreadable) as refused:
        decrypt_token(stored, secret_key="two", site_name="lab")
    assert "SECRET_KEY on vaihtunut" in str(refused.value.message)
    assert "--replace" in str(refused.value.message)
