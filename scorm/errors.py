"""Errors raised by the scorm library.

ScormError
├── SourceError        a course source file is wrong (file, line, what)
├── BuildError         a package cannot be built (e.g. schemas missing)
├── ManifestError      imsmanifest.xml cannot be read or makes no sense
├── SchemaError        the XSD set cannot be loaded
└── CmiError           a run-time data model call failed (element, SCORM error code, why)
"""

from __future__ import annotations

from pathlib import Path


class ScormError(Exception):
    """Base of every error this library raises."""


class SourceError(ScormError):
    """A course source file has a mistake; names the file, the line and what is wrong."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")


class BuildError(ScormError):
    """A package cannot be built."""


class ManifestError(ScormError):
    """imsmanifest.xml is missing, not well-formed, or inconsistent."""


class SchemaError(ScormError):
    """The SCORM XSD set cannot be found or loaded."""


class PackageError(ScormError):
    """A package zip is refused: unsafe, broken, or unable to work. `member` names the file inside the zip."""

    def __init__(self, code: str, message: str, member: str | None = None) -> None:
        self.code = code
        self.message = message
        self.member = member
        super().__init__(message)


class CmiError(ScormError):
    """A run-time data model call failed: the element, the SCORM error code of the version, and why."""

    def __init__(self, element: str, code: int, message: str) -> None:
        self.element = element
        self.code = code
        self.message = message
        super().__init__(f"{element}: error {code}: {message}")
