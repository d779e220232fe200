"""The register's errors. All are `DomainError`s: their message is shown to the user as is.

DomainError
├── RegisterError (400)          bad input to a register service
│   ├── ImportRejected (400)     a CSV import with rejected rows; nothing was written
│   └── InvalidCompetenceFramework (400)
├── UnknownRecord (404)          no such staff member, unit, competence, course or completion
└── CompletionConflict (409)     the (source, source_ref) is recorded with other data, or already corrected
"""

from __future__ import annotations

from typing import Any

from lms_bridge.errors import DomainError


class RegisterError(DomainError):
    code = "invalid"


class ImportRejected(RegisterError):
    code = "import_rejected"

    def __init__(self, message: Any, *, report: Any) -> None:
        super().__init__(message)
        self.report = report


class InvalidCompetenceFramework(RegisterError):
    code = "invalid_framework"


class UnknownRecord(DomainError):
    status = 404
    code = "not_found"


class CompletionConflict(DomainError):
    status = 409
    code = "conflict"
