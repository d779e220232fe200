"""Who is playing: the Staff member a browser session acts for in the player.

A learner is not an Account: staff come from the HR register and never get a password here. The LTI
launch (and, in development, the demo sign-in) puts the staff member's id in the signed session cookie;
the player reads it back with `current_staff_id`.
"""

from __future__ import annotations

from flask import current_app, session

from lms_bridge.config import dev_sign_in_enabled

_KEY = "staff_id"
_VIA = "staff_via"
VIA = ("dev", "lti")


def sign_in_staff(staff_id: int, *, via: str) -> None:
    """Act for this staff member from now on (a fresh session: no fixation). `via`: "dev" or "lti"."""
    if via not in VIA:
        raise ValueError(f"unknown sign-in {via!r}")
    session.clear()
    session[_KEY] = staff_id
    session[_VIA] = via
    # Not permanent: a permanent session is re-sent on every response, and a commit answered late (the
    # player sends them as the page unloads) would then put back a cookie the next page had replaced.


def sign_out_staff() -> None:
    session.pop(_KEY, None)
    session.pop(_VIA, None)


def current_staff_id() -> int | None:
    """The staff member this browser acts for, or None. A session the demo sign-in made counts only while
    the demo sign-in is on: a cookie kept from a development run is worthless in production."""
    value = session.get(_KEY)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if session.get(_VIA) not in VIA or (session.get(_VIA) == "dev" and not dev_sign_in_enabled(current_app)):
        return None
    return value


def signed_in_via() -> str:
    """How the learner signed in ("dev" or "lti"); new attempts record it."""
    via = session.get(_VIA)
    return via if via in VIA else "dev"
