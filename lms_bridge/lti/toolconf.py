"""pylti1p3's tool configuration and launch data storage, backed by the database.

`DbToolConf` finds registrations and deployments in lti_platform / lti_deployment and signs with the
current tool key (lms_bridge.lti.keys); `DbLaunchDataStorage` keeps pylti1p3's nonces, states and
launches in lti_cache, keyed without any session cookie, so any app process can serve any step of a
launch. Platform key sets are cached in this process (a refused launch must not write anything).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms_bridge.lti import keys
from lms_bridge.lti.errors import LaunchRefused
from lms_bridge.lti.models import LtiCacheEntry, LtiDeployment, LtiPlatform

KEY_SET_TTL = 3600.0  # seconds a platform's key set is trusted before it is fetched again
# An unknown kid fetches the key set again (the platform rotated its key), at most this often per
# platform: forged kids cannot make us hammer the platform.
KEY_SET_REFETCH_AFTER = 5.0
HTTP_TIMEOUT = 10


class ToolRegistration(Registration):
    """pylti1p3's Registration with our own key id (jwcrypto would derive another one)."""

    def __init__(self, platform: LtiPlatform, key_kid: str, key_pem: str, public_jwk: dict[str, Any]) -> None:
        super().__init__()
        self.platform_id = platform.id
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.key_set_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_tool_private_key(key_pem)
        self._kid = key_kid
        self._public_jwk = public_jwk

    @classmethod
    def signed_now(
        cls, session: Session, platform: LtiPlatform, *, now: dt.datetime, secret_key: str
    ) -> ToolRegistration:
        """The platform's registration with the tool's current signing key."""
        key, pem = keys.signer(session, now=now, secret_key=secret_key)
        return cls(platform, key.kid, pem, key.public_jwk)

    def get_kid(self) -> str:
        return self._kid

    def get_jwks(self) -> list[Mapping[str, Any]]:
        return [self._public_jwk]


class DbToolConf(ToolConfAbstract):  # type: ignore[type-arg]
    """Registrations from the database: one issuer may have many client ids (several tool types)."""

    def __init__(self, session: Session, *, now: dt.datetime, secret_key: str) -> None:
        self.session = session
        self.now = now
        self.secret_key = secret_key  # the tool's private keys are sealed with it (keys.py)
        # pylti1p3 asks for the registration and then the deployment of one launch: one lookup serves both
        self._platforms: dict[tuple[str, str], LtiPlatform | None] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        if not iss or not client_id:
            return None
        if (iss, client_id) not in self._platforms:
            self._platforms[iss, client_id] = self.session.scalars(
                select(LtiPlatform).where(
                    LtiPlatform.issuer == iss,
                    LtiPlatform.client_id == client_id,
                    LtiPlatform.active.is_(True),
                )
            ).first()
        return self._platforms[iss, client_id]

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("every issuer may have many client ids here")

    def find_registration_by_params(  # type: ignore[override]  # None: no such platform
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> ToolRegistration | None:
        platform = self.platform(iss, client_id)
        if platform is None:
            return None
        return ToolRegistration.signed_now(self.session, platform, now=self.now, secret_key=self.secret_key)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError("every issuer may have many client ids here")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = self.platform(iss, client_id)
        if platform is None or not isinstance(deployment_id, str):
            return None
        found = self.session.scalars(
            select(LtiDeployment.id).where(
                LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == deployment_id
            )
        ).first()
        return Deployment().set_deployment_id(deployment_id) if found is not None else None


class DbLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3's key-value store over lti_cache; no session cookie (states bind to the browser through
    their own cookie or the platform's storage, see lms_bridge.lti.launch)."""

    def __init__(self, session: Session, *, now: dt.datetime) -> None:
        super().__init__()
        self.session = session
        self.now = now

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = self.session.get(LtiCacheEntry, self._prepare_key(key))
        if row is None or row.expires_at <= self.now:
            return None
        return row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = self.now + dt.timedelta(seconds=exp or 86400)
        self.session.merge(LtiCacheEntry(key=self._prepare_key(key), value=value, expires_at=expires))
        self.session.flush()

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def pop(self, key: str) -> bool:
        """Delete a live key; True when this call removed it (a second caller gets False)."""
        result = self.session.execute(
            delete(LtiCacheEntry).where(
                LtiCacheEntry.key == self._prepare_key(key), LtiCacheEntry.expires_at > self.now
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def sweep_expired(session: Session, *, now: dt.datetime) -> None:
    session.execute(delete(LtiCacheEntry).where(LtiCacheEntry.expires_at <= now))


# ------------------------------------------------------------------------------ platform key sets

_key_sets: dict[str, tuple[float, float, dict[str, Any]]] = {}  # url -> (fetched at, ttl end, key set)
_key_sets_lock = threading.Lock()


def platform_key_set(url: str, *, want_kid: str | None, http: requests.Session) -> dict[str, Any]:
    """The platform's key set from this process's cache, fetched when stale or when it lacks
    `want_kid` (the platform rotated its key) - at most every KEY_SET_REFETCH_AFTER seconds per platform.
    Raises LaunchRefused when it cannot be fetched."""
    now = time.monotonic()
    with _key_sets_lock:
        cached = _key_sets.get(url)
    if cached is not None:
        fetched, until, key_set = cached
        has_kid = want_kid is None or any(k.get("kid") == want_kid for k in key_set.get("keys", []))
        if now < until and (has_kid or now - fetched < KEY_SET_REFETCH_AFTER):
            return key_set
    try:
        response = http.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        key_set = response.json()
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise ValueError("no keys")
    except (requests.RequestException, ValueError):
        if cached is not None:
            return cached[2]
        raise LaunchRefused(
            "Oppimisympäristön julkisia avaimia ei saatu haettua. Yritä hetken kuluttua uudelleen; jos vika "
            "jatkuu, pyydä pääkäyttäjää tarkistamaan alustan avainjoukon osoite (Public keyset URL)."
        ) from None
    with _key_sets_lock:
        _key_sets[url] = (now, now + KEY_SET_TTL, key_set)
    return key_set


def forget_key_sets() -> None:
    """Empty this process's key-set cache (tests; an admin changing a platform's keyset URL)."""
    with _key_sets_lock:
        _key_sets.clear()
