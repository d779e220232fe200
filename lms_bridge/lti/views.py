"""The tool's endpoints Moodle calls (/lti/login, /lti/launch, /lti/jwks.json, /lti/register) and the
pages a launch opens (course picker, no units, unrecorded content, roster)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.auth.accounts import current_account, sign_in
from lms_bridge.auth.learner import sign_in_staff
from lms_bridge.catalog.service import require_course
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.errors import Forbidden
from lms_bridge.headers import framing_origins
from lms_bridge.lti import deeplink, keys, platforms, roster, scores, service
from lms_bridge.lti.errors import LaunchRefused, ServiceError
from lms_bridge.lti.identity import upsert_user
from lms_bridge.lti.launch import STORAGE_CHECKED, StateNotInBrowser, ToolLaunch, ToolLogin
from lms_bridge.lti.models import LtiPlatform
from lms_bridge.lti.toolconf import sweep_expired
from lms_bridge.packages import content
from lms_bridge.packages.content import ContentGrant, request_origin
from lms_bridge.packages.models import PackageVersion
from lms_bridge.packages.service import current_version

bp = Blueprint("lti", __name__, url_prefix="/lti")

_LAUNCH = "lti_launch"  # the launch id a picker or "continue" page acts on, in the signed session
_GUEST = "lti_guest"  # the package version an unlinked user may read


def tool_values() -> platforms.ToolValues:
    return platforms.ToolValues.at(current_app.config["LTI_TOOL_URL"] or request.url_root)


def _login_params() -> dict[str, str]:
    names = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")
    return {name: request.values[name] for name in names if request.values.get(name)}


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str:
    """OIDC login initiation. First a cookie check inside the frame (a new window when cookies are
    blocked), unless the platform offers its postMessage storage; then the state goes server-side, its
    cookie to the browser, and the browser to the platform's authorisation URL."""
    storage_target = request.values.get("lti_storage_target")
    if not request.values.get("lti1p3_new_window") and not storage_target:
        params = _login_params()
        continue_url = url_for("lti.login") + "?" + urlencode({**params, "lti1p3_new_window": "1"})
        return render_template(
            "lti/cookie_check.html",
            continue_url=continue_url,
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure),
            partitioned=bool(current_app.config["SESSION_COOKIE_PARTITIONED"]),
        )
    now = utcnow()
    with transaction() as db:
        sweep_expired(db, now=now)
        oidc = ToolLogin(db, now=now)
        auth_url = oidc.prepare(tool_values().redirect_uris[0])
        platform = oidc.tool_conf.platform(request.values.get("iss", ""), request.values.get("client_id"))
        response: BaseResponse
        if storage_target and platform is not None:
            response = make_response(
                render_template(
                    "lti/storage_login.html",
                    auth_url=auth_url,
                    target=storage_target,
                    platform_origin=platforms.origin(platform.auth_login_url),
                    state=oidc.state,
                    nonce=oidc.nonce,
                )
            )
        else:
            response = redirect(auth_url)
    oidc.cookies.update_response(response)
    return response


