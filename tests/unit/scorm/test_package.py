"""Package inspection and extraction: real packages pass, every hostile or broken zip is refused by name."""

from __future__ import annotations

import contextlib
import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from scorm.errors import PackageError
from scorm.package import Limits, extract_package, inspect_package
from scorm.schemas import SchemaSet
from tests.unit.scorm.conftest import DATA
from tests.unit.scorm.test_manifest import BILLION_LAUGHS, XXE, _entry, _index_ids

MINIMAL = DATA / "packages" / "minimal-scorm12"


def zip_of(files: dict[str, bytes], *, mode: int = 0o100644) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def minimal_files() -> dict[str, bytes]:
    return {
        p.relative_to(MINIMAL).as_posix(): p.read_bytes() for p in sorted(MINIMAL.rglob("*")) if p.is_file()
    }


def test_own_sample_package_is_accepted(schemas: SchemaSet) -> None:
    report = inspect_package(io.BytesIO(zip_of(minimal_files())), schemas=schemas)
    assert report.version == "1.2"
    assert report.title == "Pieni testipaketti"
    assert report.launch_files == ["one.html", "two.html?lang=fi&page=2"]
    assert report.files == ("imsmanifest.xml", "one.html", "two.html")
    assert report.findings == ()


@pytest.mark.parametrize("name", _index_ids("packages"))
def test_every_real_package_is_accepted(
    shared_dir: Path, scorm_index: dict[str, Any], schemas: SchemaSet, name: str, tmp_path: Path
) -> None:
    entry = _entry(scorm_index, "packages", name)
    path = shared_dir / "fixtures" / "scorm" / name
    report = inspect_package(path, schemas=schemas)
    assert report.version == entry["version"]
    assert len(report.manifest.scos()) == entry["sco_count"]
    assert report.manifest.launch_hrefs()[0] == entry["first_launch"]
    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == entry["zip_entries"]
        assert list(report.files) == sorted(i.filename for i in archive.infolist() if not i.is_dir())
    assert any(f.code == "xsd" for f in report.warnings) is (not entry["expected_valid"])
    written = extract_package(path, tmp_path / "out")
    assert sorted(written) == list(report.files)
    launch = report.manifest.launch_hrefs()[0].split("?")[0]
    assert (tmp_path / "out" / launch).is_file()


def _mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag on every entry, in the local and the central headers."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            patched[start + offset] |= 1
            start += 4
    return bytes(patched)


