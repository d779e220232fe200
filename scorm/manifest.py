"""Read imsmanifest.xml (SCORM 1.2 and 2004 2nd/3rd/4th edition) into plain values.

One parser serves the builder's self-check, the package import and the player. XML from outside is
hostile: entities are not resolved, no DTD is loaded, nothing is fetched from the network.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin

from lxml import etree

from scorm.errors import ManifestError

Version = Literal["1.2", "2004-2nd", "2004-3rd", "2004-4th"]

NS_CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

MAX_MANIFEST_BYTES = 8 * 1024 * 1024

_EDITIONS: dict[str, Version] = {
    "cam 1.3": "2004-2nd",
    "2004 3rd edition": "2004-3rd",
    "2004 4th edition": "2004-4th",
}


def safe_parser() -> etree.XMLParser:
    """An lxml parser for untrusted XML: no entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


@dataclass(frozen=True)
class Resource:
    identifier: str
    type: str
    scorm_type: str  # "sco" or "asset" (lower-cased)
    href: str | None  # with xml:base applied
    files: tuple[str, ...]  # with xml:base applied
    dependencies: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    identifier: str
    title: str
    identifierref: str | None
    parameters: str
    children: tuple[Item, ...]
    is_visible: bool = True
    mastery_score: float | None = None  # per cent: 1.2 adlcp:masteryscore or 2004 minNormalizedMeasure x 100


@dataclass(frozen=True)
class Organization:
    identifier: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Launchable:
    """An item the learner can open: its resource and the URL to load (parameters applied)."""

    item: Item
    resource: Resource
    href: str

    @property
    def is_sco(self) -> bool:
        return self.resource.scorm_type == "sco"


@dataclass(frozen=True)
class Manifest:
    identifier: str
    version: Version
    schemaversion: str
    default_organization: str | None
    organizations: tuple[Organization, ...]
    resources: dict[str, Resource]
    has_sequencing: bool
    has_metadata: bool
    uses_xml_base: bool
    title: str = field(default="")

    @property
    def is_scorm12(self) -> bool:
        return self.version == "1.2"

    def organization(self) -> Organization | None:
        """The default organization (or the first one when none is named)."""
        for org in self.organizations:
            if org.identifier == self.default_organization:
                return org
        return self.organizations[0] if self.organizations else None

    def launchables(self) -> list[Launchable]:
        """Every item of the default organization with a resource, in document order."""
        org = self.organization()
        result: list[Launchable] = []

        def walk(items: tuple[Item, ...]) -> None:
            for item in items:
                if item.identifierref:
                    resource = self.resources.get(item.identifierref)
                    if resource is not None and resource.href:
                        result.append(
                            Launchable(item, resource, apply_parameters(resource.href, item.parameters))
                        )
                walk(item.children)

        if org is not None:
            walk(org.items)
        return result

    def scos(self) -> list[Launchable]:
        return [launchable for launchable in self.launchables() if launchable.is_sco]

    def entry_points(self) -> list[Launchable]:
        """The SCOs of the default organization, or every launchable item where it has no SCO."""
        return self.scos() or self.launchables()

    def launch_hrefs(self) -> list[str]:
        """Resource hrefs (xml:base applied, item parameters not) of the entry points, in order."""
        return [str(launchable.resource.href) for launchable in self.entry_points()]


def apply_parameters(href: str, parameters: str) -> str:
    """Join an item's `parameters` to its resource href (IMS CP / SCORM CAM rules)."""
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href + parameters
    parameters = parameters.lstrip("?&")
    return f"{href}{'&' if '?' in href else '?'}{parameters}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child_text(element: etree._Element, name: str) -> str:
    for child in _children(element, name):
        return (child.text or "").strip()
    return ""


def _version(root: etree._Element) -> tuple[Version, str]:
    namespace = etree.QName(root).namespace
    schemaversion = ""
    for metadata in _children(root, "metadata"):
        schemaversion = _child_text(metadata, "schemaversion")
    if namespace == NS_CP12:
        return "1.2", schemaversion
    if namespace == NS_CP2004:
        edition = _EDITIONS.get(schemaversion.lower())
        if edition is None:
            # Packages without (or with an odd) schemaversion are read by the newest rules we know.
            return "2004-4th" if "4th" in schemaversion else (
                "2004-3rd" if "3rd" in schemaversion else "2004-4th"
            ), schemaversion
        return edition, schemaversion
    raise ManifestError(
        f"imsmanifest.xml is not a SCORM manifest: its root element is in namespace '{namespace or 'none'}'"
    )


