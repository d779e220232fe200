"""Imports every area's models so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

# Each area adds its models module here, e.g.:
# from lms_bridge.register import models as register_models  # noqa: F401
