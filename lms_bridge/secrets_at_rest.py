"""Secrets the app must read back, encrypted in the database: Fernet (AES-128-CBC + HMAC-SHA256) under a key
derived from the app's SECRET_KEY with HKDF-SHA256, one key per purpose, so a backup or a dump of the
database alone gives none of them away.

Used for Moodle web-service tokens (moodle/tokens.py) and the LTI tool's private signing keys
(lti/keys.py). Changing SECRET_KEY makes what was stored unreadable (`Unreadable`); each user says what
to do then.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unreadable(Exception):
    """The ciphertext was not made with this SECRET_KEY and purpose (or was altered)."""


def _fernet(secret_key: str, purpose: bytes) -> Fernet:
    if not secret_key:
        raise ValueError("SECRET_KEY is empty")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str, *, secret_key: str, purpose: bytes) -> str:
    """The text as Fernet ciphertext (ASCII) for the database."""
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode("ascii")


def decrypt(ciphertext: str, *, secret_key: str, purpose: bytes) -> str:
    """The text back; raises Unreadable when SECRET_KEY (or the purpose) is not the one it was stored with."""
    try:
        return _fernet(secret_key, purpose).decrypt(ciphertext.encode("ascii")).decode()
    except InvalidToken:
        raise Unreadable() from None
