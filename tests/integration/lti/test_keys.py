"""The tool's private signing keys at rest: encrypted, an older plaintext key encrypted when it next signs,
and a key unreadable after a change of SECRET_KEY replaced by a new one instead of breaking every launch."""

from __future__ import annotations

import datetime as dt

from jwcrypto.jwk import JWK  # type: ignore[import-untyped]
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lms_bridge.audit import AuditEvent
from lms_bridge.db import utcnow
from lms_bridge.lti import keys
from lms_bridge.lti.models import ToolKey

SECRET = "one-secret"


def stored_value(session: Session, key: ToolKey) -> str:
    """What the database holds, read past the session's objects."""
    session.flush()
    query = text("SELECT private_pem FROM lti_tool_key WHERE id = :id")
    return str(session.execute(query, {"id": key.id}).scalar())


def modulus(pem: str) -> str:
    """The public modulus of a private key: the same as the published JWK's `n` when they belong together."""
    return str(JWK.from_pem(pem.encode()).export_public(as_dict=True)["n"])


def test_a_new_key_is_stored_encrypted_and_signs_with_its_published_half(session: Session) -> None:
    key = keys.signing_key(session, now=utcnow(), secret_key=SECRET)
    stored = stored_value(session, key)
    assert "PRIVATE KEY" not in stored
    assert stored.startswith("fernet:")
    assert modulus(keys.private_pem(key, secret_key=SECRET)) == key.public_jwk["n"]


def test_a_key_stored_as_text_before_is_encrypted_when_it_next_signs(session: Session) -> None:
    now = utcnow()
    pem, public = keys._new_key("lmsb-legacy")
    legacy = ToolKey(kid="lmsb-legacy", private_pem=pem, public_jwk=public, created_at=now, active_from=now)
    session.add(legacy)
    assert "PRIVATE KEY" in stored_value(session, legacy)
    assert keys.signing_key(session, now=now, secret_key=SECRET).kid == "lmsb-legacy"
    assert stored_value(session, legacy).startswith("fernet:")
    assert keys.private_pem(legacy, secret_key=SECRET) == pem


def test_a_key_unreadable_after_a_new_secret_key_is_retired_and_replaced(session: Session) -> None:
    now = utcnow()
    old = keys.signing_key(session, now=now, secret_key=SECRET)
    later = now + dt.timedelta(minutes=1)
    new = keys.signing_key(session, now=later, secret_key="another-secret")
    assert new.kid != old.kid
    assert old.retired_at == later
    assert modulus(keys.private_pem(new, secret_key="another-secret")) == new.public_jwk["n"]
    assert [k["kid"] for k in keys.jwks(session, now=later, secret_key="another-secret")["keys"]] == [new.kid]
    audited = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "lti_tool_key"))
    assert "lti.key_unreadable" in list(audited)
