"""The LTI area's errors. A refused launch names what was wrong and what to do, in Finnish."""

from __future__ import annotations

from lms_bridge.errors import DomainError


class LtiError(DomainError):
    """A user-facing LTI problem (registration, launch, deep linking)."""


class LaunchRefused(LtiError):
    """An id_token, login request or state that fails a check; nothing is stored."""

    status = 400
    code = "lti_launch_refused"


class ServiceError(Exception):
    """A platform service (token, AGS, NRPS) answered with an error or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
