"""Course sources (courses/<id>/): course.yaml, Markdown pages, scenario, quiz and house YAML.

`load_course(folder)` reads and checks everything before anything is built; the first mistake raises
SourceError naming the file, the line and what is wrong. The format is documented in courses/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from scorm.errors import SourceError
from scorm.quiz import Quiz, QuizContext, check_revisit_titles, load_quiz
from scorm.yamlsource import Reader, check_sources, load_yaml_file, load_yaml_text

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")
LANGUAGES = ("fi", "sv", "en")
HOUSE_PLACES = ("foundation", "floor", "roof")
MAX_LABEL_WORDS = 15
END = "end"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    body: str  # Markdown, without the level-1 heading
    sources: tuple[str, ...]
    kind: Literal["page"] = "page"


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str
    best: bool
    next: str  # a step id or END


@dataclass(frozen=True)
class Step:
    id: str
    prompt: str
    context: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    intro: str
    steps: tuple[Step, ...]
    outro: str
    sources: tuple[str, ...]
    kind: Literal["scenario"] = "scenario"


@dataclass(frozen=True)
class HousePart:
    id: str
    title: str
    place: Literal["foundation", "floor", "roof"]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class House:
    id: str
    title: str
    intro: str
    image_label: str
    parts: tuple[HousePart, ...]
    sources: tuple[str, ...]
    kind: Literal["house"] = "house"


Section = Page | Scenario | Quiz | House


@dataclass(frozen=True)
class Course:
    id: str
    version: str
    language: str
    title: dict[str, str]
    description: dict[str, str]
    estimated_minutes: int
    mastery_score: int
    competences: tuple[str, ...]
    objectives: tuple[str, ...]
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    folder: Path
    assets: tuple[Path, ...] = field(default=())  # relative to folder, e.g. assets/kuva.svg

    @property
    def quiz(self) -> Quiz:
        return next(s for s in self.sections if isinstance(s, Quiz))

    def localized_title(self) -> str:
        return self.title[self.language]


def load_course(folder: Path, language: str | None = None) -> Course:
    """Read and check one course folder. Raises SourceError on the first mistake."""
    course_file = folder / "course.yaml"
    reader = Reader(course_file, load_yaml_file(course_file), "course.yaml")
    reader.unknown_keys(
        {
            "id",
            "version",
            "default_language",
            "title",
            "description",
            "estimated_minutes",
            "mastery_score",
            "competences",
            "objectives",
            "sources",
            "sequence",
        }
    )
    course_id = reader.identifier("id", ID_RE)
    if course_id != folder.name:
        raise reader.fail("id", f"'id' ({course_id}) must match the folder name ({folder.name})")
    version = reader.text("version")
    if not VERSION_RE.match(version):
        raise reader.fail("version", f"'version' must look like 1.0.0 (got '{version}')")
    default_language = reader.text("default_language")
    if default_language not in LANGUAGES:
        raise reader.fail("default_language", f"'default_language' must be one of {', '.join(LANGUAGES)}")
    lang = language or default_language
    if not (folder / lang).is_dir():
        raise SourceError(folder, None, f"no '{lang}/' folder with the module's text in language '{lang}'")

    objectives_reader = Reader(course_file, reader.data.get("objectives"), "course.yaml: objectives")
    objectives = objectives_reader.strings(lang, required=True)

    sources: list[Source] = []
    for line, entry in reader.items("sources"):
        source = Reader(course_file, entry, f"course.yaml: source at line {line}")
        source.unknown_keys({"id", "title", "url"})
        source_id = source.identifier("id")
        if any(s.id == source_id for s in sources):
            raise source.fail("id", f"source id '{source_id}' is listed twice")
        sources.append(Source(source_id, source.text("title"), source.text("url", required=False) or None))
    known = {s.id for s in sources}

    entries: list[tuple[Reader, str, str]] = []
    for line, entry in reader.items("sequence"):
        step = Reader(course_file, entry, f"course.yaml: sequence entry at line {line}")
        if len(step.data) != 1:
            raise step.fail(
                None,
                "each sequence entry is one of 'page: FILE', 'scenario: FILE', 'quiz: FILE', 'house: FILE'",
            )
        kind, name = next(iter(step.data.items()))
        if kind not in ("page", "scenario", "quiz", "house") or not isinstance(name, str):
            raise step.fail(kind, f"unknown sequence entry '{kind}' (use page, scenario, quiz or house)")
        entries.append((step, kind, name))
    pages = {name: Path(name).stem for _, kind, name in entries if kind in ("page", "house")}
    quiz_context = QuizContext(known, len(objectives), pages)
    loaders: dict[str, Callable[[Path, set[str]], Section]] = {
        "page": _load_page,
        "scenario": _load_scenario,
        "quiz": lambda path, _known: load_quiz(path, quiz_context),
        "house": _load_house,
    }
    sections: list[Section] = []
    for step, kind, name in entries:
        path = folder / lang / name
        if not path.is_file() or path.resolve().parent != (folder / lang).resolve():
            raise step.fail(kind, f"file '{lang}/{name}' not found")
        section = loaders[kind](path, known)
        if any(s.id == section.id for s in sections):
            raise step.fail(kind, f"'{name}' appears twice in the sequence")
        sections.append(section)
    quizzes = [s for s in sections if isinstance(s, Quiz)]
    if len(quizzes) != 1:
        raise reader.fail("sequence", f"the sequence must have exactly one quiz (has {len(quizzes)})")
    quiz_file = next(name for _, kind, name in entries if kind == "quiz")
    check_revisit_titles(folder / lang / quiz_file, quizzes[0], {s.id: s.title for s in sections})

    assets = _check_assets(folder, sections)
    return Course(
        id=course_id,
        version=version,
        language=lang,
        title=reader.languages("title", default_language, LANGUAGES),
        description=reader.languages("description", default_language, LANGUAGES),
        estimated_minutes=reader.integer("estimated_minutes", 1, 600),
        mastery_score=reader.integer("mastery_score", 0, 100),
        competences=reader.strings("competences", required=True),
        objectives=objectives,
        sources=tuple(sources),
        sections=tuple(sections),
        folder=folder,
        assets=assets,
    )


FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)")


def _load_page(path: Path, known: set[str]) -> Page:
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise SourceError(path, None, f"not UTF-8 text ({error.reason}); save the file as UTF-8") from None
    sources: tuple[str, ...] = ()
    body_start = 1
    match = FRONT_MATTER_RE.match(text)
    if match:
        meta = Reader(path, load_yaml_text(match.group(1), path, line_offset=1), "front matter")
        meta.unknown_keys({"sources"})
        sources = check_sources(meta, "sources", known)
        body_start = match.group(0).count("\n") + 1
        text = text[match.end() :]
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].startswith("# "):
        raise SourceError(path, body_start + (first or 0), "a page must start with one '# Heading' line")
    title = lines[first][2:].strip()
    for i, line in enumerate(lines[first + 1 :], start=first + 1):
        if line.startswith("# "):
            raise SourceError(path, body_start + i, "only one '# ' heading per page; use '## ' below it")
        if re.match(r"^\s*<[a-zA-Z/!]", line):
            raise SourceError(path, body_start + i, "raw HTML is not allowed in pages; use Markdown")
        for alt, _src in IMAGE_RE.findall(line):
            if not alt.strip():
                raise SourceError(
                    path, body_start + i, "every picture needs a text alternative: ![what it shows](...)"
                )
    return Page(id=path.stem, title=title, body="\n".join(lines[first + 1 :]).strip() + "\n", sources=sources)


def _load_scenario(path: Path, known: set[str]) -> Scenario:
    reader = Reader(path, load_yaml_file(path), "scenario")
    reader.unknown_keys({"title", "intro", "steps", "outro", "sources"})
    steps: list[Step] = []
    raw_next: list[tuple[Reader, str | None]] = []
    for line, entry in reader.items("steps"):
        s = Reader(path, entry, f"step at line {line}")
        s.unknown_keys({"id", "prompt", "context", "choices"})
        step_id = s.identifier("id")
        if any(x.id == step_id for x in steps):
            raise s.fail("id", f"step id '{step_id}' is used twice")
        choices: list[Choice] = []
        for cline, centry in s.items("choices"):
            c = Reader(path, centry, f"step '{step_id}', choice at line {cline}")
            c.unknown_keys({"id", "text", "feedback", "best", "next"})
            choice_id = c.identifier("id")
            if any(x.id == choice_id for x in choices):
                raise c.fail("id", f"choice id '{choice_id}' is used twice in step '{step_id}'")
            best = c.data.get("best", False)
            if not isinstance(best, bool):
                raise c.fail("best", "'best' must be true or false")
            target = c.data.get("next")
            raw_next.append((c, None if target is None else str(target)))
            choices.append(Choice(choice_id, c.text("text"), c.text("feedback"), best, ""))
        if len(choices) < 2:
            raise s.fail("choices", "a step needs at least two choices")
        if sum(ch.best for ch in choices) != 1:
            raise s.fail("choices", f"step '{step_id}' needs exactly one choice with 'best: true'")
        steps.append(Step(step_id, s.text("prompt"), s.text("context", required=False), tuple(choices)))

    ids = [st.id for st in steps]
    resolved: list[Step] = []
    cursor = iter(raw_next)
    for index, st in enumerate(steps):
        default = ids[index + 1] if index + 1 < len(ids) else END
        new_choices = []
        for ch in st.choices:
            c, target = next(cursor)
            target = target or default
            if target != END and target not in ids:
                raise c.fail("next", f"'next: {target}' is not a step id of this scenario (or 'end')")
            if target == st.id:
                raise c.fail("next", "a choice cannot lead back to its own step")
            new_choices.append(Choice(ch.id, ch.text, ch.feedback, ch.best, target))
        resolved.append(Step(st.id, st.prompt, st.context, tuple(new_choices)))
    _check_reachable(path, reader, resolved)
    return Scenario(
        id=path.stem,
        title=reader.text("title"),
        intro=reader.text("intro"),
        steps=tuple(resolved),
        outro=reader.text("outro"),
        sources=check_sources(reader, "sources", known),
    )


def _check_reachable(path: Path, reader: Reader, steps: list[Step]) -> None:
    by_id = {s.id: s for s in steps}
    seen: set[str] = set()
    todo = [steps[0].id]
    while todo:
        current = todo.pop()
        if current in seen or current == END:
            continue
        seen.add(current)
        todo.extend(ch.next for ch in by_id[current].choices)
    unreachable = [s.id for s in steps if s.id not in seen]
    if unreachable:
        raise reader.fail("steps", f"no choice leads to step(s) {', '.join(unreachable)}")
    # Every step must be able to reach the end, or a learner could be stuck in a loop.
    reaches_end = {END}
    changed = True
    while changed:
        changed = False
        for s in steps:
            if s.id not in reaches_end and any(ch.next in reaches_end for ch in s.choices):
                reaches_end.add(s.id)
                changed = True
    stuck = [s.id for s in steps if s.id not in reaches_end]
    if stuck:
        raise reader.fail("steps", f"step(s) {', '.join(stuck)} never lead to the end")


def _load_house(path: Path, known: set[str]) -> House:
    reader = Reader(path, load_yaml_file(path), "house")
    reader.unknown_keys({"title", "intro", "image_label", "parts", "sources"})
    parts: list[HousePart] = []
    for line, entry in reader.items("parts"):
        p = Reader(path, entry, f"house part at line {line}")
        p.unknown_keys({"id", "title", "place", "text", "sources"})
        pid = p.identifier("id")
        if any(x.id == pid for x in parts):
            raise p.fail("id", f"part id '{pid}' is used twice")
        place = p.text("place")
        if place not in HOUSE_PLACES:
            raise p.fail("place", f"'place' must be one of {', '.join(HOUSE_PLACES)}")
        parts.append(
            HousePart(
                pid,
                p.text("title"),
                cast(Literal["foundation", "floor", "roof"], place),
                p.text("text"),
                check_sources(p, "sources", known),
            )
        )
    if [p.place for p in parts].count("foundation") != 1:
        raise reader.fail("parts", "the house needs exactly one part with 'place: foundation'")
    image_label = reader.text("image_label")
    if len(image_label.split()) > MAX_LABEL_WORDS:
        raise reader.fail(
            "image_label",
            f"'image_label' has {len(image_label.split())} words; a screen reader says it every time the "
            f"picture is reached, so keep it to {MAX_LABEL_WORDS} (each part is a button with its own name)",
        )
    return House(
        path.stem,
        reader.text("title"),
        reader.text("intro"),
        image_label,
        tuple(parts),
        check_sources(reader, "sources", known),
    )


def _check_assets(folder: Path, sections: list[Section]) -> tuple[Path, ...]:
    assets_dir = folder / "assets"
    files = (
        sorted(p.relative_to(folder) for p in assets_dir.rglob("*") if p.is_file())
        if assets_dir.is_dir()
        else []
    )
    for section in sections:
        if isinstance(section, Page):
            for _alt, src in IMAGE_RE.findall(section.body):
                if src.startswith(("http:", "https:", "//")):
                    continue
                if Path(src) not in files:
                    raise SourceError(
                        folder / "assets", None, f"page '{section.id}' shows '{src}', which is not in assets/"
                    )
    return tuple(files)


def discover(courses_dir: Path) -> list[Path]:
    """Course folders (those with a course.yaml), sorted by name."""
    return sorted(p.parent for p in courses_dir.glob("*/course.yaml"))
