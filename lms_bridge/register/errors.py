"""The register's errors. All are `DomainError`s: their message is shown to the user as is.

DomainError
├── RegisterError (400)          bad input to a register service
│   └── ImportRejected (400)     a CSV import with rejected rows; nothing was written
│       └── MassDeactivationStopped  a staff import would deactivate too many; nothing was written
├── NotFound (404)
│   └── UnknownRecord            no such staff member, unit or completion (courses and competences:
│                                lms_bridge.catalog.errors.NotInCatalog, also a NotFound)
└── CompletionConflict (409)     the (source, source_ref) is recorded with other data, or already corrected
"""

from __future__ import annotations

from typing import Any

from lms_bridge.errors import DomainError, NotFound


class RegisterError(DomainError):
    code = "invalid"


class ImportRejected(RegisterError):
    code = "import_rejected"

    def __init__(self, message: Any, *, report: Any) -> None:
        super().__init__(message)
        self.report = report


class MassDeactivationStopped(ImportRejected):
    """The staff import would deactivate more than the allowed share; confirm explicitly to go on."""

    code = "mass_deactivation"


class UnknownRecord(NotFound):
    pass


class CompletionConflict(DomainError):
    status = 409
    code = "conflict"
