"""WSGI entry point for gunicorn: `gunicorn lms_bridge.wsgi:app`."""

from lms_bridge import create_app

app = create_app()
