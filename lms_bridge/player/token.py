"""The commit token: the per-attempt CSRF token in every commit's JSON body (why: player/views.py)."""

from __future__ import annotations

import hashlib
import hmac


def commit_token(secret_key: str, *, attempt_id: int, staff_id: int) -> str:
    """The attempt's CSRF token: only a page the server rendered for this learner and attempt knows it."""
    message = f"player-commit:{attempt_id}:{staff_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def check_commit_token(secret_key: str, token: object, *, attempt_id: int, staff_id: int) -> bool:
    expected = commit_token(secret_key, attempt_id=attempt_id, staff_id=staff_id)
    return isinstance(token, str) and hmac.compare_digest(token, expected)
