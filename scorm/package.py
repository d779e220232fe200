"""Inspect and extract SCORM package zips from outside, treating every byte as hostile.

`inspect_package` reads the zip's directory and manifest without writing anything and returns a report
(version, SCOs, launch files, warnings) or raises PackageError naming the problem and the file inside
the zip. `extract_package` writes the files into an empty folder, checking every limit while it streams:
sizes declared in a zip's directory can lie, so they are never trusted.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal
from urllib.parse import unquote

from lxml import etree

from scorm.errors import ManifestError, PackageError
from scorm.manifest import Manifest, parse_manifest, safe_parser
from scorm.schemas import SchemaSet

MANIFEST = "imsmanifest.xml"
CHUNK = 64 * 1024
# Ratios are only judged on entries big enough to matter; tiny files compress absurdly well legitimately.
RATIO_MIN_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    max_files: int = 10_000
    max_total_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 200
    max_manifest_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    code: str
    message: str
    member: str | None = None


@dataclass(frozen=True)
class PackageReport:
    manifest: Manifest
    files: tuple[str, ...]
    total_bytes: int
    findings: tuple[Finding, ...] = field(default=())

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def launch_files(self) -> list[str]:
        return [launchable.href for launchable in self.manifest.entry_points()]


def _open_zip(source: Path | BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except zipfile.BadZipFile as error:
        detail = "the file is empty" if _is_empty(source) else str(error)
        raise PackageError(
            "not_a_zip", f"The file is not a zip archive or it is damaged ({detail})."
        ) from None
    except (OSError, EOFError) as error:
        raise PackageError("not_a_zip", f"The zip archive cannot be read ({error}).") from None
    except UnicodeDecodeError as error:
        # zipfile decodes a name flagged UTF-8 (general purpose bit 11) while reading the directory.
        raw = bytes(error.object).decode("utf-8", "replace")
        raise PackageError(
            "bad_name", f"A file name in the zip is flagged UTF-8 but is not valid UTF-8: {raw}.", raw
        ) from None


def _is_empty(source: Path | BinaryIO) -> bool:
    if isinstance(source, Path):
        return source.stat().st_size == 0
    position = source.tell()
    source.seek(0, 2)
    empty = source.tell() == 0
    source.seek(position)
    return empty


def safe_member_name(info: zipfile.ZipInfo) -> str:
    """The member's normalised relative path; raises PackageError for anything that could escape or lie."""
    raw = info.filename
    name = raw.replace("\\", "/")
    if "\x00" in name:
        raise PackageError("bad_name", f"A file name in the zip contains a NUL character: {raw!r}.", raw)
    if name.startswith("/") or _DRIVE.match(name):
        raise PackageError("absolute_path", f"The zip contains an absolute path: {raw}.", raw)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PackageError(
            "path_traversal", f"The zip contains a path that leads outside the package: {raw}.", raw
        )
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:  # Unix attributes are meaningful only from Unix zippers
        if stat.S_ISLNK(mode):
            raise PackageError("symlink", f"The zip contains a symbolic link: {raw}.", raw)
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise PackageError(
                "special_file", f"The zip contains a device or other special file: {raw}.", raw
            )
    if info.flag_bits & 0x1:
        raise PackageError("encrypted", f"The zip contains an encrypted file: {raw}.", raw)
    return "/".join(parts)


def _members(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[str, zipfile.ZipInfo]]:
    infos = archive.infolist()
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_files:
        raise PackageError(
            "too_many_files", f"The zip has {len(files)} files; at most {limits.max_files} are allowed."
        )
    seen: dict[str, str] = {}
    members = []
    declared_total = 0
    for info in infos:
        name = safe_member_name(info)
        if info.is_dir() or not name:
            continue
        folded = name.casefold()
        if folded in seen:
            raise PackageError(
                "duplicate_name", f"The zip contains the file {name} twice (also as {seen[folded]}).", name
            )
        seen[folded] = name
        declared_total += info.file_size
        if declared_total > limits.max_total_bytes:
            raise PackageError(
                "too_large",
                f"The files in the zip add up to more than {limits.max_total_bytes:,} bytes.",
                name,
            )
        _check_ratio(name, info.file_size, info.compress_size, limits)
        members.append((name, info))
    return members


