"""The catalogue's errors.

DomainError
├── CatalogError (400)                 bad input to a catalogue service
│   └── InvalidCompetenceFramework     config/competences.yaml (or another framework file) cannot be used
└── NotFound (404)
    └── NotInCatalog                   no such course or competence
"""

from __future__ import annotations

from lms_bridge.errors import DomainError, NotFound


class CatalogError(DomainError):
    code = "invalid"


class InvalidCompetenceFramework(CatalogError):
    code = "invalid_framework"


class NotInCatalog(NotFound):
    pass
