"""The player's pages and run-time endpoints. Views parse the request, call the player's services, render.

GETs change nothing: the course page (`/play/<slug>`) starts or resumes an attempt only by its POST
button, and the player page's own script opens the item (`POST .../open`) before it loads the SCO.

CSRF on the run-time endpoints (open, commit): the page carries a per-attempt token (an HMAC of the
attempt and the learner under the app's secret key) and every request sends it in its JSON body.
Flask-WTF's session token cannot serve: `navigator.sendBeacon` sets no headers, a commit replayed from
localStorage after a reload comes from another page, and the form token expires after an hour while a
learner may keep a module open all day. A body token works for fetch keepalive, beacons and replays
alike, and a cross-site page cannot learn it; the session cookie still has to name the attempt's own
learner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.auth.learner import current_staff_id, signed_in_via
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.errors import DomainError, Forbidden
from lms_bridge.headers import framing_origins
from lms_bridge.limits import body_limit
from lms_bridge.packages import content as packages_content
from lms_bridge.packages.content import ContentGrant, frame_url, request_origin
from lms_bridge.packages.settings import content_origin
from lms_bridge.player import attempts, commits, listing, token
from lms_bridge.player.layout import TocItem
from lms_bridge.player.models import Attempt
from lms_bridge.player.schemas import parse_commit_body, parse_open_body
from lms_bridge.register.lookups import get_staff

bp = Blueprint("player", __name__, url_prefix="/play")


def _not_signed_in() -> BaseResponse:
    from lms_bridge.player.devsignin import dev_sign_in_enabled

    if dev_sign_in_enabled(current_app):
        return redirect(url_for("dev.sign_in", next=request.full_path.rstrip("?")))
    raise Forbidden(_l("Avaa kurssi Moodlesta: vain sieltä käynnistetty kurssi tietää, kuka opiskelee."))


def _json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """The run-time endpoints answer in JSON whatever the client accepts (a beacon accepts anything)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return jsonify(error={"code": error.code, "message": str(error.message)}), error.status

    return wrapped


@bp.get("/<slug>")
def launch(slug: str) -> BaseResponse | str:
    """What opening the course would do (start, resume or review), with a button that does it.

    Only a POST starts an attempt: a link previewer, a prefetcher or a package's script that fetches this
    address changes nothing.
    """
    staff_id = current_staff_id()
    if staff_id is None:
        return _not_signed_in()
    db = get_session()
    course = listing.course_for_learner(db, staff_id=staff_id, slug=slug)
    plan = attempts.plan_launch(db, staff_id=staff_id, course=course)
    return render_template("player/launch.html", course=course, plan=plan)


@bp.post("/<slug>")
def start(slug: str) -> BaseResponse:
    """Open the learner's attempt at a course: resume, review, or start one (Course settings decide)."""
    staff_id = current_staff_id()
    if staff_id is None:
        return _not_signed_in()
    with transaction() as db:
        course = listing.course_for_learner(db, staff_id=staff_id, slug=slug)
        found = attempts.resolve_attempt(
            db, staff_id=staff_id, course=course, launched_via=signed_in_via(), now=utcnow()
        )
    return redirect(url_for("player.play", attempt_id=found.attempt.id), code=303)


