"""A test LTI 1.3 platform: a real HTTP server on 127.0.0.1 answering in Moodle 4.3's recorded shapes
(../shared/fixtures/moodle/lti/), with its own RSA key and JWKS, OIDC authorisation endpoint, OAuth2
token endpoint (checking the tool's client assertion against the tool's JWKS), AGS line items, scores
(Moodle's rules: 409 for an older or equal timestamp, no grade without FullyGraded) and results, the
NRPS roster, the deep-linking return, dynamic registration, and the pages that frame a launch as
Moodle's view.php does. The id_tokens are the recorded payloads with this server's addresses."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

RECORDED_BASE = "http://127.0.0.1:8080"
RECORDED_TOOL_LAUNCH = "http://127.0.0.1:8090/launch"
CLIENT_ID = "Fw6J6V5Sa0oPznu"
DEPLOYMENT_ID = "1"
LINEITEM_PATH = "/mod/lti/services.php/2/lineitems/3/lineitem"
MEMBERSHIPS_PATH = "/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
USERS = {"student": "4", "editingteacher": "6", "admin": "2"}
GRADABLE = {"3", "4", "5"}  # the course's students


def load(shared_dir: Path, name: str) -> Any:
    return json.loads((shared_dir / "fixtures" / "moodle" / "lti" / name).read_text())


@dataclass
class Key:
    kid: str
    private: Any

    @classmethod
    def new(cls, kid: str) -> Key:
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def jwk(self) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()

        def b64(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "kty": "RSA",
            "alg": "RS256",
            "kid": self.kid,
            "e": b64(numbers.e),
            "n": b64(numbers.n),
            "use": "sig",
        }


@dataclass
class Score:
    user_id: str
    body: dict[str, Any]
    status: int


@dataclass
class TestPlatform:
    __test__ = False  # not a test class, whatever its name
    shared_dir: Path
    host: str = "127.0.0.1"
    tool_jwks: Callable[[], dict[str, Any]] | str | None = None  # the tool's key set (a URL or a getter)
    key: Key = field(default_factory=lambda: Key.new("a7c73afa08d5f1469a0a"))
    old_keys: list[Key] = field(default_factory=list)
    client_id: str = CLIENT_ID
    deployment_id: str = DEPLOYMENT_ID
    services_enabled: bool = True
    scores: list[Score] = field(default_factory=list)
    grades: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> {timemodified, grade}
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    nonces: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)  # custom params the resource link carries
    launch_user: str = "student"
    tool_login_url: str = ""
    tool_launch_url: str = ""
    _server: ThreadingHTTPServer | None = None
    _tokens: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ running
    def start(self) -> TestPlatform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                platform._handle(self, "GET")

            def do_POST(self) -> None:
                platform._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base

    @property
    def lineitem_url(self) -> str:
        return f"{self.base}{LINEITEM_PATH}?type_id=1"

    def registration_values(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": f"{self.base}/mod/lti/auth.php",
            "auth_token_url": f"{self.base}/mod/lti/token.php",
            "key_set_url": f"{self.base}/mod/lti/certs.php",
        }

    def rotate_key(self) -> None:
        """The platform starts signing with a new key (its JWKS lists only the new one)."""
        self.old_keys.append(self.key)
        self.key = Key.new("rotated-" + secrets.token_hex(4))

    # ------------------------------------------------------------------ messages
    def _recorded(self, text: str) -> str:
        return text.replace(RECORDED_TOOL_LAUNCH, self.tool_launch_url).replace(RECORDED_BASE, self.base)

    def login_initiation(self, user: str = "student") -> dict[str, str]:
        """The form Moodle posts to the tool's login URL (recorded), with this platform's addresses."""
        name = "deep_linking" if user == "deep_linking" else user
        params = load(self.shared_dir, f"oidc_login_initiation__{name}.json")["request_to_tool"]["params"]
        params = json.loads(self._recorded(json.dumps(params)))
        params["client_id"], params["lti_deployment_id"] = self.client_id, self.deployment_id
        return params

    def payload(self, user: str = "student", *, nonce: str, now: float | None = None) -> dict[str, Any]:
        """A recorded id_token payload (student, editingteacher, admin, deep_linking) made current."""
        recorded = load(self.shared_dir, f"id_token__{user}.json")["payload"]
        body = json.loads(self._recorded(json.dumps(recorded)))
        issued = int(now if now is not None else time.time())
        body.update({"nonce": nonce, "iat": issued, "exp": issued + 60, "aud": self.client_id})
        body[CLAIM + "deployment_id"] = self.deployment_id
        if CLAIM + "resource_link" in body and self.custom:
            body[CLAIM + "custom"] = {**body[CLAIM + "custom"], **self.custom}
        return body

    def sign(
        self, body: dict[str, Any], *, key: Key | None = None, headers: dict[str, Any] | None = None
    ) -> str:
        key = key or self.key
        header = {"typ": "JWT", "kid": key.kid, **(headers or {})}
        return jwt.encode(body, key.pem(), algorithm="RS256", headers=header)

    def authorize(self, query: dict[str, str], user: str | None = None) -> tuple[str, str, str]:
        """What /mod/lti/auth.php answers: (redirect_uri, id_token, state) for the logged-in user."""
        assert query["client_id"] == self.client_id, query
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }
        assert {k: query.get(k) for k in expected} == expected, query
        hint = json.loads(query.get("lti_message_hint", "{}"))
        if user is None:
            by_hint = {sub: name for name, sub in USERS.items()}
            deep = "ContentItemSelectionRequest" in hint.get("launchid", "")
            user = "deep_linking" if deep else by_hint[query["login_hint"]]
        assert query["login_hint"] == USERS.get(user, "6"), (query, user)
        body = self.payload(user, nonce=query["nonce"])
        return query["redirect_uri"], self.sign(body), query["state"]

    # ------------------------------------------------------------------ HTTP
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            status, content_type, body = self._route(method, url.path, query, raw, handler.headers)
        except Exception as error:  # a test platform shows its own bugs in the answer
            status, content_type, body = 500, "text/plain", f"{type(error).__name__}: {error}".encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _json(self, status: int, body: Any, content_type: str) -> tuple[int, str, bytes]:
        return status, content_type, (b"" if body == "" else json.dumps(body).encode())

    def _bearer_ok(self, headers: Any) -> bool:
        value = headers.get("Authorization", "")
        return self.services_enabled and value.startswith("Bearer ") and value[7:] in self._tokens

    def _unauthorized(self, method: str, path: str, query: str, accept: str) -> tuple[int, str, bytes]:
        recorded = load(self.shared_dir, "ags_lineitems.json")["no_token_401"]["response"]
        body = {**recorded, "request": {"method": method, "url": path + query, "accept": accept}}
        return self._json(401, body, "application/json; charset=utf-8")

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
    ) -> tuple[int, str, bytes]:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()} if raw else {}
        if path == "/mod/lti/certs.php":
            keys = [self.key.jwk()]
            return self._json(200, {"keys": keys}, "application/json; charset=utf-8")
        if path == "/mod/lti/auth.php":
            action, token, state = self.authorize(query)
            return 200, "text/html; charset=utf-8", _auto_post(action, {"id_token": token, "state": state})
        if path == "/mod/lti/token.php":
            return self._token(form)
        if path == "/mod/lti/view.php":  # the course page: the launch in an iframe, as Moodle shows it
            user = query.get("user", "student")
            frame = f"/mod/lti/launch.php?{urlencode({'user': user})}"
            html = (
                "<!doctype html><html lang='en'><head><title>Lab LTI 1.3 activity</title></head><body>"
                "<h1>Lab LTI 1.3 activity</h1>"
                f"<iframe id='contentframe' title='Lab LTI 1.3 activity' src='{frame}' "
                "style='width:100%;height:700px' allow='fullscreen'></iframe></body></html>"
            )
            return 200, "text/html; charset=utf-8", html.encode()
        if path == "/mod/lti/launch.php":
            self.launch_user = query.get("user", "student")
            return (
                200,
                "text/html; charset=utf-8",
                _auto_post(self.tool_login_url, self.login_initiation(self.launch_user)),
            )
        if path == "/mod/lti/contentitem_return.php":
            return self._deep_link_return(form)
        if path == "/mod/lti/openid-configuration.php":
            return self._json(200, self.openid_configuration(), "application/json")
        if path == "/mod/lti/openid-registration.php":
            registration = json.loads(raw)
            self.registrations.append({"body": registration, "authorization": headers.get("Authorization")})
            answer = {**registration, "client_id": self.client_id}
            answer["https://purl.imsglobal.org/spec/lti-tool-configuration"] = {
                **registration["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                "deployment_id": self.deployment_id,
            }
            return self._json(200, answer, "application/json")
        if path.startswith("/mod/lti/services.php"):
            return self._services(method, path, query, raw, headers)
        return 404, "text/plain", b"not found"

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "token_endpoint": f"{self.base}/mod/lti/token.php",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": f"{self.base}/mod/lti/certs.php",
            "authorization_endpoint": f"{self.base}/mod/lti/auth.php",
            "registration_endpoint": f"{self.base}/mod/lti/openid-registration.php",
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle",
                "version": "4.3 (Build: 20231009)",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
                "variables": [],
            },
        }

    def _tool_key_set(self) -> dict[str, Any]:
        if callable(self.tool_jwks):
            return self.tool_jwks()
        assert isinstance(self.tool_jwks, str), "the platform needs the tool's key set"
        return requests.get(self.tool_jwks, timeout=10).json()

    def _verify_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in self._tool_key_set()["keys"] if k["kid"] == kid)
        public = jwt.PyJWK(key).key
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)

    def _token(self, form: dict[str, str]) -> tuple[int, str, bytes]:
        recorded = load(self.shared_dir, "token_endpoint__client_credentials.json")
        claims = self._verify_tool_jwt(form["client_assertion"], f"{self.base}/mod/lti/token.php")
        assert claims["iss"] == claims["sub"] == self.client_id, claims
        header = jwt.get_unverified_header(form["client_assertion"])
        self.token_requests.append({"form": form, "claims": claims, "kid": header["kid"]})
        offered = set(recorded["success"]["request"]["form"]["scope"].split())
        asked = set(form.get("scope", "").split())
        if not asked or not asked <= offered:
            return self._json(400, recorded["invalid_scope"]["response"], "text/html; charset=utf-8")
        token = secrets.token_hex(16)
        self._tokens.add(token)
        answer = {**recorded["success"]["response"], "access_token": token, "scope": " ".join(sorted(asked))}
        return self._json(200, answer, "text/html; charset=utf-8")

    def _services(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
    ) -> tuple[int, str, bytes]:
        accept = headers.get("Accept", "")
        qs = ("?" + urlencode(query)) if query else ""
        if not self._bearer_ok(headers):
            return self._unauthorized(method, path, qs, accept)
        lineitems = load(self.shared_dir, "ags_lineitems.json")
        if path == "/mod/lti/services.php/2/lineitems" and method == "GET":
            body = json.loads(self._recorded(json.dumps(lineitems["list"]["response"])))
            return self._json(200, body, lineitems["list"]["response_headers"]["Content-Type"])
        if path == LINEITEM_PATH and method == "GET":
            body = json.loads(self._recorded(json.dumps(lineitems["single"]["response"])))
            return self._json(200, body, lineitems["single"]["response_headers"]["Content-Type"])
        if path == LINEITEM_PATH + "/scores" and method == "POST":
            return self._score(json.loads(raw), headers)
        if path == LINEITEM_PATH + "/results" and method == "GET":
            return self._json(
                200, self.results(), "application/vnd.ims.lis.v2.resultcontainer+json; charset=utf-8"
            )
        if path == MEMBERSHIPS_PATH and method == "GET":
            recorded = load(self.shared_dir, "nrps_memberships.json")
            which = "role_filter_learner" if query.get("role", "").endswith("#Learner") else "all"
            body = json.loads(self._recorded(json.dumps(recorded[which]["response"])))
            return self._json(200, body, recorded[which]["response_headers"]["Content-Type"])
        return 404, "text/plain", b"not found"

    def _score(self, body: dict[str, Any], headers: Any) -> tuple[int, str, bytes]:
        """Moodle's rules (recorded in ags_scores.json)."""
        content_type = "application/vnd.ims.lis.v1.score+json; charset=utf-8"
        assert headers.get("Content-Type") == "application/vnd.ims.lis.v1.score+json", headers
        user = str(body.get("userId"))
        given = body.get("scoreGiven")
        if (given is not None and not isinstance(given, (int, float))) or user not in GRADABLE:
            status = 400
        else:
            stamp = _epoch(body["timestamp"])
            stored = self.grades.get(user)
            if stored is not None and stored["timemodified"] >= stamp:
                status = 409
            else:
                status = 200
                fully = body.get("gradingProgress") == "FullyGraded"
                self.grades[user] = {
                    "timemodified": stamp if fully else int(time.time()),
                    "grade": given if fully else None,
                    "max": body.get("scoreMaximum"),
                    "timestamp": body["timestamp"],
                }
        self.scores.append(Score(user, body, status))
        return self._json(status, "" if status == 200 else [], content_type)

    def results(self) -> list[dict[str, Any]]:
        out = []
        for user, grade in sorted(self.grades.items()):
            row: dict[str, Any] = {
                "id": f"{self.lineitem_url.replace('?', '/results?')}&user_id={user}",
                "userId": user,
            }
            if grade["grade"] is not None:
                row.update(
                    resultScore=grade["grade"],
                    resultMaximum=grade["max"],
                    scoreOf=self.lineitem_url,
                    timestamp=grade["timestamp"],
                )
            out.append(row)
        return out

    def _deep_link_return(self, form: dict[str, str]) -> tuple[int, str, bytes]:
        claims = self._verify_tool_jwt(form["JWT"], self.issuer)
        self.deep_link_responses.append(claims)
        return (
            200,
            "text/html; charset=utf-8",
            b"<!doctype html><title>Added</title><p id='added'>Content added</p>",
        )


def _epoch(stamp: str) -> int:
    import datetime as dt

    return int(dt.datetime.fromisoformat(stamp).timestamp())


def _auto_post(action: str, fields: dict[str, str]) -> bytes:
    from html import escape

    inputs = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in fields.items()
    )
    return (
        "<!doctype html><html lang='en'><head><title>Redirecting</title></head><body>"
        f"<form id='f' method='post' action='{escape(action)}'>{inputs}</form>"
        "<script>document.getElementById('f').submit();</script></body></html>"
    ).encode()


def parse_auto_post(html: str) -> tuple[str, dict[str, str]]:
    """(action, fields) of an auto-posting form page (the platform's or the tool's)."""
    import re

    action = re.search(r"action=['\"]([^'\"]+)['\"]", html)
    fields = dict(re.findall(r"name=['\"]([^'\"]+)['\"] value=['\"]([^'\"]*)['\"]", html))
    assert action, html[:500]
    from html import unescape

    return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}
