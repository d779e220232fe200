"""The password rule, NIST SP 800-63B style: long enough, and not one that is commonly used or guessable.

No composition rules (a digit, a capital ...): length and a check against common passwords, dictionary
words, keyboard patterns, repeats and the username do more. The check is zxcvbn's (its lists of common
passwords and words, and its pattern matching), a well-kept library rather than a list of our own.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from lms_bridge.errors import DomainError

# zxcvbn's score: 0 too guessable ... 4 very unguessable. 3 = "safely unguessable: moderate protection
# from offline slow-hash scenario", which a 12-character passphrase of ordinary words reaches.
MIN_SCORE = 3
_ZXCVBN_MAX_CHARS = 100  # zxcvbn's cost grows with length; the start of a long password decides anyway


class WeakPassword(DomainError):
    code = "weak_password"


def check_password(password: str, *, username: str, min_length: int) -> None:
    """Raises WeakPassword with a Finnish message saying what to do."""
    if len(password) < min_length:
        raise WeakPassword(_l("Salasanassa on oltava vähintään %(n)s merkkiä.", n=min_length))
    if username and username.lower() in password.lower():
        raise WeakPassword(_l("Salasanassa ei saa olla käyttäjätunnusta."))
    if zxcvbn(password[:_ZXCVBN_MAX_CHARS], user_inputs=[username])["score"] < MIN_SCORE:
        raise WeakPassword(
            _l(
                "Salasana on liian helppo arvata: se on yleisesti käytetty tai koostuu sanakirjan sanasta, "
                "toistosta tai näppäimistön kuviosta. Käytä pidempää, omaa lausetta."
            )
        )