@bp.get("/attempt/<int:attempt_id>")
def play(attempt_id: int) -> BaseResponse:
    """The player page. It only reads: the page's script opens the item (POST .../open) before the SCO
    runs, so a GET by anything but the player changes nothing."""
    staff_id = current_staff_id()
    if staff_id is None:
        return _not_signed_in()
    db = get_session()
    attempt = attempts.require_attempt(db, attempt_id, staff_id=staff_id)
    shown = attempts.view_item(db, attempt, request.args.get("item"))
    page = render_template(
        "player/play.html",
        attempt=attempt,
        course=shown.course,
        opened=shown,
        toc=shown.layout.items,
        progress=listing.item_progress(db, attempt.id),
        config=_page_config(attempt, staff_id, shown),
        sandbox=packages_content.CONTENT_SANDBOX,
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = packages_content.hosting_page_csp()
    # The page carries the attempt's token: a reload or the back button must fetch it again.
    response.headers["Cache-Control"] = "no-store"
    return response


def _item_url(attempt_id: int, item: TocItem | None) -> str | None:
    return None if item is None else url_for("player.play", attempt_id=attempt_id, item=item.item)


def _page_config(attempt: Attempt, staff_id: int, shown: attempts.ItemView) -> dict[str, Any]:
    """What player.js needs, as JSON in the page (the CSP allows no inline script). The SCO's state is
    not here: the script gets it from POST .../open, which opens the item."""
    before, after = shown.layout.neighbours(shown.item.item)
    standard = "scorm12" if shown.layout.cmi_version == "1.2" else "scorm2004"
    grant = ContentGrant(
        "attempt", attempt.id, shown.layout.storage_key, standard, request_origin(), framing_origins()
    )
    return {
        "attempt": attempt.id,
        "item": shown.item.item,
        "sco": shown.item.sco,
        "standard": standard,
        "review": shown.review,
        "content": frame_url(grant, shown.item.href or "", "player.content_frame", attempt_id=attempt.id),
        "contentOrigin": content_origin(),
        "commitUrl": url_for("player.commit", attempt_id=attempt.id),
        "openUrl": url_for("player.open_item", attempt_id=attempt.id),
        "token": token.commit_token(
            current_app.config["SECRET_KEY"], attempt_id=attempt.id, staff_id=staff_id
        ),
        "previous": _item_url(attempt.id, before),
        "next": _item_url(attempt.id, after),
        "items": {i.item: _item_url(attempt.id, i) for i in shown.layout.launchable},
        "messages": _messages(),
    }


def _messages() -> dict[str, str]:
    return {
        "saving": _("Tallennetaan…"),
        "saved": _("Edistyminen tallennettu."),
        "retrying": _(
            "Yhteys palvelimeen katkesi. Muutokset ovat tallessa selaimessa, ja niitä yritetään lähettää "
            "uudelleen."
        ),
        "restored": _("Yhteys palautui: kaikki muutokset on tallennettu."),
        "signedOut": _(
            "Kirjautuminen on vanhentunut. Muutokset ovat tallessa selaimessa: avaa kurssi uudelleen, niin "
            "ne lähetetään."
        ),
        "refused": _("Palvelin ei hyväksynyt tallennusta: %(message)s"),
        "completed": _("Kurssi on suoritettu, ja suoritus on kirjattu osaamisrekisteriin."),
        "completedNotRecorded": _(
            "Kurssi on suoritettu. Kurssiin ei ole liitetty osaamista, joten osaamisrekisteriin ei kirjattu "
            "mitään."
        ),
        "noApi": _(
            "Sisältö ei ole ottanut yhteyttä oppimisympäristöön, joten edistymistä ei tallenneta. "
            "Sisältö voi silti olla luettavissa."
        ),
        "blocked": _(
            "Sisältö yritti ladata tiedostoja toiselta palvelimelta (%(hosts)s), mikä on estetty. Sisältö ei "
            "siksi toimi kunnolla: ilmoita asiasta kurssin ylläpitäjälle."
        ),
        "dismiss": _("Sulje ilmoitus"),
        "pending": _("Lähetetään aiemmin tallentamatta jääneitä muutoksia…"),
        "ended": _("Osio päättyi. Valitse seuraava osa sisällysluettelosta."),
        "tocCompleted": _("valmis"),
        "tocIncomplete": _("kesken"),
        "tocVisited": _("avattu"),
        "progressCompleted": _("suoritettu"),
        "progressIncomplete": _("kesken"),
    }


@bp.get("/attempt/<int:attempt_id>/content/<token>/")
def content_frame(attempt_id: int, token: str) -> Response:
    """The frame page that hosts the attempt's SCO (content origin only; packages/content.py)."""
    return packages_content.serve("attempt", attempt_id, token, None)


@bp.get("/attempt/<int:attempt_id>/content/<token>/<path:path>")
def content(attempt_id: int, token: str, path: str) -> Response:
    """A file of the attempt's package version (content origin only): the signed token is the key, no
    cookie is needed or sent there."""
    return packages_content.serve("attempt", attempt_id, token, path)


def _runtime_staff_id() -> int:
    """The learner of a run-time request (open, commit), checked as the module docstring says.

    Raises Forbidden (signed out, or from another site). The body's size limit (MAX_JSON_BYTES) applies
    before: lms_bridge.limits, by each run-time route's body_limit.
    """
    staff_id = current_staff_id()
    if staff_id is None:
        raise Forbidden(_l("Kirjautuminen on vanhentunut."), code="signed_out")
    if not _same_origin(request.headers.get("Origin")):
        raise Forbidden(_l("Tallennus toiselta sivustolta estettiin."), code="csrf")
    return staff_id


def _check_token(token_value: object, *, attempt_id: int, staff_id: int) -> None:
    secret = current_app.config["SECRET_KEY"]
    if not token.check_commit_token(secret, token_value, attempt_id=attempt_id, staff_id=staff_id):
        raise Forbidden(_l("Tallennuksen tunniste ei kelpaa. Avaa kurssi uudelleen."), code="csrf")


@bp.post("/attempt/<int:attempt_id>/open")
@body_limit("MAX_JSON_BYTES")
@_json_errors
def open_item(attempt_id: int) -> Response:
    """Open an item as the page is about to run it, and answer the SCO's state (shapes:
    lms_bridge.player.schemas). The page's own script calls it, with the attempt's token."""
    staff_id = _runtime_staff_id()
    body = parse_open_body(request.get_json(force=True, silent=True))
    _check_token(body.token, attempt_id=attempt_id, staff_id=staff_id)
    with transaction() as db:
        attempt = attempts.require_attempt(db, attempt_id, staff_id=staff_id)
        opened = attempts.open_item(db, attempt, body.item, now=utcnow())
        answer = {
            "item": opened.item.item,
            "elements": opened.elements,
            "seq": opened.seq,
            "review": opened.review,
            # for the table of contents, which the page's GET drew before the item was opened
            "progress": listing.item_progress(db, attempt.id).get(opened.item.item),
        }
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attempt/<int:attempt_id>/commit")
@body_limit("MAX_JSON_BYTES")
@_json_errors
def commit(attempt_id: int) -> Response:
    """Apply numbered commits of one SCO (shapes: lms_bridge.player.schemas)."""
    staff_id = _runtime_staff_id()
    body = parse_commit_body(request.get_json(force=True, silent=True))
    _check_token(body.token, attempt_id=attempt_id, staff_id=staff_id)
    with transaction() as db:
        outcome = commits.commit(
            db,
            attempt_id=attempt_id,
            staff_id=staff_id,
            item_id=body.item,
            commits=body.commits,
            now=utcnow(),
        )
        answer = outcome.as_json()
    return jsonify(answer)


def _same_origin(origin: str | None) -> bool:
    """No Origin (a same-origin GET-less beacon may omit it) or this site's own."""
    if not origin:
        return True
    return urlsplit(origin).netloc == urlsplit(request.host_url).netloc


def current_learner_name() -> str | None:
    """The name of the staff member this browser plays as, for the header; None when nobody."""
    if "learner_name" not in g:
        staff_id = current_staff_id()
        staff = get_staff(get_session(), staff_id) if staff_id is not None else None
        g.learner_name = f"{staff.first_name} {staff.last_name}" if staff is not None else None
    name: str | None = g.learner_name
    return name


@dataclass(frozen=True)
class FrontPage:
    cards: list[listing.CourseCard] | None  # None: nobody is signed in as a learner (the demo sign-in's link)
    staff_name: str


def front_page() -> FrontPage | None:
    """The front page's course list for the signed-in learner (or the demo sign-in link), else None."""
    from lms_bridge.player.devsignin import dev_sign_in_enabled

    dev = dev_sign_in_enabled(current_app)
    staff_id = current_staff_id()
    db = get_session()
    staff = get_staff(db, staff_id) if staff_id is not None else None
    if staff is None:
        return FrontPage(None, "") if dev else None
    cards = listing.playable_courses(db, staff_id=staff.id)
    return FrontPage(cards, f"{staff.first_name} {staff.last_name}")
