from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from scorm.build import default_schemas
from scorm.schemas import SchemaSet

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    """The product's own XSD set (from the registry package), loaded once."""
    return default_schemas()


def fixture_manifest(shared_dir: Path, entry: dict[str, Any]) -> bytes:
    """imsmanifest.xml of a fixture entry: from its zip, or the manifest-only file."""
    name = entry["file"]
    if name.startswith("manifests/"):
        return (shared_dir / "fixtures" / name).read_bytes()
    with zipfile.ZipFile(shared_dir / "fixtures" / "scorm" / name) as archive:
        return archive.read("imsmanifest.xml")
