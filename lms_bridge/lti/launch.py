"""The OIDC login and the id_token launch: pylti1p3 does the protocol, this module adds what it lacks.

pylti1p3 checks the state cookie, nonce existence, registration, signature, deployment and message
claims. On top of it, every launch here also:
- refuses an oversized id_token before decoding it;
- binds the state to its nonce and to the browser (the state cookie, or the platform's postMessage
  storage when the platform offers it: 1EdTech lti-cs-oidc), and uses both up exactly once, so a
  replayed id_token is refused even within its lifetime (pylti1p3 alone accepts it again);
- checks aud/azp, exp and iat (with LTI_CLOCK_SKEW_SECONDS; PyJWT alone has no leeway there) and
  target_link_uri against the login request;
- fetches the platform's key set again when a kid is unknown (a platform rotated its key);
- accepts only resource-link and deep-linking messages;
- reports every refusal as LaunchRefused with a Finnish message, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, request
from flask_babel import gettext as _
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]
from pylti1p3.contrib.flask import (
    FlaskCookieService,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
    FlaskSessionService,
)
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.lti.errors import LaunchRefused
from lms_bridge.lti.toolconf import DbLaunchDataStorage, DbToolConf, platform_key_set

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
ACCEPTED_MESSAGES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)
STATE_LIFETIME = 600  # seconds from the login to the launch (Moodle's own round trip takes one)
LAUNCH_LIFETIME = 8 * 3600  # a launch is kept for the deep-linking picker and "continue as a learner"
STORAGE_CHECKED = "lti_storage_checked"


class ToolCookieService(FlaskCookieService):
    """The state cookie with the attributes a framed launch needs: SameSite=None and Secure when the
    app's cookies are Secure, Partitioned (CHIPS) when configured. Remembers the state it set."""

    state: str | None = None

    def set_cookie(self, name: str, value: Any, exp: int | None = 3600) -> None:
        if self.state is None and isinstance(name, str) and name.startswith("state-"):
            self.state = name
        super().set_cookie(name, value, exp)

    def update_response(self, response: BaseResponse) -> None:
        config = current_app.config
        secure = bool(config["SESSION_COOKIE_SECURE"] or request.is_secure)
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                value=data["value"],
                max_age=data["exp"],
                path="/lti/",
                secure=secure,
                httponly=True,
                samesite="None" if secure else "Lax",
                partitioned=bool(config["SESSION_COOKIE_PARTITIONED"] and secure),
            )


def _request() -> FlaskRequest:
    return FlaskRequest(session={})  # nothing of pylti1p3's goes into the Flask session


# ------------------------------------------------------------------------------------------ login


class ToolLogin(FlaskOIDCLogin):
    """pylti1p3's OIDC login; the state's own record (nonce, target link, storage) goes server-side."""

    def __init__(self, session: Session, *, now: dt.datetime) -> None:
        self.storage = DbLaunchDataStorage(session, now=now)
        self.tool_conf = DbToolConf(session, now=now, secret_key=current_app.config["SECRET_KEY"])
        req = _request()
        self.cookies = ToolCookieService(req)
        sessions = FlaskSessionService(req)
        super().__init__(req, self.tool_conf, session_service=sessions, cookie_service=self.cookies)
        self.set_launch_data_storage(self.storage)
        self.set_launch_data_lifetime(STATE_LIFETIME)
        self.nonce: str | None = None

    def _generate_nonce(self) -> str:
        self.nonce = super()._generate_nonce()
        # pylti1p3 saves the state params after the nonce: this dict is what it stores for the state.
        self._state_params["nonce"] = self.nonce
        self._state_params["platform_id"] = self._registration.platform_id
        return self.nonce

    def prepare(self, launch_url: str) -> str:
        """Check the login request and return the platform's authorisation URL to go to.

        Raises LaunchRefused for an unknown platform or a login request without iss or login_hint.
        """
        target = self._get_request_param("target_link_uri") or ""
        self.pass_params_to_launch(
            {
                "target_link_uri": target,
                "storage_target": self._get_request_param("lti_storage_target") or "",
                "deployment_id": self._get_request_param("lti_deployment_id") or "",
            }
        )
        if target and _origin(target) != _origin(launch_url):
            raise LaunchRefused(
                _(
                    "Kirjautumispyyntö ohjaisi toiseen palveluun (%(target)s). Tarkista työkalun osoite "
                    "oppimisympäristön asetuksista.",
                    target=_origin(target),
                )
            )
        try:
            return str(self.get_redirect_object(launch_url).get_redirect_url())
        except OIDCException as error:
            raise LaunchRefused(_login_message(str(error))) from None

    @property
    def state(self) -> str:
        return self.cookies.state or ""


