"""API tokens: create (shown once), revoke, authenticate a bearer token.

A token is 32 random bytes (256 bits) from `secrets`. Only its SHA-256 is stored. A slow password hash
(bcrypt, argon2) protects guessable passwords; a 256-bit random token cannot be guessed, so a fast hash
loses nothing, and being deterministic it lets a request find its token with one indexed lookup instead of
trying every stored hash. A leaked database therefore yields no usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.auth.models import ApiToken
from lms_bridge.db import utcnow
from lms_bridge.errors import DomainError

logger = logging.getLogger(__name__)

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

TOKEN_PREFIX = "lmsb_"  # noqa: S105 - a public prefix that makes leaked tokens greppable
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class TokenError(DomainError):
    code = "invalid_token"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, *, actor: str) -> str:
    """Create a token and return it; only its hash is kept. Raises TokenError for a bad or taken name."""
    if not NAME_PATTERN.match(name):
        raise TokenError(_l("Tunnuksen nimessä saa olla kirjaimia, numeroita, piste, viiva ja alaviiva."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    existing = session.scalars(select(ApiToken).where(ApiToken.name == name)).one_or_none()
    if existing is not None and existing.revoked_at is None:
        raise TokenError(_l("Tunnus %(name)s on jo olemassa. Peru se ensin.", name=name))
    if existing is None:
        session.add(ApiToken(name=name, token_hash=hash_token(token)))
    else:  # a revoked name may be reused; the audit log keeps the history
        existing.token_hash, existing.revoked_at, existing.created_at = hash_token(token), None, utcnow()
    session.flush()
    record_event(session, actor=actor, action="api_token.created", subject_type="api_token", subject_id=name)
    logger.info("API token %s created", name)
    return token


def revoke_token(session: Session, name: str, *, actor: str) -> None:
    """Revoke a token at once. Raises TokenError when there is no active token of that name."""
    token = session.scalars(select(ApiToken).where(ApiToken.name == name)).one_or_none()
    if token is None or token.revoked_at is not None:
        raise TokenError(
            _l("Voimassa olevaa tunnusta %(name)s ei ole.", name=name), status=404, code="not_found"
        )
    token.revoked_at = utcnow()
    session.flush()
    record_event(session, actor=actor, action="api_token.revoked", subject_type="api_token", subject_id=name)
    logger.info("API token %s revoked", name)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def authenticate(session: Session, authorization: str | None, *, now: dt.datetime) -> ApiToken:
    """The active token named by an `Authorization: Bearer ...` header (the scheme in any case, RFC 9110).

    Notes when the token was last used (at most once a minute, so a busy client does not turn every read
    into a write). Raises Unauthorized.
    """
    scheme, _space, presented = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorized(_l("Anna API-tunnus otsakkeessa Authorization: Bearer <tunnus>."))
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(presented.strip()))
    ).one_or_none()
    if token is None or token.revoked_at is not None:
        raise Unauthorized(_l("API-tunnus on tuntematon tai peruttu."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return token
