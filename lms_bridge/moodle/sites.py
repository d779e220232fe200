"""Moodle sites and their mappings: register a site (token encrypted), test its connection, map a
Moodle course or activity to a competence. Services flush, never commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.catalog.models import Competence
from lms_bridge.catalog.service import get_competence_by_code
from lms_bridge.moodle.client import MAPPING_FUNCTIONS, REQUIRED_FUNCTIONS, REST_PATH, MoodleClient
from lms_bridge.moodle.errors import MoodleError
from lms_bridge.moodle.models import MoodleMapping, MoodleSite
from lms_bridge.moodle.problems import MoodleProblem, SiteError, SiteNotFound, explain
from lms_bridge.moodle.tokens import decrypt_token, encrypt_token, token_hint

logger = logging.getLogger(__name__)

SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
# Moodle's tokens are 32 hex characters; allow other lengths, never spaces or separators.
TOKEN = re.compile(r"^[A-Za-z0-9]{16,128}$")


def check_base_url(url: str) -> str:
    """The site's root URL without a trailing slash; raises SiteError for anything else."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SiteError(_l("Anna Moodlen juuriosoite, esim. https://moodle.example.fi."))
    if parts.path.rstrip("/").endswith(REST_PATH):
        raise SiteError(
            _l(
                "Anna Moodlen juuriosoite ilman polkua %(path)s, esim. https://moodle.example.fi.",
                path=REST_PATH,
            )
        )
    return url.rstrip("/")


def check_token(token: str) -> str:
    token = token.strip()
    if not TOKEN.match(token):
        raise SiteError(
            _l("Token on 16–128 kirjainta tai numeroa (Moodlen token on 32 merkkiä); tiedostossa vain token.")
        )
    return token


def list_sites(session: Session) -> list[MoodleSite]:
    return list(session.scalars(select(MoodleSite).order_by(MoodleSite.name)))


def get_site(session: Session, name: str) -> MoodleSite:
    """The site called `name`; raises SiteNotFound."""
    site = session.scalars(select(MoodleSite).where(MoodleSite.name == name)).one_or_none()
    if site is None:
        raise SiteNotFound(
            _l("Moodle-sivustoa %(name)s ei ole. Lisää se: lms-bridge moodle site add.", name=name)
        )
    return site


def save_site(
    session: Session,
    *,
    name: str,
    base_url: str,
    token: str,
    secret_key: str,
    actor: str,
    replace: bool = False,
) -> MoodleSite:
    """Add a site, or with `replace` change an existing one's URL and token. Raises SiteError."""
    name = name.strip().lower()
    if not SITE_NAME.match(name):
        raise SiteError(_l("Sivuston nimessä saa olla pieniä kirjaimia, numeroita, - ja _ (enintään 50)."))
    base_url = check_base_url(base_url)
    token = check_token(token)
    site = session.scalars(select(MoodleSite).where(MoodleSite.name == name)).one_or_none()
    if site is not None and not replace:
        raise SiteError(
            _l(
                "Sivusto %(name)s on jo olemassa. Vaihda sen osoite tai token valinnalla --replace.",
                name=name,
            ),
            status=409,
        )
    ciphertext = encrypt_token(token, secret_key=secret_key)
    if site is None:
        site = MoodleSite(
            name=name, base_url=base_url, token_encrypted=ciphertext, token_hint=token_hint(token)
        )
        session.add(site)
        action = "moodle_site.create"
    else:
        site.base_url, site.token_encrypted, site.token_hint = base_url, ciphertext, token_hint(token)
        action = "moodle_site.update"
    session.flush()
    # The audit trail names the site and URL; the token only by its last four characters.
    record_event(
        session,
        actor=actor,
        action=action,
        subject_type="moodle_site",
        subject_id=site.id,
        details={"name": name, "base_url": base_url, "token_hint": site.token_hint},
    )
    logger.info("Moodle site %s saved (%s)", site.id, action)
    return site


def client_for(site: MoodleSite, config: Mapping[str, Any]) -> MoodleClient:
    """A web-service client for the site with the configured timeouts and retries."""
    token = decrypt_token(site.token_encrypted, secret_key=config["SECRET_KEY"], site_name=site.name)
    return MoodleClient(
        site.base_url,
        token,
        connect_timeout=float(config["MOODLE_CONNECT_TIMEOUT_SECONDS"]),
        read_timeout=float(config["MOODLE_READ_TIMEOUT_SECONDS"]),
        retries=int(config["MOODLE_RETRIES"]),
    )