def _check_ratio(name: str, size: int, compressed: int, limits: Limits) -> None:
    if size >= RATIO_MIN_BYTES and size > limits.max_ratio * max(compressed, 1):
        raise PackageError(
            "zip_bomb",
            f"The file {name} is compressed more than {limits.max_ratio}:1, which only zip bombs do.",
            name,
        )


def _stream(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, budget: list[int]
) -> Iterator[bytes]:
    """Yield the member's bytes in chunks, enforcing its declared size, the ratio and the total budget."""
    produced = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(CHUNK):
                produced += len(chunk)
                budget[0] -= len(chunk)
                if produced > info.file_size:
                    raise PackageError(
                        "zip_bomb", f"The file {name} is larger than the zip's directory says.", name
                    )
                if budget[0] < 0:
                    raise PackageError(
                        "too_large",
                        f"The files in the zip add up to more than {limits.max_total_bytes:,} bytes.",
                        name,
                    )
                _check_ratio(name, produced, info.compress_size, limits)
                yield chunk
    except zipfile.BadZipFile as error:
        raise PackageError("corrupt", f"The file {name} in the zip is damaged ({error}).", name) from None
    except (EOFError, OSError, zipfile.LargeZipFile) as error:
        raise PackageError("corrupt", f"The file {name} in the zip cannot be read ({error}).", name) from None
    except NotImplementedError as error:
        raise PackageError(
            "unsupported", f"The file {name} uses an unsupported compression ({error}).", name
        ) from None


def _read_manifest(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], limits: Limits) -> bytes:
    info = members.get(MANIFEST)
    if info is None:
        nested = sorted(n for n in members if n.rsplit("/", 1)[-1] == MANIFEST)
        hint = (
            f" It is in {nested[0].rsplit('/', 1)[0]}/: zip that folder's contents, not the folder itself."
            if nested
            else ""
        )
        raise PackageError(
            "no_manifest", f"The package has no {MANIFEST} at the top of the zip.{hint}", MANIFEST
        )
    if info.file_size > limits.max_manifest_bytes:
        raise PackageError(
            "too_large", f"{MANIFEST} is larger than {limits.max_manifest_bytes:,} bytes.", MANIFEST
        )
    budget = [limits.max_manifest_bytes]
    return b"".join(_stream(archive, info, MANIFEST, limits, budget))


def _parse(data: bytes) -> Manifest:
    try:
        return parse_manifest(data)
    except ManifestError as error:
        message = str(error)
        if "not proper UTF-8" in message or "encoding" in message.lower() or "Document is empty" in message:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise PackageError(
                    "bad_encoding",
                    f"{MANIFEST} is not in the encoding it declares (not valid UTF-8); save it as UTF-8.",
                    MANIFEST,
                ) from None
        raise PackageError("bad_manifest", message, MANIFEST) from None


def inspect_package(
    source: Path | BinaryIO, *, schemas: SchemaSet, limits: Limits | None = None
) -> PackageReport:
    """Check a package without writing anything. Raises PackageError for the first problem that refuses it."""
    limits = limits or Limits()
    with _open_zip(source) as archive:
        member_list = _members(archive, limits)
        members = dict(member_list)
        manifest = _parse(_read_manifest(archive, members, limits))
        findings = list(_semantic_findings(manifest, set(members)))
        findings.extend(_schema_findings(manifest, _read_manifest(archive, members, limits), schemas))
    errors = [f for f in findings if f.level == "error"]
    if errors:
        first = errors[0]
        raise PackageError(first.code, first.message, first.member)
    return PackageReport(
        manifest=manifest,
        files=tuple(sorted(members)),
        total_bytes=sum(info.file_size for info in members.values()),
        findings=tuple(findings),
    )