@bp.post("/launch")
def launch() -> BaseResponse | str:
    """The id_token launch (resource link or deep linking): checked, then where the outcome says."""
    now = utcnow()
    config = current_app.config
    with transaction() as db:
        tool_launch = ToolLaunch(db, now=now)
        try:
            tool_launch.validate()
        except StateNotInBrowser as refused:
            if not refused.params.get("storage_target"):
                raise
            platform = db.get_one(LtiPlatform, int(refused.params["platform_id"]))
            return render_template(
                "lti/storage_launch.html",
                target=refused.params["storage_target"],
                platform_origin=platforms.origin(platform.auth_login_url),
                state=refused.state,
                nonce=refused.params["nonce"],
                id_token=request.form.get("id_token", ""),
                flag=STORAGE_CHECKED,
            )
        outcome = service.handle_launch(
            db,
            tool_launch,
            now=now,
            rules=config["LTI_IDENTITY_RULES"],
            custom_param=config["LTI_EMPLOYEE_NUMBER_PARAM"],
        )
        launch_id = tool_launch.get_launch_id()
        response: BaseResponse | str
        if outcome.kind == "reports":
            if outcome.account is not None:
                sign_in(db, outcome.account)
            else:
                assert outcome.user.staff_id is not None  # noqa: S101 - "reports" needs a linked staff member
                sign_in_staff(outcome.user.staff_id, via="lti")
            response = redirect("/reports/")
        elif outcome.kind == "play" and outcome.user.staff_id is not None:
            sign_in_staff(outcome.user.staff_id, via="lti")
            response = redirect(url_for("player.play", attempt_id=outcome.attempt_id))
        elif outcome.kind == "guest":
            session.clear()
            response = redirect(url_for("lti.guest"))
        elif outcome.kind == "deep_link":
            session.clear()
            response = render_template(
                "lti/picker.html",
                courses=deeplink.picker_courses(db, courses_dir=config["COURSES_DIR"]),
                settings=tool_launch.body.get(deeplink.DL_CLAIM + "deep_linking_settings") or {},
            )
        else:
            session.clear()
            response = render_template(
                "lti/no_units.html", course=outcome.course, linked=outcome.user.staff_id
            )
        session[_LAUNCH] = launch_id
        if outcome.kind == "guest" and outcome.course is not None:
            version = current_version(db, outcome.course.id)
            session[_GUEST] = version.id if version is not None else None
    if outcome.queued_scores and config["LTI_SEND_SCORES_AFTER_COMMIT"]:
        scores.send_in_background(current_app._get_current_object(), outcome.queued_scores)  # type: ignore[attr-defined]
    return response


@bp.get("/jwks.json")
def jwks() -> Response:
    """The tool's public keys (also the ones about to sign, and the ones just retired)."""
    with transaction() as db:
        body = keys.jwks(db, now=utcnow(), secret_key=current_app.config["SECRET_KEY"])
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _current_launch() -> ToolLaunch:
    launch_id = session.get(_LAUNCH)
    if not isinstance(launch_id, str):
        raise LaunchRefused(_l("Käynnistys on vanhentunut. Avaa aktiviteetti uudelleen Moodlesta."))
    return ToolLaunch.restore(get_session(), launch_id, now=utcnow())


@bp.post("/deep-link")
def deep_link() -> str:
    """The teacher chose: the signed response goes back to Moodle (posted by the page)."""
    tool_launch = _current_launch()
    if not tool_launch.is_deep_link_launch():
        raise LaunchRefused(_l("Tämä käynnistys ei ole sisällön valinta."))
    db = get_session()
    slugs = request.form.getlist("course")
    settings = tool_launch.body.get(deeplink.DL_CLAIM + "deep_linking_settings") or {}
    if not slugs or (len(slugs) > 1 and not settings.get("accept_multiple")):
        raise LaunchRefused(_l("Valitse yksi kurssi."))
    chosen = [(course.slug, course.title) for course in (require_course(db, slug) for slug in slugs)]
    with transaction():
        token, return_url = deeplink.response_jwt(tool_launch, chosen, launch_url=tool_values().tool_url)
    return render_template("lti/deep_link_post.html", return_url=return_url, jwt=token)


@bp.post("/continue")
def continue_as_learner() -> BaseResponse:
    """A teacher without units opens the course themselves."""
    now = utcnow()
    tool_launch = _current_launch()
    with transaction() as db:
        if tool_launch.is_deep_link_launch():
            raise LaunchRefused(_l("Tämä käynnistys on sisällön valinta."))
        user = upsert_user(db, platform_id=tool_launch.platform_id, body=tool_launch.body, now=now)
        outcome = service.open_course(db, tool_launch, user, service.course_of(db, tool_launch.body), now=now)
        launch_id = tool_launch.get_launch_id()
        if outcome.kind == "play" and user.staff_id is not None:
            sign_in_staff(user.staff_id, via="lti")
            response = redirect(url_for("player.play", attempt_id=outcome.attempt_id))
        else:
            session.clear()
            version = current_version(db, outcome.course.id) if outcome.course else None
            session[_GUEST] = version.id if version is not None else None
            response = redirect(url_for("lti.guest"))
        session[_LAUNCH] = launch_id
    return response


