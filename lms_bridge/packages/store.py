"""The package store on disk: <DATA_DIR>/packages/<storage key>/ holds one package version's files.

Files land atomically: a package is extracted into a staging folder beside the store, and moved into
place with one rename only after its database row is flushed. If the transaction then fails, the folder
is removed again; a crash between rename and commit leaves a folder no row points at, which
`lms-bridge packages gc` removes.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scorm.package import Limits, extract_package

STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class PackageStore:
    root: Path

    @classmethod
    def under(cls, data_dir: str | Path) -> PackageStore:
        return cls(Path(data_dir) / "packages")

    def path(self, storage_key: str) -> Path:
        if not storage_key or "/" in storage_key or storage_key.startswith("."):
            raise ValueError(f"invalid storage key {storage_key!r}")
        return self.root / storage_key

    def storage_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    @contextmanager
    def staged(self, source: Path | BinaryIO, limits: Limits) -> Iterator[StagedPackage]:
        """Extract into a staging folder; it is removed on exit unless published."""
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        try:
            # Inside the try: a zip refused half-way through extraction (a bad CRC, an entry inflating past
            # its declared size) must not leave its partial files behind.
            yield StagedPackage(self, staging, extract_package(source, staging, limits=limits))
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def remove(self, storage_key: str) -> None:
        shutil.rmtree(self.path(storage_key), ignore_errors=True)

    def clean_staging(self) -> int:
        """Remove staging folders left by interrupted imports."""
        if not self.root.is_dir():
            return 0
        leftovers = [p for p in self.root.iterdir() if p.name.startswith(STAGING_PREFIX)]
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)
        return len(leftovers)


@dataclass
class StagedPackage:
    store: PackageStore
    folder: Path
    files: list[str]

    def publish(self, storage_key: str) -> Path:
        """Move the staged files into place with one rename (same file system, atomic)."""
        target = self.store.path(storage_key)
        if target.exists():
            raise FileExistsError(f"package folder {storage_key} already exists")
        self.folder.rename(target)
        self.folder = target
        return target
