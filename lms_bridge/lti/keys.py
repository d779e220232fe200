"""The tool's RSA signing keys: created, published in the JWKS, rotated.

A new key is published before it signs anything (`active_from` lies LTI_KEY_PUBLISH_AHEAD_MINUTES in the
future), so a platform that cached our key set has seen it before the first token it must check; the key
it replaces keeps being published until LTI_KEY_RETIRE_AFTER_MINUTES after the switch, longer than
anything it signed can still be checked (client assertions live 60 s, deep-linking responses 5 min).

Private keys are stored encrypted (lms_bridge/secrets_at_rest.py): whoever reads the database alone cannot
sign as the tool (post grades to Moodle's gradebook). A key stored before that is encrypted when it next
signs; a key no longer readable after a change of SECRET_KEY is retired at once and a new one takes its
place (platforms fetch our key set again when they meet the new kid).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.lti.models import ToolKey
from lms_bridge.secrets_at_rest import Unreadable, decrypt, encrypt

logger = logging.getLogger(__name__)

# The HKDF "info" of secrets_at_rest: a key for this purpose only.
_PURPOSE = b"lms-bridge lti tool signing key v1"
_ENCRYPTED = "fernet:"  # before this, a stored key was PEM text


def private_pem(key: ToolKey, *, secret_key: str) -> str:
    """The key's private PEM, for signing; raises Unreadable after a change of SECRET_KEY."""
    stored = key.private_pem
    if not stored.startswith(_ENCRYPTED):
        return stored
    return decrypt(stored.removeprefix(_ENCRYPTED), secret_key=secret_key, purpose=_PURPOSE)


def _sealed(pem: str, secret_key: str) -> str:
    return _ENCRYPTED + encrypt(pem, secret_key=secret_key, purpose=_PURPOSE)


def _new_key(kid: str) -> tuple[str, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = json.loads(JWK.from_pem(pem.encode()).export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return pem, public


def create_key(
    session: Session, *, now: dt.datetime, active_from: dt.datetime, actor: str, secret_key: str
) -> ToolKey:
    kid = f"lmsb-{now:%Y%m%d}-{secrets.token_hex(4)}"
    pem, public = _new_key(kid)
    key = ToolKey(
        kid=kid,
        private_pem=_sealed(pem, secret_key),
        public_jwk=public,
        created_at=now,
        active_from=active_from,
    )
    session.add(key)
    session.flush()
    record_event(
        session, actor=actor, action="lti.key_create", subject_type="lti_tool_key", subject_id=key.id
    )
    logger.info("LTI tool key %s created, signing from %s", kid, active_from.isoformat())
    return key


def published_keys(session: Session, *, now: dt.datetime) -> list[ToolKey]:
    """Keys in the JWKS: every key not yet retired (including one that will sign only later)."""
    return list(
        session.scalars(
            select(ToolKey)
            .where(or_(ToolKey.retired_at.is_(None), ToolKey.retired_at > now))
            .order_by(ToolKey.active_from)
        )
    )


def signing_key(session: Session, *, now: dt.datetime, secret_key: str, actor: str = "system") -> ToolKey:
    """The key to sign with now: the newest one whose time has come. The first call creates one."""
    return signer(session, now=now, secret_key=secret_key, actor=actor)[0]


def signer(
    session: Session, *, now: dt.datetime, secret_key: str, actor: str = "system"
) -> tuple[ToolKey, str]:
    """The signing key (as `signing_key`) and its private PEM, read once."""
    key = session.scalars(
        select(ToolKey)
        .where(ToolKey.active_from <= now, or_(ToolKey.retired_at.is_(None), ToolKey.retired_at > now))
        .order_by(ToolKey.active_from.desc(), ToolKey.id.desc())
        .limit(1)
    ).first()
    if key is None:
        return _created(session, now=now, actor=actor, secret_key=secret_key)
    try:
        pem = private_pem(key, secret_key=secret_key)
    except Unreadable:
        logger.warning("LTI tool key %s unreadable (SECRET_KEY changed): retired, a new key signs", key.kid)
        key.retired_at = now
        record_event(
            session,
            actor=actor,
            action="lti.key_unreadable",
            subject_type="lti_tool_key",
            subject_id=key.id,
            details={"kid": key.kid},
        )
        return _created(session, now=now, actor=actor, secret_key=secret_key)
    if not key.private_pem.startswith(_ENCRYPTED):
        key.private_pem = _sealed(pem, secret_key)
        session.flush()
    return key, pem


def _created(session: Session, *, now: dt.datetime, actor: str, secret_key: str) -> tuple[ToolKey, str]:
    key = create_key(session, now=now, active_from=now, actor=actor, secret_key=secret_key)
    return key, private_pem(key, secret_key=secret_key)


def jwks(session: Session, *, now: dt.datetime, secret_key: str) -> dict[str, Any]:
    keys = published_keys(session, now=now)
    if not keys:
        keys = [signing_key(session, now=now, secret_key=secret_key)]
    return {"keys": [key.public_jwk for key in keys]}


def rotate(
    session: Session,
    *,
    now: dt.datetime,
    publish_ahead: dt.timedelta,
    retire_after: dt.timedelta,
    actor: str,
    secret_key: str,
) -> ToolKey:
    """Publish a new key now, signing from now + publish_ahead; every older key is retired
    retire_after after that moment (unless it already retires sooner)."""
    switch_at = now + publish_ahead
    for old in published_keys(session, now=now):
        retire = switch_at + retire_after
        if old.retired_at is None or old.retired_at > retire:
            old.retired_at = retire
    key = create_key(session, now=now, active_from=switch_at, actor=actor, secret_key=secret_key)
    record_event(
        session,
        actor=actor,
        action="lti.key_rotate",
        subject_type="lti_tool_key",
        subject_id=key.id,
        details={"kid": key.kid, "signing_from": switch_at.isoformat()},
    )
    return key