def _guest_version() -> PackageVersion:
    version_id = session.get(_GUEST)
    version = get_session().get(PackageVersion, version_id) if isinstance(version_id, int) else None
    if version is None:
        raise Forbidden(_l("Avaa kurssi Moodlesta."))
    return version


@bp.get("/guest")
def guest() -> Response:
    """The course's content for a user the register does not know yet: playable, nothing recorded. Its
    files come from the content origin, as the player's do (lms_bridge/packages/content.py)."""
    version = _guest_version()
    grant = ContentGrant(
        "version", version.id, version.storage_key, version.standard, request_origin(), framing_origins()
    )
    return content.unrecorded_viewer("lti/guest.html", version, grant, "lti.guest_frame")


@bp.get("/guest/<int:version_id>/content/<token>/")
def guest_frame(version_id: int, token: str) -> Response:
    """The guest page's frame page (content origin only): the signed token is the key."""
    return content.serve("version", version_id, token, None)


@bp.get("/guest/<int:version_id>/content/<token>/<path:path>")
def guest_content(version_id: int, token: str, path: str) -> Response:
    return content.serve("version", version_id, token, path)


@bp.get("/roster")
def course_roster() -> str:
    """The Moodle course's members and their progress, for a supervisor signed in by a launch."""
    account = current_account()
    if account is None or account.role not in ("supervisor", "admin"):
        raise Forbidden(_l("Kurssin osallistujat näkyvät esihenkilölle, joka avaa aktiviteetin Moodlesta."))
    tool_launch = _current_launch()
    nrps = tool_launch.body.get(service.NRPS_CLAIM) or {}
    url = nrps.get("context_memberships_url") if isinstance(nrps, dict) else None
    if not isinstance(url, str):
        raise LaunchRefused(_l("Moodle ei antanut kurssin osallistujaluetteloa tälle työkalulle."))
    with transaction() as db:
        course = service.course_of(db, tool_launch.body)
        platform = db.get_one(LtiPlatform, tool_launch.platform_id)
        try:
            members = roster.read_roster(
                db,
                platform,
                url,
                course_id=course.id,
                now=utcnow(),
                http=scores.http_session(),
                secret_key=current_app.config["SECRET_KEY"],
                between=db.commit,
            )
            problem = None
        except ServiceError:
            members, problem = [], platform.service_problem or _l("Moodle ei vastannut.")
    context = tool_launch.body.get("https://purl.imsglobal.org/spec/lti/claim/context") or {}
    return render_template(
        "lti/roster.html", members=members, course=course, context=context, problem=problem
    )


@bp.get("/register")
def register() -> str:
    """LTI Dynamic Registration: Moodle opens this URL (with our one-time token) to register the tool."""
    values = tool_values()
    with transaction() as db:
        platform = platforms.register_dynamically(
            db,
            token=request.args.get("token", ""),
            openid_configuration=request.args.get("openid_configuration", ""),
            registration_token=request.args.get("registration_token"),
            tool=values,
            tool_name="lms-bridge",
            now=utcnow(),
            http=scores.http_session(),
        )
        name = platform.name
    return render_template("lti/registered.html", name=name)


def registration_link(token: str) -> str:
    return f"{tool_values().registration_url}?{urlencode({'token': token})}"


def frame_for_platforms() -> None:
    """Let registered platforms frame the pages a launch opens (player pages only for an LTI learner)."""
    from lms_bridge.auth.learner import signed_in_via
    from lms_bridge.headers import allow_framing_by

    endpoint = request.endpoint or ""
    framed = endpoint.startswith("lti.") and not endpoint.startswith("lti.manage")
    if endpoint.startswith("player.") and signed_in_via() == "lti" and session.get("staff_id") is not None:
        framed = True
    if framed:
        allow_framing_by(lambda: platforms.platform_origins(get_session()))
