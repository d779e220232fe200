"""The LTI 1.3 tool for Moodle: launches into the player, deep linking, grades back, the course roster."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)


def queue_score_on_completion(attempt: Any, *, session: Any, **_: Any) -> None:
    """attempt_completed receiver: queue the score for the attempt's line items, in the sender's
    transaction; sent after the commit. Never raises (the learner's commit must not fail for it)."""
    from flask import current_app, has_app_context
    from sqlalchemy import event

    from lms_bridge.db import utcnow
    from lms_bridge.lti.scores import queue_attempt, send_in_background

    try:
        with session.begin_nested():
            queued = [row.id for row in queue_attempt(session, attempt, now=utcnow())]
    except Exception:  # an outer edge by contract: the attempt completes whatever happens here
        logger.exception("Queueing the LTI score of attempt %s failed", attempt.id)
        return
    if queued and has_app_context() and current_app.config["LTI_SEND_SCORES_AFTER_COMMIT"]:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        event.listen(session, "after_commit", lambda _s: send_in_background(app, queued), once=True)


def init_app(app: Flask) -> None:
    from lms_bridge import signals
    from lms_bridge.extensions import csrf
    from lms_bridge.lti import manage, views
    from lms_bridge.lti.cli import lti_cli
    from lms_bridge.packages.content import serve_on_content_origin

    # Moodle posts these cross-site: the OIDC state, the signed id_token or a one-time token guard them.
    for view in (views.login, views.launch, views.register):
        csrf.exempt(view)
    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    app.before_request(views.frame_for_platforms)
    serve_on_content_origin(app, "lti.guest_frame", "lti.guest_content")
    app.cli.add_command(lti_cli)
    signals.attempt_completed.connect(queue_score_on_completion)
