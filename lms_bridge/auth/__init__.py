"""Authentication: admin and supervisor accounts, sign-in, the learner's session, API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here, not at module level: importing auth.models (Alembic, other areas' models) must not
    # load the views.
    from lms_bridge.auth.accounts import current_account
    from lms_bridge.auth.cli import api_token_cli
    from lms_bridge.auth.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(api_token_cli)
    app.context_processor(lambda: {"current_account": current_account()})
