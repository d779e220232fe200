"""Registering platforms: by hand (the values Moodle shows) and by LTI Dynamic Registration, and the
values the tool gives Moodle."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.lti.errors import LtiError
from lms_bridge.lti.models import LtiDeployment, LtiPlatform
from lms_bridge.lti.toolconf import HTTP_TIMEOUT, DbLaunchDataStorage

logger = logging.getLogger(__name__)

AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
REGISTRATION_TOKEN_HOURS = 24


@dataclass(frozen=True)
class ToolValues:
    """What Moodle's "External tool" (LTI 1.3) form asks for."""

    tool_url: str
    login_url: str
    redirect_uris: tuple[str, ...]
    keyset_url: str
    deep_linking_url: str
    registration_url: str

    @classmethod
    def at(cls, base: str) -> ToolValues:
        base = base.rstrip("/")
        return cls(
            tool_url=f"{base}/lti/launch",
            login_url=f"{base}/lti/login",
            redirect_uris=(f"{base}/lti/launch",),
            keyset_url=f"{base}/lti/jwks.json",
            deep_linking_url=f"{base}/lti/launch",
            registration_url=f"{base}/lti/register",
        )


def _url(value: str, what: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise LtiError(_l("%(what)s ei ole osoite: %(value)s", what=what, value=value[:200]))
    return value


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def add_platform(
    session: Session,
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: list[str],
    actor: str,
    now: dt.datetime,
    auth_audience: str | None = None,
) -> LtiPlatform:
    """Register a platform (or update the one with this issuer and client id) and its deployments.

    Raises LtiError for a value that cannot work.
    """
    issuer, client_id = _url(issuer, "Platform ID"), client_id.strip()
    if not client_id:
        raise LtiError(_l("Client ID puuttuu."))
    platform = session.scalars(
        select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)
    ).first()
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, created_at=now, active=True)
        session.add(platform)
    platform.name = (name.strip() or urlsplit(issuer).netloc)[:200]
    platform.auth_login_url = _url(auth_login_url, "Authentication request URL")
    platform.auth_token_url = _url(auth_token_url, "Access token URL")
    platform.key_set_url = _url(key_set_url, "Public keyset URL")
    platform.auth_audience = auth_audience or None
    platform.active = True
    session.flush()
    for deployment_id in deployment_ids:
        add_deployment(session, platform, deployment_id, now=now)
    record_event(
        session,
        actor=actor,
        action="lti.platform_add",
        subject_type="lti_platform",
        subject_id=platform.id,
        details={"issuer": issuer, "client_id": client_id, "deployments": deployment_ids},
    )
    return platform


def add_deployment(session: Session, platform: LtiPlatform, deployment_id: str, *, now: dt.datetime) -> None:
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise LtiError(_l("Deployment ID puuttuu."))
    exists = session.scalars(
        select(LtiDeployment.id).where(
            LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == deployment_id
        )
    ).first()
    if exists is None:
        session.add(LtiDeployment(platform_id=platform.id, deployment_id=deployment_id, created_at=now))
        session.flush()


def list_platforms(session: Session) -> list[tuple[LtiPlatform, list[str]]]:
    platforms = list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.name)))
    deployments: dict[int, list[str]] = {}
    for platform_id, deployment_id in session.execute(
        select(LtiDeployment.platform_id, LtiDeployment.deployment_id).order_by(LtiDeployment.id)
    ):
        deployments.setdefault(platform_id, []).append(deployment_id)
    return [(p, deployments.get(p.id, [])) for p in platforms]


def platform_origins(session: Session) -> list[str]:
    """The origins allowed to frame the tool's pages: each active platform's issuer and login origin."""
    rows = session.execute(
        select(LtiPlatform.issuer, LtiPlatform.auth_login_url).where(LtiPlatform.active.is_(True))
    )
    return sorted({origin(url) for row in rows for url in row})


# ------------------------------------------------------------------------------------ dynamic registration


def new_registration_token(session: Session, *, now: dt.datetime, actor: str) -> str:
    """A one-time secret for the registration URL an admin pastes into Moodle (valid 24 hours)."""
    token = secrets.token_urlsafe(24)
    storage = DbLaunchDataStorage(session, now=now)
    storage.set_value(f"registration-{token}", {"actor": actor}, exp=REGISTRATION_TOKEN_HOURS * 3600)
    record_event(
        session, actor=actor, action="lti.registration_url", subject_type="lti_platform", subject_id=None
    )
    return token


def register_dynamically(
    session: Session,
    *,
    token: str,
    openid_configuration: str,
    registration_token: str | None,
    tool: ToolValues,
    tool_name: str,
    now: dt.datetime,
    http: requests.Session,
) -> LtiPlatform:
    """LTI Dynamic Registration: read the platform's configuration, register the tool there, store the
    platform and its deployment. Raises LtiError (bad or used token, a configuration that does not fit)."""
    storage = DbLaunchDataStorage(session, now=now)
    if not token or not storage.pop(f"registration-{token}"):
        raise LtiError(
            _l("Rekisteröintiosoite on vanhentunut tai jo käytetty. Luo uusi työkalun LTI-sivulla."),
            status=403,
        )
    try:
        config = http.get(_url(openid_configuration, "openid_configuration"), timeout=HTTP_TIMEOUT).json()
    except (requests.RequestException, ValueError):
        raise LtiError(_l("Oppimisympäristön asetuksia (openid_configuration) ei saatu luettua.")) from None
    issuer = config.get("issuer") if isinstance(config, dict) else None
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    if not isinstance(issuer, str) or not all(isinstance(config.get(k), str) for k in needed):
        raise LtiError(_l("Oppimisympäristön asetuksista puuttuu tietoja (issuer, endpoints)."))
    if origin(openid_configuration) != origin(issuer):
        raise LtiError(_l("Asetusten osoite ei kuulu oppimisympäristölle, joka ne antoi (issuer)."))
    body: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": list(tool.redirect_uris),
        "client_name": tool_name,
        "jwks_uri": tool.keyset_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join((*AGS_SCOPES, NRPS_SCOPE)),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(tool.tool_url).netloc,
            "target_link_uri": tool.tool_url,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": tool.deep_linking_url,
                    "label": tool_name,
                }
            ],
        },
    }
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        response = http.post(
            config["registration_endpoint"], json=body, headers=headers, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError):
        raise LtiError(_l("Oppimisympäristö ei hyväksynyt työkalun rekisteröintiä.")) from None
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    deployment = (
        (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id") if isinstance(answer, dict) else None
    )
    if not isinstance(client_id, str) or not client_id:
        raise LtiError(_l("Oppimisympäristön vastauksesta puuttuu Client ID."))
    platform_info = config.get(PLATFORM_CONFIGURATION) or {}
    return add_platform(
        session,
        name=str(platform_info.get("product_family_code") or "") + " " + origin(issuer),
        issuer=issuer,
        client_id=client_id,
        auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"],
        deployment_ids=[str(deployment)] if deployment else [],
        actor="lti:dynamic-registration",
        now=now,
        auth_audience=config.get("authorization_server")
        if isinstance(config.get("authorization_server"), str)
        else None,
    )