def parse_manifest(data: bytes) -> Manifest:
    """Parse imsmanifest.xml bytes. Raises ManifestError when it is not well-formed or not SCORM."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"imsmanifest.xml is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB")
    if b"<!ENTITY" in data:
        # Entity declarations only serve expansion attacks (billion laughs, XXE) in a manifest.
        raise ManifestError("imsmanifest.xml declares XML entities, which are not allowed")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise ManifestError(
            f"imsmanifest.xml is not well-formed XML (line {error.lineno}): {error.msg}"
        ) from None
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]  # lxml-stubs lack DocInfo.doctype
        # A manifest needs no DTD; a DOCTYPE only brings external fetches (SYSTEM "http://...") and entities.
        raise ManifestError("imsmanifest.xml has a DOCTYPE declaration, which is not allowed")
    if _local(root) != "manifest":
        raise ManifestError(f"imsmanifest.xml has root element '{_local(root)}', expected 'manifest'")
    version, schemaversion = _version(root)
    adlcp = NS_ADLCP12 if version == "1.2" else NS_ADLCP2004

    base = root.get(XML_BASE, "")
    uses_xml_base = bool(base)
    resources: dict[str, Resource] = {}
    for resources_el in _children(root, "resources"):
        resources_base = urljoin(base, resources_el.get(XML_BASE, ""))
        uses_xml_base = uses_xml_base or resources_el.get(XML_BASE) is not None
        for res in _children(resources_el, "resource"):
            ident = res.get("identifier", "")
            res_base = urljoin(resources_base, res.get(XML_BASE, ""))
            uses_xml_base = uses_xml_base or res.get(XML_BASE) is not None
            href = res.get("href")
            scorm_type = res.get(f"{{{adlcp}}}scormtype") or res.get(f"{{{adlcp}}}scormType") or "asset"
            resources[ident] = Resource(
                identifier=ident,
                type=res.get("type", ""),
                scorm_type=scorm_type.strip().lower(),
                href=urljoin(res_base, href) if href else None,
                files=tuple(
                    urljoin(res_base, f.get("href", "")) for f in _children(res, "file") if f.get("href")
                ),
                dependencies=tuple(d.get("identifierref", "") for d in _children(res, "dependency")),
            )

    organizations: list[Organization] = []
    default_org: str | None = None
    for orgs in _children(root, "organizations"):
        default_org = orgs.get("default")
        for org in _children(orgs, "organization"):
            organizations.append(
                Organization(org.get("identifier", ""), _child_text(org, "title"), _items(org, adlcp))
            )

    has_sequencing = any(True for _ in root.iter(f"{{{NS_IMSSS}}}sequencing"))
    # <schema>/<schemaversion> only declare the version; metadata means anything beyond them (LOM, location).
    has_metadata = any(
        _local(child) not in ("schema", "schemaversion")
        for md in root.iter()
        if isinstance(md.tag, str) and _local(md) == "metadata"
        for child in md
        if isinstance(child.tag, str)
    )
    manifest = Manifest(
        identifier=root.get("identifier", ""),
        version=version,
        schemaversion=schemaversion,
        default_organization=default_org,
        organizations=tuple(organizations),
        resources=resources,
        has_sequencing=has_sequencing,
        has_metadata=has_metadata,
        uses_xml_base=uses_xml_base,
    )
    default = manifest.organization()
    return dataclasses.replace(manifest, title=default.title if default else "")


def _mastery_score(item: etree._Element) -> float | None:
    """Per cent needed to pass: 1.2 adlcp:masteryscore, or 2004's primary objective measure x 100."""
    text = _child_text(item, "masteryscore")
    factor = 1.0
    if not text:
        for primary in item.iterfind(
            f"{{{NS_IMSSS}}}sequencing/{{{NS_IMSSS}}}objectives/{{{NS_IMSSS}}}primaryObjective"
        ):
            if primary.get("satisfiedByMeasure", "false").strip().lower() == "true":
                text, factor = _child_text(primary, "minNormalizedMeasure") or "1.0", 100.0
    try:
        value = float(text) * factor if text else None
    except ValueError:
        return None
    return value if value is not None and 0 <= value <= 100 else None


def _items(parent: etree._Element, adlcp: str) -> tuple[Item, ...]:
    items = []
    for item in _children(parent, "item"):
        mastery_score = _mastery_score(item)
        items.append(
            Item(
                identifier=item.get("identifier", ""),
                title=_child_text(item, "title"),
                identifierref=item.get("identifierref") or None,
                parameters=item.get("parameters", ""),
                children=_items(item, adlcp),
                is_visible=item.get("isvisible", "true").strip().lower() != "false",
                mastery_score=mastery_score,
            )
        )
    return tuple(items)