def extract_package(source: Path | BinaryIO, dest: Path, *, limits: Limits | None = None) -> list[str]:
    """Write every file of the zip under dest (which must be empty), enforcing every limit while streaming."""
    limits = limits or Limits()
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise PackageError("internal", f"extraction folder {dest} is not empty")
    root = dest.resolve()
    budget = [limits.max_total_bytes]
    written = []
    with _open_zip(source) as archive:
        for name, info in _members(archive, limits):
            target = (root / name).resolve()
            if root not in target.parents:
                raise PackageError(
                    "path_traversal", f"The zip contains a path that leads outside the package: {name}.", name
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                for chunk in _stream(archive, info, name, limits, budget):
                    out.write(chunk)
            written.append(name)
    return written


def _clean_href(href: str) -> str:
    """The package path a manifest href names. Hrefs are URLs: `How%20it%20works.png` is the file
    `How it works.png`, as the browser will ask for it."""
    return posixpath.normpath(unquote(href.split("?", 1)[0].split("#", 1)[0]))


def _semantic_findings(manifest: Manifest, names: set[str]) -> Iterator[Finding]:
    """Consistency of organizations, items and resources, and whether the files they name exist."""
    if not manifest.organizations:
        yield Finding(
            "error",
            "no_organization",
            f"{MANIFEST} has no organization: there is nothing to launch.",
            MANIFEST,
        )
        return
    if manifest.default_organization and manifest.default_organization not in {
        org.identifier for org in manifest.organizations
    }:
        yield Finding(
            "warning",
            "default_organization",
            f"The default organization '{manifest.default_organization}' does not exist; using the first.",
            MANIFEST,
        )

    def walk_refs(items: tuple[object, ...]) -> Iterator[str]:
        for item in items:
            ref = getattr(item, "identifierref", None)
            if ref:
                yield ref
            yield from walk_refs(getattr(item, "children", ()))

    for org in manifest.organizations:
        for ref in walk_refs(org.items):
            if ref not in manifest.resources:
                yield Finding(
                    "error",
                    "missing_resource",
                    f"An item refers to resource '{ref}', which is not defined.",
                    MANIFEST,
                )
    if not manifest.launchables():
        yield Finding("error", "nothing_to_launch", f"{MANIFEST} has no item that launches a file.", MANIFEST)
    lower_names = {n.casefold(): n for n in names}
    for launchable in manifest.launchables():
        href = launchable.resource.href or ""
        if href.startswith(("http://", "https://", "//")):
            yield Finding(
                "warning",
                "external_launch",
                f"The item '{launchable.item.title}' launches an outside address: {href}.",
            )
            continue
        path = _clean_href(href)
        if path.startswith("../") or path.startswith("/"):
            yield Finding(
                "error", "path_traversal", f"The launch file {href} points outside the package.", href
            )
        elif path not in names:
            hint = " (the name differs only in upper/lower case)" if path.casefold() in lower_names else ""
            yield Finding(
                "error", "launch_missing", f"The launch file {path} is not in the package{hint}.", path
            )
    for resource in manifest.resources.values():
        for file in resource.files:
            path = _clean_href(file)
            if file.startswith(("http://", "https://", "//")):
                continue
            if path not in names:
                yield Finding(
                    "warning",
                    "file_missing",
                    f"The manifest lists {path}, which is not in the package.",
                    path,
                )
        for dependency in resource.dependencies:
            if dependency not in manifest.resources:
                yield Finding(
                    "warning",
                    "missing_dependency",
                    f"Resource '{resource.identifier}' depends on '{dependency}', which is not defined.",
                    MANIFEST,
                )


def _schema_findings(manifest: Manifest, data: bytes, schemas: SchemaSet) -> Iterator[Finding]:
    """XSD deviations are warnings: real packages deviate often and still work in every LMS."""
    edition: Literal["1.2", "2004"] = "1.2" if manifest.is_scorm12 else "2004"
    try:
        document = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:  # already reported by the parser
        return
    if manifest.has_sequencing:
        yield Finding(
            "warning",
            "sequencing",
            "The package has SCORM 2004 sequencing rules; the player offers its items by free choice "
            "and does not apply the rules.",
            MANIFEST,
        )
    if manifest.version == "2004-2nd":
        yield Finding(
            "warning",
            "validated_with_4th",
            "SCORM 2004 2nd edition (CAM 1.3): validated with the 4th edition schemas, the closest we have.",
            MANIFEST,
        )
    for issue in schemas.validate(edition, document)[:20]:
        yield Finding("warning", "xsd", f"{MANIFEST} line {issue.line}: {issue.message}", MANIFEST)
