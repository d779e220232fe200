"""Player errors.

DomainError
├── PlayerError (400)        a commit or launch request that cannot be carried out as sent
│   └── NotPlayable (404)    the course has no package version to play, or no such item
└── (errors.NotFound / errors.Forbidden for attempts that do not exist or are someone else's)
"""

from __future__ import annotations

from lms_bridge.errors import DomainError


class PlayerError(DomainError):
    code = "invalid_commit"


class NotPlayable(PlayerError):
    status = 404
    code = "not_playable"
