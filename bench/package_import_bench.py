"""Package import (the full service: check, extract, store, row): time and peak memory for the largest
../shared fixture and a generated 200 MB package.

Prints figures; asserts nothing. Each measurement runs in a fresh subprocess so peak RSS is its own.
Memory must not grow with package size: checksum, inspection and extraction stream in chunks.

    .venv/bin/python bench/package_import_bench.py [--size-mb 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LMS_BRIDGE_SHARED_DIR", ROOT.parent / "shared"))


def generate(path: Path, size_mb: int) -> None:
    """A valid SCORM 1.2 package with size_mb of incompressible media files (1 MiB each)."""
    manifest = (ROOT / "tests" / "data" / "packages" / "minimal-scorm12" / "imsmanifest.xml").read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("one.html", b"<!doctype html><title>1</title>")
        archive.writestr("two.html", b"<!doctype html><title>2</title>")
        for i in range(size_mb):
            archive.writestr(f"media/video-{i:04d}.bin", os.urandom(1024 * 1024))


def measure_one(zip_path: str) -> None:
    """Child process: the full import service (check, extract, store, database row) into a fresh SQLite."""
    sys.path.insert(0, str(ROOT))
    from lms_bridge import create_app
    from lms_bridge.db import transaction, upgrade
    from lms_bridge.packages import service
    from lms_bridge.packages.store import PackageStore
    from scorm.build import default_schemas
    from scorm.package import Limits

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "DATA_DIR": f"{tmp}/data", "SECRET_KEY": "bench"}, instance_path=tmp
        )
        schemas = default_schemas()
        schemas.schema("1.2")
        schemas.schema("2004")  # schema loading is per process, not per import
        limits = Limits(max_total_bytes=4 * 1024**3)
        with app.app_context():
            base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with transaction() as db:
                result = service.import_package(
                    db,
                    Path(zip_path),
                    store=PackageStore.under(f"{tmp}/data"),
                    schemas=schemas,
                    limits=limits,
                    actor="bench",
                    origin="cli",
                )
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "files": result.version.file_count,
                    "bytes": result.version.total_bytes,
                    "import_s": elapsed,
                    "peak_rss_mib": peak / 1024,
                    "growth_mib": (peak - base_rss) / 1024,
                }
            )
        )


def run(zip_path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(zip_path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        measure_one(args.child)
        return
    rows = []
    fixtures = sorted((SHARED / "fixtures" / "scorm").glob("*.zip"), key=lambda p: p.stat().st_size)
    if fixtures:
        rows.append((f"largest fixture {fixtures[-1].name}", run(fixtures[-1])))
    else:
        print(f"(no ../shared fixtures at {SHARED}; skipping the fixture row)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sorted({max(args.size_mb // 4, 1), args.size_mb}):
            path = Path(tmp) / f"generated-{size}mb.zip"
            generate(path, size)
            rows.append((f"generated {size} MB ({path.stat().st_size / 1024**2:.0f} MB zip)", run(path)))
            path.unlink()
    header = ("package", "files", "MB", "import s", "peak RSS MiB", "growth MiB")
    print("{:55} {:>6} {:>8} {:>10} {:>13} {:>11}".format(*header))
    for name, r in rows:
        print(
            f"{name:55} {r['files']:6.0f} {r['bytes'] / 1024**2:8.1f} {r['import_s']:10.3f}"
            f" {r['peak_rss_mib']:13.1f} {r['growth_mib']:11.1f}"
        )


if __name__ == "__main__":
    main()
