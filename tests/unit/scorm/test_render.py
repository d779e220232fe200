"""scorm.render: the SCO's files from a Course — structure, escaping, language, determinism."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from scorm.authoring import Course, House, Page, discover, load_course
from scorm.errors import BuildError
from scorm.quiz import Quiz
from scorm.render import SCO_DIR, Standard, compact_source, load_messages, render_course

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "courses" / "naytemoduuli"
ALL_COURSES = [*discover(ROOT / "courses"), SAMPLE]


@pytest.fixture(scope="module")
def sample() -> Course:
    return load_course(SAMPLE)


def document(files: dict[str, bytes]) -> html.HtmlElement:
    return html.fromstring(files["index.html"])


def sco_data(files: dict[str, bytes]) -> dict[str, Any]:
    (script,) = document(files).xpath('//script[@id="sco-data"]')
    data: dict[str, Any] = json.loads(script.text)
    return data


def with_page(course: Course, body: str) -> Course:
    page = Page(id="extra", title="Lisäsivu", body=body, sources=())
    return dataclasses.replace(course, sections=(page, *course.sections))


@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_files_are_the_launch_page_script_style_and_assets_and_deterministic(
    sample: Course, standard: Standard
) -> None:
    files = render_course(sample, standard=standard)
    assert list(files) == ["assets/talo-kaavio.svg", "index.html", "sco/sco.css", "sco/sco.js"]
    assert files == render_course(sample, standard=standard)
    assert files["assets/talo-kaavio.svg"] == (SAMPLE / "assets" / "talo-kaavio.svg").read_bytes()
    assert sco_data(files)["standard"] == standard


def test_one_section_element_per_section_with_the_title_page_first(sample: Course) -> None:
    doc = document(render_course(sample, standard="scorm12"))
    assert doc.get("lang") == "fi"
    sections = doc.xpath('//section[contains(@class, "sco-section")]')
    assert [s.get("data-id") for s in sections] == ["_start", *(s.id for s in sample.sections)]
    assert [s.get("hidden") is None for s in sections] == [True] + [False] * len(sample.sections)
    for section, expected in zip(sections[1:], sample.sections, strict=True):
        (heading,) = section.xpath("./h1")
        assert heading.text_content() == expected.title
        assert heading.get("tabindex") == "-1"  # focus moves here on navigation
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    for target in doc.xpath("//@aria-controls | //@aria-labelledby"):
        assert target in ids


def test_title_page_shows_objectives_duration_and_sources(sample: Course) -> None:
    doc = document(render_course(sample, standard="scorm12"))
    (title_page,) = doc.xpath('//section[@data-id="_start"]')
    text = title_page.text_content()
    assert all(objective in text for objective in sample.objectives)
    assert "noin 10 minuuttia" in text
    assert all(source.title in text for source in sample.sources)
    assert "Lähteet" in text


def test_markdown_raw_html_is_shown_as_text_and_links_pictures_tables_are_safe(sample: Course) -> None:
    body = (
        "Teksti <script>alert(1)</script> jatkuu. [THL](https://thl.fi) ja [alas](#kohta)\n\n"
        "![Kuva talosta](assets/talo-kaavio.svg)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n## Väliotsikko\n"
    )
    files = render_course(with_page(sample, body), standard="scorm12")
    assert b"<script>alert" not in files["index.html"]
    (page,) = document(files).xpath('//section[@data-id="extra"]')
    assert "<script>alert(1)</script>" in page.text_content()
    external, internal = page.xpath(".//a")
    assert (external.get("target"), external.get("rel")) == ("_blank", "noopener")
    assert "avautuu uuteen ikkunaan" in external.text_content()
    assert internal.get("target") is None
    (img,) = page.xpath(".//img")
    assert (img.get("alt"), img.get("loading")) == ("Kuva talosta", "lazy")
    (wrap,) = page.xpath('.//div[@class="table-wrap"]')
    assert (wrap.get("role"), wrap.get("tabindex"), wrap[0].tag) == ("region", "0", "table")
    assert page.xpath(".//h2")[0].text_content() == "Väliotsikko"


def test_each_table_is_named_after_its_heading_for_screen_readers(sample: Course) -> None:
    table = "| a |\n|---|\n| 1 |\n\n"
    body = f"Alku.\n\n{table}## **Laskuesimerkki**\n\n{table}{table}"
    (page,) = document(render_course(with_page(sample, body), standard="scorm12")).xpath(
        '//section[@data-id="extra"]'
    )
    labels = [wrap.get("aria-label") for wrap in page.xpath('.//div[@class="table-wrap"]')]
    assert labels == ["Taulukko: Lisäsivu", "Taulukko: Laskuesimerkki", "Taulukko: Laskuesimerkki (2)"]


@pytest.mark.parametrize("folder", ALL_COURSES, ids=[f.name for f in ALL_COURSES])
def test_no_two_tables_of_a_module_share_a_screen_reader_name(folder: Path) -> None:
    doc = document(render_course(load_course(folder), standard="scorm12"))
    labels = [wrap.get("aria-label") for wrap in doc.xpath('//div[@class="table-wrap"]')]
    assert len(labels) == len(set(labels))
    assert "Taulukko" not in labels


def test_course_text_cannot_end_the_data_script(sample: Course) -> None:
    quiz = sample.quiz
    question = dataclasses.replace(quiz.questions[0], text="Mikä </script><b>lihava</b>?")
    tricky = dataclasses.replace(quiz, questions=(question, *quiz.questions[1:]))
    course = dataclasses.replace(sample, sections=tuple(tricky if s is quiz else s for s in sample.sections))
    files = render_course(course, standard="scorm12")
    assert b"</script><b>" not in files["index.html"]
    assert sco_data(files)["quiz"]["questions"][0]["text"] == "Mikä </script><b>lihava</b>?"


def test_house_parts_are_buttons_controlling_hidden_panels_bottom_up(sample: Course) -> None:
    house = next(s for s in sample.sections if isinstance(s, House))
    doc = document(render_course(sample, standard="scorm12"))
    (picture,) = doc.xpath('//div[@role="group"]')
    assert picture.get("aria-label") == house.image_label
    buttons = picture.xpath(".//button")
    assert [b.get("data-part") for b in buttons] == ["perusta", "palaute", "vuoropuhelu", "kulttuuri"]
    for button in buttons:
        assert button.get("aria-expanded") == "false"
        (panel,) = doc.xpath(f'//*[@id="{button.get("aria-controls")}"]')
        assert panel.get("hidden") is not None
    assert all(svg.get("aria-hidden") == "true" for svg in picture.xpath(".//svg"))
    # The same content as a plain list, folded away: one heading per part.
    assert len(doc.xpath('//details[@class="house-list"]/h2')) == len(house.parts)
    assert doc.xpath('//details[@class="house-list"]')[0].get("open") is None


def test_quiz_questions_are_fieldsets_with_labelled_inputs(sample: Course) -> None:
    quiz: Quiz = sample.quiz
    doc = document(render_course(sample, standard="scorm12"))
    for question in quiz.questions:
        (fieldset,) = doc.xpath(f'//fieldset[@id="q-{question.id}"]')
        assert question.text in fieldset.xpath("./legend")[0].text_content()
        kind = "checkbox" if question.type == "multiple" else "radio"
        for option, field in zip(question.options, fieldset.xpath(".//input"), strict=True):
            assert field.get("type") == kind
            (label,) = doc.xpath(f'//label[@for="{field.get("id")}"]')
            assert label.text_content() == option.text


def test_the_quiz_holds_the_bank_with_feedback_and_pages_and_shows_no_answer_before_checking(
    sample: Course,
) -> None:
    quiz: Quiz = sample.quiz
    files = render_course(sample, standard="scorm12")
    data = sco_data(files)["quiz"]
    assert data["per_attempt"] == quiz.per_attempt == 3
    assert [(q["id"], q["objective"], q["revisit"]) for q in data["questions"]] == [
        (q.id, q.objective - 1, q.revisit) for q in quiz.questions
    ]
    doc = document(files)
    titles = {s.id: s.title for s in sample.sections}
    for question in quiz.questions:
        (fieldset,) = doc.xpath(f'//fieldset[@id="q-{question.id}"]')
        (feedback,) = fieldset.xpath('./div[@class="quiz-feedback"]')
        assert feedback.get("hidden") is not None
        for option in question.options:
            found = feedback.xpath(f'.//p[@class="quiz-opt-fb"][@data-for="{option.id}"]')
            if option.correct:
                assert found == []
            else:
                (line,) = found
                assert line.get("hidden") is not None
                assert line.text_content() == option.feedback
        (revisit,) = feedback.xpath('.//p[@class="quiz-revisit"]//button')
        assert (revisit.get("data-goto"), revisit.text_content()) == (
            question.revisit,
            titles[question.revisit],
        )
        for kind in ("quiz-answer", "quiz-why"):
            (part,) = feedback.xpath(f'./*[@class="{kind}"]')
            assert part.get("hidden") is not None
    items = doc.xpath('//div[@class="quiz-objectives"]//li')
    assert [li.text_content().split("\n")[0].strip() for li in items] == list(sample.objectives)
    assert all(li.get("hidden") is not None for li in items)
    note = doc.xpath('//p[@class="quiz-draw-note"]')[0].text_content()
    assert "3 kysymystä" in note
    assert "4 kysymyksen" in note


def test_ui_strings_follow_the_course_language(sample: Course) -> None:
    swedish = dataclasses.replace(sample, language="sv", title={**sample.title, "sv": "Provmodul"})
    doc = document(render_course(swedish, standard="scorm12"))
    assert doc.get("lang") == "sv"
    assert doc.xpath('//button[@id="sco-next"]')[0].text_content() == "Nästa"
    page = render_course(swedish, standard="scorm12")["index.html"].decode()
    assert not [ui for ui in ("Edellinen", "Esikatselutila", "Sulje selitys") if ui in page]
    assert sco_data(render_course(swedish, standard="scorm12"))["messages"] == load_messages("sv")


def test_catalogs_share_their_keys_and_cover_every_string_the_sco_uses() -> None:
    keys = {lang: set(load_messages(lang)) for lang in ("fi", "sv", "en")}
    assert keys["fi"] == keys["sv"] == keys["en"]
    used = set(re.findall(r"\bT\.(\w+)", (SCO_DIR / "sco.js").read_text()))
    template = (SCO_DIR / "index.html.j2").read_text()
    used |= set(re.findall(r"\bt\.(\w+)", template))
    used |= {f"house_{place}" for place in ("foundation", "floor", "roof")}
    assert used <= keys["fi"]
    assert all(text.strip() for lang in keys for text in load_messages(lang).values())


def test_unknown_standard_language_or_reserved_section_id_is_a_build_error(sample: Course) -> None:
    with pytest.raises(BuildError, match="standard"):
        render_course(sample, standard="scorm2000")  # type: ignore[arg-type]
    with pytest.raises(BuildError, match="'de'"):
        render_course(dataclasses.replace(sample, language="de", title={"de": "x"}), standard="scorm12")
    reserved = dataclasses.replace(sample.sections[0], id="_start")
    clash = dataclasses.replace(sample, sections=(reserved, *sample.sections[1:]))
    with pytest.raises(BuildError, match="_start"):
        render_course(clash, standard="scorm12")


@pytest.mark.parametrize("folder", ALL_COURSES, ids=[f.name for f in ALL_COURSES])
def test_first_page_of_every_module_stays_light(folder: Path) -> None:
    """The launch page with its script and style: the whole first-page transfer, well under 150 KB."""
    files = render_course(load_course(folder), standard="scorm2004")
    first_page = sum(len(files[name]) for name in ("index.html", "sco/sco.js", "sco/sco.css"))
    assert first_page < 150_000


def test_the_script_and_style_ship_without_comment_lines_and_indentation() -> None:
    source = (
        '/* heading\n   comment */\n(function () {\n  // why\n\n  var url = "http://x"; // kept: after code\n'
        "  /* one line */\n  a(); /* inline */ b();\n})();\n"
    )
    assert compact_source(source) == (
        '(function () {\nvar url = "http://x"; // kept: after code\na(); /* inline */ b();\n})();\n'
    )
    files = render_course(load_course(SAMPLE), standard="scorm12")
    script = (SCO_DIR / "sco.js").read_text(encoding="utf-8")
    assert files["sco/sco.js"].decode() == compact_source(script)
    assert len(files["sco/sco.js"]) < 0.8 * len(script.encode())


def test_the_sco_saves_on_pagehide_and_visibilitychange_and_never_on_unload() -> None:
    """Moodle 4.5 in Chrome blocks unload inside its SCORM frame: a listener there would lose scores."""
    script = (SCO_DIR / "sco.js").read_text()
    listened = set(re.findall(r"addEventListener\(\s*[\"'](\w+)[\"']", script))
    assert {"pagehide", "visibilitychange"} <= listened
    assert not listened & {"unload", "beforeunload"}
    assert not re.search(r"\bon(before)?unload\b", script)
