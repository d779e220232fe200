"""The player: attempts, the SCORM run-time page and its commit endpoint, and the demo sign-in."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge import signals
    from lms_bridge.extensions import csrf
    from lms_bridge.packages.content import serve_on_content_origin
    from lms_bridge.player import completion, devsignin, views

    signals.course_competences_changed.connect(completion.record_earlier_attempts)

    # Run-time commits carry a per-attempt token in their JSON body instead (lms_bridge/player/views.py):
    # sendBeacon cannot send the header, and the form token expires while a module stays open.
    csrf.exempt(views.commit)
    csrf.exempt(views.open_item)  # the same token in the body as commits
    app.register_blueprint(views.bp)
    # The header names the learner a browser acts for (and offers the sign-out), on every page.
    app.context_processor(lambda: {"current_learner": views.current_learner_name()})
    # The SCO's frame page and files: on the content origin only (lms_bridge/packages/content.py).
    serve_on_content_origin(app, "player.content_frame", "player.content")
    if devsignin.dev_sign_in_enabled(app):  # outside development its pages do not exist at all
        app.register_blueprint(devsignin.bp)
