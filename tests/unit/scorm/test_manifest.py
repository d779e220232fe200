"""The manifest parser against real third-party packages, our own samples, and hostile XML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scorm.errors import ManifestError
from scorm.manifest import apply_parameters, parse_manifest
from tests.conftest import SHARED_DIR
from tests.unit.scorm.conftest import DATA, fixture_manifest

INDEX_FILE = SHARED_DIR / "fixtures" / "scorm" / "index.json"


def _index_ids(section: str) -> list[str]:
    # Collected at import time so each package is its own test case; the fixture still guards absence.
    if not INDEX_FILE.exists():
        return ["shared-missing"]
    return [entry["file"] for entry in json.loads(INDEX_FILE.read_text())[section]]


def _entry(index: dict[str, Any], section: str, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in index[section] if e["file"] == name)
    return entry


@pytest.mark.parametrize("name", _index_ids("packages"))
def test_reads_real_package_as_recorded(shared_dir: Path, scorm_index: dict[str, Any], name: str) -> None:
    entry = _entry(scorm_index, "packages", name)
    manifest = parse_manifest(fixture_manifest(shared_dir, entry))

    assert manifest.version == entry["version"]
    assert manifest.schemaversion == entry["schemaversion"]
    assert len(manifest.scos()) == entry["sco_count"]
    assert len(manifest.launchables()) == entry["launchable_item_count"]
    assert manifest.launch_hrefs() == entry["launch_hrefs"]
    assert manifest.launch_hrefs()[0] == entry["first_launch"]
    assert manifest.default_organization == entry["default_organization"]
    assert len(manifest.organizations) == entry["organizations"]
    assert manifest.has_sequencing is entry["has_sequencing"]
    assert manifest.has_metadata is entry["has_metadata"]
    assert manifest.uses_xml_base is entry["uses_xml_base"]


@pytest.mark.parametrize("name", _index_ids("manifest_only"))
def test_reads_conformance_manifests_with_xml_base(
    shared_dir: Path, scorm_index: dict[str, Any], name: str
) -> None:
    entry = _entry(scorm_index, "manifest_only", name)
    manifest = parse_manifest(fixture_manifest(shared_dir, entry))

    assert manifest.version == entry["version"]
    assert len(manifest.scos()) == entry["sco_count"]
    assert len(manifest.launchables()) == entry["launchable_item_count"]
    assert manifest.launch_hrefs() == entry["launch_hrefs"]
    assert manifest.uses_xml_base is entry["uses_xml_base"]
    assert manifest.has_sequencing is entry["has_sequencing"]


def test_item_parameters_join_the_launch_url(shared_dir: Path, scorm_index: dict[str, Any]) -> None:
    entry = _entry(scorm_index, "packages", "golf-seq-simpleremediation-scorm2004-3rd.zip")
    manifest = parse_manifest(fixture_manifest(shared_dir, entry))
    urls = [launchable.href for launchable in manifest.scos()]
    assert "shared/launchpage.html?content=assessment1" in urls
    assert urls[0] == "shared/launchpage.html?content=playing"


def test_nested_items_and_parameters_in_own_sample() -> None:
    manifest = parse_manifest((DATA / "packages" / "minimal-scorm12" / "imsmanifest.xml").read_bytes())
    assert manifest.version == "1.2"
    assert manifest.title == "Pieni testipaketti"
    assert [s.item.identifier for s in manifest.scos()] == ["i1", "i3"]
    assert [s.href for s in manifest.scos()] == ["one.html", "two.html?lang=fi&page=2"]
    assert manifest.scos()[0].item.mastery_score == 70.0


def test_xml_base_applies_to_resources_and_files() -> None:
    manifest = parse_manifest((DATA / "packages" / "xmlbase-scorm2004" / "imsmanifest.xml").read_bytes())
    assert manifest.version == "2004-3rd"
    assert manifest.uses_xml_base
    assert manifest.launch_hrefs() == ["content/shared/lesson.html?x=1"]
    assert [launchable.href for launchable in manifest.launchables()] == [
        "content/intro.html",
        "content/shared/lesson.html?x=1&part=1",
    ]
    assert manifest.resources["sco1"].files == ("content/shared/lesson.html",)


@pytest.mark.parametrize(
    ("href", "parameters", "expected"),
    [
        ("a.html", "", "a.html"),
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
        ("a.html", "x=1", "a.html?x=1"),
        ("a.html", "#frag", "a.html#frag"),
    ],
)
def test_apply_parameters(href: str, parameters: str, expected: str) -> None:
    assert apply_parameters(href, parameters) == expected


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="x">&b;</manifest>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="x">&x;</manifest>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://attacker.invalid/m.dtd">'
            b'<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="x"/>',
            "DOCTYPE",
        ),
        (BILLION_LAUGHS, "declares XML entities"),
        (XXE, "declares XML entities"),
        (b"<manifest", "not well-formed"),
        (b"\xff\xfe<\x00m\x00", "not well-formed"),
        (b'<manifest xmlns="urn:other"/>', "not a SCORM manifest"),
        (b'<package xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"/>', "expected 'manifest'"),
    ],
)
def test_hostile_or_broken_manifests_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(data)


def test_external_dtd_is_never_fetched() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b'<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="m"/>'
    )
    # Refused without loading the DTD (nothing listens on port 9: a fetch would show as another error).
    with pytest.raises(ManifestError, match="DOCTYPE declaration"):
        parse_manifest(data)
