"""Web-service tokens encrypted at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
app's SECRET_KEY with HKDF-SHA256, so the database alone (a backup, a dump) does not give the token away.

Changing SECRET_KEY makes stored tokens unreadable (TokenUnreadable): store them again after a rotation.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask_babel import lazy_gettext as _l

from lms_bridge.errors import DomainError

# The HKDF "info": a key for this purpose only, unrelated to the session-signing use of the same secret.
_INFO = b"lms-bridge moodle web-service token v1"


class TokenUnreadable(DomainError):
    code = "moodle_token_unreadable"


def _fernet(secret_key: str) -> Fernet:
    if not secret_key:
        raise ValueError("SECRET_KEY is empty")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_token(token: str, *, secret_key: str) -> str:
    """The token as Fernet ciphertext (text) for the database."""
    return _fernet(secret_key).encrypt(token.encode()).decode("ascii")


def decrypt_token(ciphertext: str, *, secret_key: str, site_name: str) -> str:
    """The token back; raises TokenUnreadable when SECRET_KEY has changed since it was stored."""
    try:
        return _fernet(secret_key).decrypt(ciphertext.encode("ascii")).decode()
    except InvalidToken:
        raise TokenUnreadable(
            _l(
                "Moodle-sivuston %(name)s tokenia ei voi avata: sovelluksen SECRET_KEY on vaihtunut sen "
                "tallentamisen jälkeen. Tallenna token uudelleen (lms-bridge moodle site add %(name)s "
                "--url … --token-file … --replace tai ylläpitosivu).",
                name=site_name,
            )
        ) from None


def token_hint(token: str) -> str:
    """What pages show of a token: its last 4 characters."""
    return token[-4:]
