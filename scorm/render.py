"""Course → the files of its SCO: `index.html` (one document holding every section), script, style, assets.

The SCO's behaviour (navigation, scenario, quiz, house, SCORM 1.2 / 2004 reporting, resume) lives in
`sco/sco.js`; the page is rendered here from `sco/index.html.j2`. Every UI string comes from
`sco/messages/<language>.json`, so a Swedish or English course needs no code change.

`render_course()` is deterministic: the same Course and standard give the same bytes (no timestamps,
sorted keys and files). Raises BuildError for an unknown standard or UI language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from scorm.authoring import Course, House, HousePart, Page, Scenario
from scorm.errors import BuildError
from scorm.quiz import Quiz

Standard = Literal["scorm12", "scorm2004"]
STANDARDS: tuple[Standard, ...] = ("scorm12", "scorm2004")
SCO_DIR = Path(__file__).parent / "sco"
LAUNCH_FILE = "index.html"
# Static files of the SCO, copied as they are: source name in sco/ → path in the package.
STATIC_FILES = {"sco.js": "sco/sco.js", "sco.css": "sco/sco.css"}
# Section id of the title page; chosen so no file stem is likely to collide with it (checked below).
TITLE_ID = "_start"


def render_course(course: Course, *, standard: Standard) -> dict[str, bytes]:
    """Every file of the package except imsmanifest.xml and the XSDs, keyed by package-relative POSIX path.

    Raises BuildError when the standard is unknown, the course language has no UI messages, or a section
    id collides with the title page's.
    """
    if standard not in STANDARDS:
        raise BuildError(f"unknown SCORM standard '{standard}' (use one of {', '.join(STANDARDS)})")
    if any(section.id == TITLE_ID for section in course.sections):
        raise BuildError(f"a section may not be named '{TITLE_ID}': rename its file")
    messages = load_messages(course.language)
    markdown = _Markdown(messages)
    html = (
        _environment()
        .get_template("index.html.j2")
        .render(
            course=course,
            lang=course.language,
            title=course.localized_title(),
            description=course.description.get(course.language, ""),
            t=messages,
            title_id=TITLE_ID,
            sections=[_section_view(section, course, markdown) for section in course.sections],
            course_sources=[_SourceView(source.title, source.url) for source in course.sources],
            data_json=_script_json(_sco_data(course, standard, messages)),
        )
    )
    files: dict[str, bytes] = {LAUNCH_FILE: html.encode("utf-8")}
    for name, target in STATIC_FILES.items():
        files[target] = compact_source((SCO_DIR / name).read_text(encoding="utf-8")).encode("utf-8")
    for asset in course.assets:
        files[asset.as_posix()] = (course.folder / asset).read_bytes()
    return dict(sorted(files.items()))


def compact_source(text: str) -> str:
    """The SCO's script or style sheet as shipped: without indentation, blank lines and comments that fill
    whole lines (a learner's phone loads it; the repository keeps the commented source).

    Only what cannot change the meaning is removed: lines that are a `//` comment, and `/* ... */` comments
    that start a line and end one; a comment after code stays. The sources have no multi-line strings.
    """
    kept: list[str] = []
    in_comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_comment:
            in_comment = not stripped.endswith("*/")
            continue
        if stripped.startswith("/*") and "*/" not in stripped[2:-2]:
            in_comment = not stripped.endswith("*/")
            continue
        if stripped and not stripped.startswith("//"):
            kept.append(stripped)
    return "\n".join(kept) + "\n"


@cache
def load_messages(language: str) -> dict[str, str]:
    """The SCO's UI strings in one language. Raises BuildError when the language has no catalog."""
    path = SCO_DIR / "messages" / f"{language}.json"
    if not path.is_file():
        raise BuildError(f"the SCO has no UI messages for language '{language}' (add {path.name})")
    messages: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return messages


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(SCO_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _fmt
    return env


def _fmt(template: str, **values: object) -> Markup:
    """Fill a catalog string's {name} placeholders, escaping the values."""
    return escape(template).format(**values)


def _script_json(data: dict[str, Any]) -> Markup:
    """JSON safe inside <script type="application/json">: no '<' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c"))  # noqa: S704 - JSON with every '<' escaped


def _sco_data(course: Course, standard: Standard, messages: dict[str, str]) -> dict[str, Any]:
    """What sco.js needs to know about the course: the sequence, branching, answers, house parts."""
    sections: list[dict[str, str]] = [{"id": TITLE_ID, "kind": "title"}]
    scenarios: dict[str, Any] = {}
    houses: dict[str, list[str]] = {}
    quiz: dict[str, Any] = {}
    for section in course.sections:
        sections.append({"id": section.id, "kind": section.kind})
        if isinstance(section, Scenario):
            scenarios[section.id] = {
                "steps": [
                    {"id": step.id, "choices": {c.id: c.next for c in step.choices}} for step in section.steps
                ]
            }
        elif isinstance(section, House):
            houses[section.id] = [part.id for part in section.parts]
        elif isinstance(section, Quiz):
            quiz = {
                "id": section.id,
                "per_attempt": section.per_attempt,
                "questions": [
                    {
                        "id": q.id,
                        "type": q.type,
                        "options": [o.id for o in q.options],
                        "correct": list(q.correct_ids),
                        "objective": q.objective - 1,  # -1: tied to no objective
                        "revisit": q.revisit,
                        # cmi.interactions.n.description is a localized_string_type of at most 250 chars.
                        "text": q.text[:250],
                    }
                    for q in section.questions
                ],
            }
    return {
        "standard": standard,
        "course": course.id,
        "version": course.version,
        "language": course.language,
        "mastery": course.mastery_score,
        "sections": sections,
        "scenarios": scenarios,
        "houses": houses,
        "quiz": quiz,
        "messages": messages,
    }


@dataclass(frozen=True)
class _SourceView:
    title: str
    url: str | None


@dataclass(frozen=True)
class _PageLink:
    id: str
    title: str


def _section_view(section: Page | Scenario | Quiz | House, course: Course, md: _Markdown) -> dict[str, Any]:
    """Template values of one section: Markdown rendered, source ids resolved to titles."""
    by_id = {source.id: source for source in course.sources}

    def sources(ids: tuple[str, ...]) -> list[_SourceView]:
        return [_SourceView(by_id[i].title, by_id[i].url) for i in ids]

    view: dict[str, Any] = {
        "kind": section.kind,
        "id": section.id,
        "title": section.title,
        "section": section,
    }
    if isinstance(section, Page):
        view |= {"body": md.render(section.body, title=section.title), "sources": sources(section.sources)}
    elif isinstance(section, Scenario):
        view |= {
            "intro": md.render(section.intro),
            "outro": md.render(section.outro),
            "steps": [{"step": step, "context": md.render(step.context)} for step in section.steps],
            "sources": sources(section.sources),
        }
    elif isinstance(section, Quiz):
        pages = {p.id: _PageLink(p.id, p.title) for p in course.sections if isinstance(p, Page | House)}
        view |= {
            "intro": md.render(section.intro),
            "questions": [
                {
                    "question": q,
                    "explanation": md.render(q.explanation),
                    "correct_texts": [o.text for o in q.options if o.correct],
                    "revisit": pages.get(q.revisit),
                }
                for q in section.questions
            ],
            # One list for the whole bank: a line per question would repeat long titles in the page.
            "sources": sources(tuple(dict.fromkeys(i for q in section.questions for i in q.sources))),
            # What a try with wrong answers asks the learner to revisit: the objective and its pages.
            "objectives": [
                {
                    "index": number - 1,
                    "text": text,
                    "pages": [
                        pages[page_id]
                        for page_id in dict.fromkeys(
                            q.revisit for q in section.questions if q.objective == number and q.revisit
                        )
                    ],
                }
                for number, text in enumerate(course.objectives, start=1)
                if any(q.objective == number for q in section.questions)
            ],
        }
    else:
        view |= {
            "intro": md.render(section.intro),
            "image_label": section.image_label,
            "roof": [_part_view(p, md, sources) for p in section.parts if p.place == "roof"],
            # Floors stack in list order from the foundation up; the picture lists rows bottom-up in the
            # DOM (the reading and focus order of the list) and CSS draws them upwards.
            "floors": [_part_view(p, md, sources) for p in section.parts if p.place == "floor"],
            "foundation": [_part_view(p, md, sources) for p in section.parts if p.place == "foundation"],
            "parts": [_part_view(p, md, sources) for p in section.parts],
            "sources": sources(section.sources),
        }
    return view


def _part_view(part: HousePart, md: _Markdown, sources: Any) -> dict[str, Any]:
    return {
        "id": part.id,
        "title": part.title,
        "place": part.place,
        "panel_text": md.render(part.text, heading_offset=1),
        "sources": sources(part.sources),
    }


class _Markdown:
    """CommonMark + tables, raw HTML shown as text; links open in a new window, pictures load lazily."""

    def __init__(self, messages: dict[str, str]) -> None:
        self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        self._messages = messages

    def render(self, text: str, *, heading_offset: int = 0, title: str = "") -> Markup:
        """HTML of a Markdown text; '## ' becomes <h2> plus heading_offset levels (at most <h6>).

        Each table is named for screen readers after the heading it stands under (else the title), e.g.
        "Taulukko: Laskuesimerkki"; a second table under the same heading gets "(2)".
        """
        tokens = self._md.parse(text)
        out: list[Token] = []
        heading, in_heading = title, False
        labels: list[str] = []
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
                in_heading = token.type == "heading_open"
            elif in_heading and token.type == "inline":
                heading = re.sub(r"[*_`]", "", token.content)
            elif token.type == "table_open":
                # A wide table scrolls inside its own focusable region instead of the whole page (360 px).
                name = (
                    f"{self._messages['table_label']}: {heading}"
                    if heading
                    else self._messages["table_label"]
                )
                labels.append(name)
                if labels.count(name) > 1:
                    name = f"{name} ({labels.count(name)})"
                label = escape(name)
                wrap = f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">\n'
                out.append(self._html(wrap))
            elif token.type == "inline" and token.children:
                token.children = self._inline(token.children)
            out.append(token)
            if token.type == "table_close":
                out.append(self._html("</div>\n"))
        return Markup(self._md.renderer.render(out, self._md.options, {}))  # noqa: S704 - markdown-it escapes text

    def _inline(self, children: list[Token]) -> list[Token]:
        result: list[Token] = []
        new_window: list[bool] = []
        for child in children:
            if child.type == "image":
                child.attrSet("loading", "lazy")
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                # Leaving the SCO's frame would end the SCORM session: every link but an in-page anchor
                # opens a new window, and says so.
                external = not href.startswith("#")
                if external:
                    child.attrSet("target", "_blank")
                    child.attrSet("rel", "noopener")
                new_window.append(external)
            elif child.type == "link_close" and new_window.pop():
                note = escape(self._messages["new_window"])
                result.append(self._html(f'<span class="visually-hidden"> {note}</span>', inline=True))
            result.append(child)
        return result

    @staticmethod
    def _html(content: str, *, inline: bool = False) -> Token:
        return Token("html_inline" if inline else "html_block", "", 0, content=content)