def _login_message(error: str) -> str:
    if "issuer" in error:
        return _("Kirjautumispyynnöstä puuttuu oppimisympäristön tunniste (iss).")
    if "login hint" in error:
        return _("Kirjautumispyynnöstä puuttuu käyttäjätieto (login_hint).")
    return _(
        "Tätä oppimisympäristöä ei ole rekisteröity työkalulle (alustan tunniste tai Client ID on "
        "tuntematon). Pyydä pääkäyttäjää rekisteröimään se: lms-bridge lti show."
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# ------------------------------------------------------------------------------------------ launch


class StateNotInBrowser(LaunchRefused):
    """The state's cookie did not come back; the platform's storage may still vouch for it."""

    def __init__(self, message: str, *, state: str, params: dict[str, Any]) -> None:
        super().__init__(message)
        self.state = state
        self.params = params


class ToolLaunch(FlaskMessageLaunch):
    """One id_token launch, checked as described in the module docstring."""

    def __init__(self, session: Session, *, now: dt.datetime, http: requests.Session | None = None) -> None:
        self.now = now
        self.storage = DbLaunchDataStorage(session, now=now)
        self.tool_conf = DbToolConf(session, now=now, secret_key=current_app.config["SECRET_KEY"])
        req = _request()
        self.http = http or requests.Session()
        super().__init__(
            req,
            self.tool_conf,
            session_service=FlaskSessionService(req),
            cookie_service=ToolCookieService(req),
            requests_session=self.http,
        )
        self.set_launch_data_storage(self.storage)
        self.set_launch_data_lifetime(LAUNCH_LIFETIME)
        # Signature, alg and exp by PyJWT; aud, azp, iat and exp with the allowed skew below.
        self.set_jwt_verify_options(
            {"verify_aud": False, "verify_iat": False, "verify_exp": False, "verify_nbf": True}
        )
        self.state_params: dict[str, Any] = {}

    @classmethod
    def restore(cls, session: Session, launch_id: str, *, now: dt.datetime) -> ToolLaunch:
        """A launch validated earlier (deep-linking picker, continue as a learner). Raises LaunchRefused."""
        launch = cls(session, now=now)
        body = launch.get_session_service().get_launch_data(launch_id) if launch_id else None
        if not body:
            raise LaunchRefused(_("Käynnistys on vanhentunut. Avaa aktiviteetti uudelleen Moodlesta."))
        launch.set_launch_id(launch_id).set_auto_validation(enable=False).set_jwt({"body": body})
        launch.set_restored().validate_registration()
        return launch

    def validate(self) -> ToolLaunch:
        try:
            super().validate()
        except LtiException as error:
            raise LaunchRefused(_launch_message(str(error))) from None
        return self

    # -- state: server-side, bound to its nonce and the browser
    def validate_state(self) -> ToolLaunch:
        state = self._get_request_param("state")
        if not state or not isinstance(state, str) or len(state) > 100:
            raise LaunchRefused(
                _("Käynnistyksestä puuttuu tilatunniste (state). Avaa aktiviteetti uudelleen.")
            )
        params = self.get_session_service().get_state_params(state)
        if not isinstance(params, dict) or "nonce" not in params:
            raise LaunchRefused(
                _(
                    "Käynnistyksen tilatunniste on tuntematon tai vanhentunut. "
                    "Avaa aktiviteetti uudelleen Moodlesta."
                )
            )
        self.state_params = params
        if self._cookie_service.get_cookie(state) == state:
            return self
        if params.get("storage_target") and self._get_request_param(STORAGE_CHECKED) == "1":
            return self
        raise StateNotInBrowser(
            _(
                "Selaimesi ei palauttanut käynnistyksen evästettä (kolmannen osapuolen evästeet on estetty). "
                "Avaa aktiviteetti uudessa ikkunassa."
            ),
            state=state,
            params=params,
        )

    def validate_jwt_format(self) -> ToolLaunch:
        token = self._get_request_param("id_token")
        if not token:
            raise LaunchRefused(_("Käynnistyksestä puuttuu kirjautumistunniste (id_token)."))
        if len(token) > current_app.config["LTI_MAX_ID_TOKEN_BYTES"]:
            raise LaunchRefused(_("Kirjautumistunniste on liian suuri."))
        super().validate_jwt_format()
        if not isinstance(self._jwt.get("body"), dict) or not isinstance(self._jwt.get("header"), dict):
            raise LaunchRefused(_("Kirjautumistunniste on virheellinen."))
        return self

    def validate_nonce(self) -> ToolLaunch:
        nonce = self._jwt["body"].get("nonce")
        if not nonce:
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu kertakäyttöarvo (nonce)."))
        if nonce != self.state_params.get("nonce") or not self.get_session_service().check_nonce(nonce):
            raise LaunchRefused(
                _(
                    "Kirjautumistunnisteen kertakäyttöarvo (nonce) on jo käytetty "
                    "tai ei kuulu tähän käynnistykseen."
                )
            )
        return self

    def validate_registration(self) -> ToolLaunch:
        body = self._jwt.get("body", {})
        if not isinstance(body.get("iss"), str) or not body.get("iss"):
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu myöntäjä (iss)."))
        aud = body.get("aud")
        if not aud or not (
            isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
        ):
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu vastaanottaja (aud)."))
        registration = self.tool_conf.find_registration_by_params(body["iss"], self.get_client_id())
        if registration is None:
            raise LaunchRefused(
                _("Kirjautumistunnisteen myöntäjä (iss) tai vastaanottaja (aud) ei ole rekisteröity alusta.")
            )
        self._registration = registration
        return self

    def get_client_id(self) -> str:
        """aud may list several audiences: ours is then the one azp names (checked in the signature step)."""
        body = self._jwt.get("body", {})
        aud = body.get("aud")
        if isinstance(aud, list):
            azp = body.get("azp")
            return str(azp) if azp in aud else str(aud[0]) if len(aud) == 1 else ""
        return str(aud)

    # -- signature: the key set refetched for an unknown kid, then the claims PyJWT does not check
    def get_public_key(self) -> tuple[str, str]:
        header = self._jwt.get("header", {})
        kid, alg = header.get("kid"), header.get("alg")
        if not kid or alg != "RS256":
            raise LaunchRefused(
                _("Kirjautumistunnisteen allekirjoitustapa ei kelpaa (vain RS256 avaintunnisteella).")
            )
        key_set = platform_key_set(self._registration.get_key_set_url() or "", want_kid=kid, http=self.http)
        for key in key_set.get("keys", []):
            if key.get("kid") == kid and key.get("alg", "RS256") == alg:
                try:
                    return str(JWK.from_json(json.dumps(key)).export_to_pem().decode()), alg
                except (ValueError, TypeError):
                    break
        raise LaunchRefused(_("Kirjautumistunnisteen allekirjoitusavain (kid) on tuntematon."))

    def validate_jwt_signature(self) -> ToolLaunch:
        super().validate_jwt_signature()
        body = self._jwt["body"]
        client_id = self._registration.get_client_id()
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LaunchRefused(_("Kirjautumistunniste on tarkoitettu toiselle työkalulle (aud)."))
        if (len(audiences) > 1 or "azp" in body) and body.get("azp") != client_id:
            raise LaunchRefused(_("Kirjautumistunnisteen valtuutettu osapuoli (azp) ei ole tämä työkalu."))
        skew = current_app.config["LTI_CLOCK_SKEW_SECONDS"]
        now = self.now.timestamp()
        exp, iat = body.get("exp"), body.get("iat")
        if not _is_number(exp) or not _is_number(iat):
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu voimassaoloaika (exp, iat)."))
        if exp < now - skew:
            raise LaunchRefused(
                _("Kirjautumistunniste on vanhentunut. Avaa aktiviteetti uudelleen Moodlesta.")
            )
        if iat > now + skew:
            raise LaunchRefused(
                _(
                    "Kirjautumistunniste on myönnetty tulevaisuudessa: "
                    "oppimisympäristön ja työkalun kellot eroavat."
                )
            )
        return self

    def validate_deployment(self) -> ToolLaunch:
        deployment = self._jwt["body"].get(CLAIM + "deployment_id")
        if not deployment or not isinstance(deployment, str):
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu käyttöönoton tunniste (deployment_id)."))
        expected = self.state_params.get("deployment_id")
        registration = self._registration
        found = self.tool_conf.find_deployment_by_params(
            registration.get_issuer() or "", deployment, registration.get_client_id() or ""
        )
        if found is None or (expected and expected != deployment):
            raise LaunchRefused(
                _(
                    "Käyttöönottoa %(deployment)s ei ole rekisteröity tälle alustalle. Pyydä pääkäyttäjää "
                    "lisäämään se (Deployment ID).",
                    deployment=deployment[:100],
                )
            )
        return self

    def validate_message(self) -> ToolLaunch:
        body = self._jwt["body"]
        message_type = body.get(MESSAGE_TYPE)
        if message_type not in ACCEPTED_MESSAGES:
            raise LaunchRefused(_("Tätä LTI-viestiä (%(type)s) työkalu ei tue.", type=str(message_type)[:60]))
        if body.get(CLAIM + "version") != "1.3.0":
            raise LaunchRefused(_("Vain LTI-versio 1.3.0 on tuettu."))
        if not isinstance(body.get("sub"), str) or not body["sub"] or len(body["sub"]) > 255:
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuu käyttäjä (sub)."))
        roles = body.get(CLAIM + "roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise LaunchRefused(_("Kirjautumistunnisteesta puuttuvat roolit."))
        custom = body.get(CLAIM + "custom", {})
        if not isinstance(custom, dict):
            raise LaunchRefused(_("Kirjautumistunnisteen lisäparametrit (custom) ovat virheelliset."))
        target = body.get(CLAIM + "target_link_uri")
        expected = self.state_params.get("target_link_uri")
        if not isinstance(target, str) or (expected and target != expected):
            raise LaunchRefused(
                _("Kirjautumistunnisteen kohdeosoite (target_link_uri) ei vastaa kirjautumispyyntöä.")
            )
        if message_type == RESOURCE_LINK_REQUEST:
            link = body.get(CLAIM + "resource_link")
            if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
                raise LaunchRefused(
                    _("Kirjautumistunnisteesta puuttuu aktiviteetin tunniste (resource_link).")
                )
        try:
            super().validate_message()
        except LtiException as error:
            raise LaunchRefused(_launch_message(str(error))) from None
        return self

    # -- the state and nonce are used up, in the same transaction as everything the launch writes
    def save_launch_data(self) -> ToolLaunch:
        state = self._get_request_param("state")
        used_nonce = self.storage.pop(f"lti1p3-nonce-{self._jwt['body']['nonce']}")
        used_state = self.storage.pop(f"lti1p3-{state}")
        if not (used_nonce and used_state):
            raise LaunchRefused(_("Käynnistys on jo käytetty. Avaa aktiviteetti uudelleen Moodlesta."))
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self

    # -- what the views read
    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self._jwt.get("body", {})
        return body

    @property
    def platform_id(self) -> int:
        return int(self._registration.platform_id)

    def claim(self, name: str, default: Any = None) -> Any:
        return self.body.get(CLAIM + name, default)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _launch_message(error: str) -> str:
    """pylti1p3's English reasons, said in Finnish for the page."""
    if "JWT must contain 3 parts" in error or "can't be decoded" in error:
        return _("Kirjautumistunniste on virheellinen.")
    if "Signature" in error or "decode" in error:
        return _("Kirjautumistunnisteen allekirjoitus ei täsmää.")
    if "version" in error:
        return _("Vain LTI-versio 1.3.0 on tuettu.")
    if "Roles" in error:
        return _("Kirjautumistunnisteesta puuttuvat roolit.")
    if "Deep Linking" in error or "resource link placement" in error or "presentation" in error:
        return _("Sisällön valintapyynnön asetukset (deep_linking_settings) puuttuvat tai ovat virheelliset.")
    return _("Käynnistys hylättiin: %(reason)s", reason=error[:200])
