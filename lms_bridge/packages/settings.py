"""The package area's settings: import limits and the XSD set as the scorm library takes them, and where
package content is served (the content origin)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

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


def content_origin() -> str:
    """CONTENT_ORIGIN as scheme://host[:port]: where package files are served (lms_bridge.packages.content).

    Raises ValueError for a setting that is not an http(s) origin.
    """
    configured = str(current_app.config["CONTENT_ORIGIN"]).strip().rstrip("/")
    parts = urlsplit(configured)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError(f"CONTENT_ORIGIN must be http(s)://host[:port], not {configured!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def content_url_max_age() -> int:
    """CONTENT_URL_MAX_AGE: seconds a signed content URL works."""
    return int(current_app.config["CONTENT_URL_MAX_AGE"])
