"""Web-service tokens encrypted at rest (lms_bridge/secrets_at_rest.py), so the database alone (a backup, a
dump) does not give the token away.

Changing SECRET_KEY makes stored tokens unreadable (TokenUnreadable): store them again after a rotation.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms_bridge.errors import DomainError
from lms_bridge.secrets_at_rest import Unreadable, decrypt, encrypt

# The HKDF "info": a key for this purpose only, unrelated to the session-signing use of the same secret.
_INFO = b"lms-bridge moodle web-service token v1"


class TokenUnreadable(DomainError):
    code = "moodle_token_unreadable"


def encrypt_token(token: str, *, secret_key: str) -> str:
    """The token as Fernet ciphertext (text) for the database."""
    return encrypt(token, secret_key=secret_key, purpose=_INFO)


def decrypt_token(ciphertext: str, *, secret_key: str, site_name: str) -> str:
    """The token back; raises TokenUnreadable when SECRET_KEY has changed since it was stored."""
    try:
        return decrypt(ciphertext, secret_key=secret_key, purpose=_INFO)
    except Unreadable:
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