def _patch_member(data: bytes, encoded: bytes, *, size: int | None = None, flags: int = 0) -> bytes:
    """Rewrite a member's declared uncompressed size and/or set general-purpose flags, in both headers."""
    patched = bytearray(data)
    for signature, size_at, flags_at, name_at in ((b"PK\x03\x04", 22, 6, 30), (b"PK\x01\x02", 24, 8, 46)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            if patched[start + name_at : start + name_at + len(encoded)] == encoded:
                if size is not None:
                    patched[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")
                patched[start + flags_at] |= flags & 0xFF
                patched[start + flags_at + 1] |= flags >> 8
            start += 4
    return bytes(patched)


def _stored_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _with_doctype(manifest: bytes) -> bytes:
    """The same valid manifest with a DOCTYPE naming an external DTD (which a parser might fetch)."""
    head, sep, rest = manifest.partition(b"?>")
    return head + sep + b'\n<!DOCTYPE manifest SYSTEM "http://attacker.invalid/m.dtd">' + rest


def _broken_while_extracting() -> list[tuple[str, bytes, str, str | None]]:
    """Zips that pass every check before extraction and fail half-way through it."""
    base = minimal_files()
    marker = b"<!-- checksum marker 0123456789 -->"
    with_marker = {**base, "two.html": base["two.html"] + marker}
    bad_crc = _stored_zip(with_marker).replace(marker, marker.replace(b"0123456789", b"9876543210"))
    lying = _patch_member(zip_of(with_marker), b"two.html", size=len(base["two.html"]) // 2)
    return [
        ("corrupt crc while extracting", bad_crc, "corrupt", "two.html"),
        ("larger than declared while extracting", lying, "corrupt", "two.html"),
    ]


def _hostile_cases() -> list[tuple[str, bytes, str, str | None]]:
    base = minimal_files()
    bomb = zip_of({**base, "pommi.bin": b"\0" * (4 * 1024 * 1024)})
    truncated = zip_of(base)[:-40]
    latin1_manifest = base["imsmanifest.xml"].replace(b"Pieni testipaketti", "Pieni äiti".encode("latin-1"))
    missing_launch = {k: v for k, v in base.items() if k != "one.html"}
    return [
        ("zip-slip", zip_of({**base, "../evil.html": b"x"}), "path_traversal", "../evil.html"),
        ("zip-slip backslash", zip_of({**base, "..\\evil.html": b"x"}), "path_traversal", "..\\evil.html"),
        ("absolute path", zip_of({**base, "/etc/evil": b"x"}), "absolute_path", "/etc/evil"),
        ("drive path", zip_of({**base, "C:/evil": b"x"}), "absolute_path", "C:/evil"),
        ("symlink", zip_of({"link": b"/etc/passwd"}, mode=stat.S_IFLNK | 0o777), "symlink", "link"),
        ("device", zip_of({"dev": b""}, mode=stat.S_IFCHR | 0o644), "special_file", "dev"),
        ("duplicate", zip_of({**base, "ONE.html": b"x"}), "duplicate_name", "ONE.html"),
        ("bomb", bomb, "zip_bomb", "pommi.bin"),
        (
            "billion laughs",
            zip_of({**base, "imsmanifest.xml": BILLION_LAUGHS}),
            "bad_manifest",
            "imsmanifest.xml",
        ),
        ("xxe", zip_of({**base, "imsmanifest.xml": XXE}), "bad_manifest", "imsmanifest.xml"),
        ("missing manifest", zip_of({"one.html": b"x"}), "no_manifest", "imsmanifest.xml"),
        ("launch file missing", zip_of(missing_launch), "launch_missing", "one.html"),
        ("not a zip", b"This is plain text, not a zip.", "not_a_zip", None),
        ("truncated zip", truncated, "not_a_zip", None),
        ("0-byte file", b"", "not_a_zip", None),
        (
            "wrong encoding",
            zip_of({**base, "imsmanifest.xml": latin1_manifest}),
            "bad_encoding",
            "imsmanifest.xml",
        ),
        ("encrypted", _mark_encrypted(zip_of(base)), "encrypted", None),
        (
            "name flagged utf-8 but not utf-8",
            _patch_member(
                zip_of({**base, "bXd.txt": b"x"}).replace(b"bXd.txt", b"b\xffd.txt"),
                b"b\xffd.txt",
                flags=0x800,
            ),
            "bad_name",
            "b\ufffdd.txt",
        ),
        (
            "doctype with an external identifier",
            zip_of({**base, "imsmanifest.xml": _with_doctype(base["imsmanifest.xml"])}),
            "bad_manifest",
            "imsmanifest.xml",
        ),
    ]


@pytest.mark.parametrize(
    ("case", "data", "code", "member"), _hostile_cases(), ids=[c[0] for c in _hostile_cases()]
)
def test_hostile_and_broken_zips_are_refused_and_write_nothing(
    tmp_path: Path, schemas: SchemaSet, case: str, data: bytes, code: str, member: str | None
) -> None:
    with pytest.raises(PackageError) as caught:
        inspect_package(io.BytesIO(data), schemas=schemas)
    assert caught.value.code == code, caught.value.message
    if member:
        assert caught.value.member == member
        assert member.split("/")[-1].split("\\")[-1] in caught.value.message or member == "imsmanifest.xml"
    out = tmp_path / "out"
    with contextlib.suppress(PackageError):
        extract_package(io.BytesIO(data), out)
    # Whatever extraction got to, nothing ever lands outside its folder.
    assert not (tmp_path / "evil.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["out"])


@pytest.mark.parametrize(
    ("case", "data", "code", "member"),
    _broken_while_extracting(),
    ids=[c[0] for c in _broken_while_extracting()],
)
def test_zips_broken_inside_pass_inspection_and_fail_extraction(
    tmp_path: Path, schemas: SchemaSet, case: str, data: bytes, code: str, member: str | None
) -> None:
    inspect_package(io.BytesIO(data), schemas=schemas)  # the directory and the manifest are fine
    with pytest.raises(PackageError) as caught:
        extract_package(io.BytesIO(data), tmp_path / "out")
    assert (caught.value.code, caught.value.member) == (code, member)


def test_nested_manifest_gets_a_hint(schemas: SchemaSet) -> None:
    data = zip_of({f"kurssi/{k}": v for k, v in minimal_files().items()})
    with pytest.raises(PackageError, match="It is in kurssi/"):
        inspect_package(io.BytesIO(data), schemas=schemas)


def test_limits_on_file_count_and_total_size(schemas: SchemaSet, tmp_path: Path) -> None:
    files = {**minimal_files(), **{f"f{i}.txt": b"x" for i in range(5)}}
    with pytest.raises(PackageError) as caught:
        inspect_package(io.BytesIO(zip_of(files)), schemas=schemas, limits=Limits(max_files=4))
    assert caught.value.code == "too_many_files"
    with pytest.raises(PackageError) as caught:
        extract_package(io.BytesIO(zip_of(files)), tmp_path / "o", limits=Limits(max_total_bytes=100))
    assert caught.value.code == "too_large"


def test_size_that_lies_in_the_directory_is_caught_while_streaming(tmp_path: Path) -> None:
    data = bytearray(zip_of({"a.txt": b"A" * 5000}))
    # Shrink the declared uncompressed size in the central directory to 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(PackageError) as caught:
        extract_package(io.BytesIO(bytes(data)), tmp_path / "o")
    assert caught.value.code in {"zip_bomb", "corrupt"}
    assert not (tmp_path / "o" / "a.txt").exists() or (tmp_path / "o" / "a.txt").stat().st_size <= 10 + 65536


def test_xsd_deviation_is_a_warning_not_a_refusal(schemas: SchemaSet) -> None:
    base = minimal_files()
    manifest = (
        base["imsmanifest.xml"]
        .replace(b"<adlcp:masteryscore>", b"<adlcp:masteryScore>")
        .replace(b"</adlcp:masteryscore>", b"</adlcp:masteryScore>")
    )
    report = inspect_package(io.BytesIO(zip_of({**base, "imsmanifest.xml": manifest})), schemas=schemas)
    assert [f.code for f in report.warnings] == ["xsd"]
    assert "masteryScore" in report.warnings[0].message


def test_index_json_is_the_documented_source(scorm_index: dict[str, Any]) -> None:
    # Guards the fixture contract the tests above rely on.
    assert {"file", "version", "sco_count", "first_launch", "expected_valid"} <= set(
        scorm_index["packages"][0]
    )
    assert json.dumps(scorm_index)


def test_manifest_hrefs_are_urls_percent_encoded_names_are_found(schemas: SchemaSet) -> None:
    files = minimal_files()
    manifest = files["imsmanifest.xml"].replace(
        b'<file href="two.html"/>', b'<file href="two.html"/><file href="How%20it%20works.png"/>'
    )
    assert manifest != files["imsmanifest.xml"]
    data = zip_of({**files, "imsmanifest.xml": manifest, "How it works.png": b"\x89PNG"})
    report = inspect_package(io.BytesIO(data), schemas=schemas)
    assert [f for f in report.findings if f.code == "file_missing"] == []
    missing = zip_of({**files, "imsmanifest.xml": manifest})
    report = inspect_package(io.BytesIO(missing), schemas=schemas)
    assert [f.member for f in report.findings if f.code == "file_missing"] == ["How it works.png"]
