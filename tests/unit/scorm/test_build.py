"""Packaging: every module in both formats is XSD-valid, lists exactly its files, builds byte-identically."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from lms_bridge import PROJECT_ROOT
from scorm.authoring import discover, load_course
from scorm.build import build_all, build_package_bytes, deterministic_zip
from scorm.errors import SourceError
from scorm.manifest import parse_manifest, safe_parser
from scorm.render import STANDARDS, Standard
from scorm.schemas import SchemaSet
from tests.unit.scorm.test_authoring import QUIZ, make_course

COURSES = PROJECT_ROOT / "courses"
MODULES = [folder.name for folder in discover(COURSES)]
EXPECTED_MODULES = {"kohtaaminen", "hairiokysynta", "osallisuuden-tasot", "osallisuuden-talo"}


def test_the_four_modules_are_authored() -> None:
    assert set(MODULES) >= EXPECTED_MODULES


def _zip(module: str, standard: Standard, schemas: SchemaSet) -> zipfile.ZipFile:
    package = build_package_bytes(load_course(COURSES / module), standard, schemas)
    import io

    return zipfile.ZipFile(io.BytesIO(package.data))


@pytest.mark.parametrize("standard", STANDARDS)
@pytest.mark.parametrize("module", MODULES)
def test_module_manifest_is_valid_and_lists_exactly_its_files(
    module: str, standard: Standard, schemas: SchemaSet
) -> None:
    archive = _zip(module, standard, schemas)
    manifest_bytes = archive.read("imsmanifest.xml")
    manifest = parse_manifest(manifest_bytes)
    edition = "1.2" if standard == "scorm12" else "2004"

    assert schemas.validate(edition, etree.fromstring(manifest_bytes, safe_parser())) == []
    assert manifest.version == ("1.2" if standard == "scorm12" else "2004-4th")
    assert manifest.launch_hrefs() == ["index.html"]
    assert not manifest.has_sequencing or standard == "scorm2004"

    listed = {f for resource in manifest.resources.values() for f in resource.files}
    control = {"imsmanifest.xml", *schemas.files(edition)}
    names = archive.namelist()
    assert len(names) == len(set(names)), "duplicate zip entries"
    assert set(names) == listed | control
    assert listed.isdisjoint(control)
    # Every XSD the manifest names sits at the package root.
    root = etree.fromstring(manifest_bytes, safe_parser())
    locations = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "").split()[1::2]
    assert locations
    assert set(locations) <= set(names)


@pytest.mark.parametrize("standard", STANDARDS)
@pytest.mark.parametrize("module", MODULES)
def test_module_manifest_is_valid_against_the_shared_official_xsds(
    shared_dir: Path, module: str, standard: Standard, schemas: SchemaSet
) -> None:
    wrappers = shared_dir / "fixtures" / "schemas" / "wrappers"
    wrapper = "scorm12_manifest.xsd" if standard == "scorm12" else "scorm2004_4th_manifest.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    official = etree.XMLSchema(etree.parse(str(wrappers / wrapper), parser))
    manifest = etree.fromstring(_zip(module, standard, schemas).read("imsmanifest.xml"), parser)
    assert official.validate(manifest), [e.message for e in official.error_log]


@pytest.mark.parametrize("module", MODULES)
def test_metadata_and_mastery_score(module: str, schemas: SchemaSet) -> None:
    course = load_course(COURSES / module)
    for standard in STANDARDS:
        text = _zip(module, standard, schemas).read("imsmanifest.xml").decode()
        assert course.title["fi"] in text
        assert course.version in text
        assert "<imsmd:language>fi</imsmd:language>" in text or "<lom:language>fi</lom:language>" in text
        if standard == "scorm12":
            assert f"<adlcp:masteryscore>{course.mastery_score}</adlcp:masteryscore>" in text
        else:
            assert (
                f"<imsss:minNormalizedMeasure>{course.mastery_score / 100:.2f}</imsss:minNormalizedMeasure>"
                in text
            )


def test_two_builds_are_byte_identical(tmp_path: Path, schemas: SchemaSet) -> None:
    first = build_all(COURSES, tmp_path / "one", schemas=schemas)
    second = build_all(COURSES, tmp_path / "two", schemas=schemas)
    assert len(first) == 2 * len(MODULES)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_zip_entries_are_normalised() -> None:
    data = deterministic_zip({"b.txt": b"b", "imsmanifest.xml": b"<m/>", "a/c.txt": b"c"})
    import io

    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert [i.filename for i in infos] == ["imsmanifest.xml", "a/c.txt", "b.txt"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_a_mistake_writes_nothing(tmp_path: Path, schemas: SchemaSet) -> None:
    sources = tmp_path / "courses"
    make_course(sources)
    broken = make_course(tmp_path / "other", tietovisa_yaml=QUIZ.replace("type: multiple", "type: many"))
    broken.rename(sources / "zzz")
    (sources / "zzz" / "course.yaml").write_text(
        (sources / "zzz" / "course.yaml").read_text().replace("id: mini", "id: zzz")
    )
    out = tmp_path / "dist"
    with pytest.raises(SourceError, match=r"tietovisa\.yaml:17"):
        build_all(sources, out, schemas=schemas)
    assert not out.exists() or list(out.iterdir()) == []