@dataclass(frozen=True)
class ConnectionReport:
    site_name: str
    release: str
    username: str
    missing_for_sync: tuple[str, ...]
    missing_for_mapping: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing_for_sync


def test_connection(client: MoodleClient) -> ConnectionReport:
    """core_webservice_get_site_info: the site's name and release, and the functions the token lacks.

    Raises MoodleProblem (in Finnish) when Moodle refuses or does not answer.
    """
    try:
        info = client.get_site_info(required=REQUIRED_FUNCTIONS + MAPPING_FUNCTIONS)
    except MoodleError as error:
        raise MoodleProblem(explain(error)) from error
    missing = set(info.missing_functions)
    return ConnectionReport(
        site_name=info.site_name,
        release=info.release,
        username=info.username,
        missing_for_sync=tuple(f for f in REQUIRED_FUNCTIONS if f in missing),
        missing_for_mapping=tuple(f for f in MAPPING_FUNCTIONS if f in missing),
    )


def list_mappings(session: Session, site_id: int) -> list[tuple[MoodleMapping, Competence]]:
    rows = session.execute(
        select(MoodleMapping, Competence)
        .join(Competence, Competence.id == MoodleMapping.competence_id)
        .where(MoodleMapping.site_id == site_id)
        .order_by(MoodleMapping.moodle_course_id, MoodleMapping.cmid, Competence.code)
    )
    return [(mapping, competence) for mapping, competence in rows]


def add_mapping(
    session: Session,
    site: MoodleSite,
    *,
    competence_code: str,
    client: MoodleClient,
    actor: str,
    course_id: int | None = None,
    cmid: int | None = None,
) -> MoodleMapping:
    """Map a Moodle course (course completion) or activity (course module id) to a competence.

    Asks Moodle once: that the course exists (core_enrol_get_enrolled_users, one user), or which course
    and module the activity is (core_course_get_course_module). Raises SiteError, NotInCatalog,
    MoodleProblem.
    """
    if (course_id is None) == (cmid is None):
        raise SiteError(_l("Anna joko Moodle-kurssin tunnus (--course) tai aktiviteetin cmid (--activity)."))
    competence = get_competence_by_code(session, competence_code)
    try:
        if cmid is not None:
            module = client.get_course_module(cmid)
            mapping = MoodleMapping(
                site_id=site.id,
                kind="activity",
                moodle_course_id=module.course_id,
                cmid=cmid,
                modname=module.modname,
                activity_name=module.name[:300],
                competence_id=competence.id,
            )
        elif course_id is not None:
            client.get_enrolled_users(course_id, user_fields=("id",), limit_number=1)
            mapping = MoodleMapping(
                site_id=site.id, kind="course", moodle_course_id=course_id, competence_id=competence.id
            )
    except MoodleError as error:
        raise MoodleProblem(explain(error)) from error
    duplicate = session.scalars(
        select(MoodleMapping).where(
            MoodleMapping.site_id == site.id,
            MoodleMapping.kind == mapping.kind,
            MoodleMapping.moodle_course_id == mapping.moodle_course_id,
            MoodleMapping.cmid.is_(None) if mapping.cmid is None else MoodleMapping.cmid == mapping.cmid,
            MoodleMapping.competence_id == competence.id,
        )
    ).first()
    if duplicate is not None:
        raise SiteError(_l("Sama liitos on jo olemassa."), status=409)
    session.add(mapping)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="moodle_mapping.create",
        subject_type="moodle_site",
        subject_id=site.id,
        details={
            "kind": mapping.kind,
            "course": mapping.moodle_course_id,
            "cmid": cmid,
            "competence": competence.code,
        },
    )
    return mapping


def remove_mapping(session: Session, site: MoodleSite, mapping_id: int, *, actor: str) -> None:
    """Remove one of the site's mappings (completions already recorded stay). Raises SiteNotFound."""
    mapping = session.get(MoodleMapping, mapping_id)
    if mapping is None or mapping.site_id != site.id:
        raise SiteNotFound(_l("Liitosta ei löydy."))
    session.delete(mapping)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="moodle_mapping.delete",
        subject_type="moodle_site",
        subject_id=site.id,
        details={"kind": mapping.kind, "course": mapping.moodle_course_id, "cmid": mapping.cmid},
    )
