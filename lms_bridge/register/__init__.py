"""The staff competence register: who has which competence, fed from every source exactly once."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.extensions import csrf
    from lms_bridge.register import cli
    from lms_bridge.register.api.views import bp as api_v1
    from lms_bridge.register.labels import STATUS_ICONS, source_label, status_label

    # How a status reads in every template (reports, the learner's list): globals, not a context
    # processor, so imported macros see them too.
    app.jinja_env.globals.update(
        status_label=status_label, status_icon=STATUS_ICONS.get, source_label=source_label
    )

    # The API authenticates every request with a bearer token and sets no cookies: CSRF cannot apply.
    csrf.exempt(api_v1)
    app.register_blueprint(api_v1)
    for group in (cli.competences_cli, cli.units_cli, cli.staff_cli, cli.completions_cli):
        app.cli.add_command(group)
