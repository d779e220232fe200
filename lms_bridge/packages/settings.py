"""The package area's settings as the scorm library takes them: import limits and the XSD set."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from scorm.package import Limits
from scorm.schemas import SchemaSet


def package_limits() -> Limits:
    config = current_app.config
    return Limits(
        max_files=int(config["PACKAGE_MAX_FILES"]),
        max_total_bytes=int(config["PACKAGE_MAX_UNCOMPRESSED_BYTES"]),
        max_ratio=int(config["PACKAGE_MAX_COMPRESSION_RATIO"]),
    )


def schema_set() -> SchemaSet:
    """ADL's schemas, loaded once per app (building them is the costly part of validation)."""
    schemas: SchemaSet | None = current_app.extensions.get("lms_bridge.schemas")
    if schemas is None:
        schemas = SchemaSet(Path(current_app.config["SCORM_SCHEMA_DIR"]))
        current_app.extensions["lms_bridge.schemas"] = schemas
    return schemas
