"""Deep Linking 2.0: the teacher's course picker and the signed response Moodle gets back.

Each chosen course becomes an LtiResourceLink with its title, the custom parameter `course` (a launch
reads the course from it) and a line item (score maximum 100), so Moodle adds the gradebook column.
Moodle refuses an empty `custom` object and pylti1p3 always writes one, so it is left out when empty;
likewise the `data` claim when the request had none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session

from lms_bridge.catalog.builtin import builtin_course
from lms_bridge.catalog.service import list_courses
from lms_bridge.lti.launch import ToolLaunch
from lms_bridge.packages.service import current_versions

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"


@dataclass(frozen=True)
class PickerCourse:
    slug: str
    title: str
    language: str | None
    minutes: int | None
    builtin: bool
    standard: str


def picker_courses(session: Session, *, courses_dir: str) -> list[PickerCourse]:
    """Courses with content to play (built-in and imported), with language and duration where known."""
    from pathlib import Path

    versions = current_versions(session)
    result = []
    for course in list_courses(session):
        version = versions.get(course.id)
        if version is None:
            continue
        builtin = builtin_course(Path(courses_dir), course.slug.removesuffix("-2004"))
        result.append(
            PickerCourse(
                slug=course.slug,
                title=course.title,
                language=getattr(builtin, "language", None),
                minutes=getattr(builtin, "minutes", None),
                builtin=builtin is not None,
                standard=version.standard,
            )
        )
    return result


class _Resource(DeepLinkResource):
    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = super().to_dict()
        if not item.get("custom"):
            item.pop("custom", None)  # Moodle rejects "custom": {}
        return item


def response_jwt(launch: ToolLaunch, chosen: list[tuple[str, str]], *, launch_url: str) -> tuple[str, str]:
    """The signed LtiDeepLinkingResponse for (slug, title) pairs, and where to post it."""
    deep_link = launch.get_deep_link()
    resources = []
    for slug, title in chosen:
        lineitem = (
            LineItem()
            .set_score_maximum(100)
            .set_label(title[:255])
            .set_resource_id(slug)
            .set_tag("lms-bridge")
        )
        resources.append(
            _Resource()
            .set_url(launch_url)
            .set_title(title[:255])
            .set_custom_params({"course": slug})
            .set_lineitem(lineitem)
        )
    message = deep_link.get_message_jwt(resources)
    if message.get(DL_CLAIM + "data") is None:
        message.pop(DL_CLAIM + "data", None)
    settings = launch.body.get(DL_CLAIM + "deep_linking_settings") or {}
    return str(deep_link.encode_jwt(message)), str(settings.get("deep_link_return_url", ""))
