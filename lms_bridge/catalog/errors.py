"""The catalogue's errors.

DomainError
├── CatalogError (400)                 bad input to a catalogue service
│   └── InvalidCompetenceFramework     the framework file (data/competences.yaml or another) is unusable
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
