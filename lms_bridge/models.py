"""Imports every area's models so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

from lms_bridge import audit  # noqa: F401
from lms_bridge.auth import models as auth_models  # noqa: F401
from lms_bridge.catalog import models as catalog_models  # noqa: F401
from lms_bridge.lti import models as lti_models  # noqa: F401
from lms_bridge.moodle import models as moodle_models  # noqa: F401
from lms_bridge.packages import models as packages_models  # noqa: F401
from lms_bridge.player import models as player_models  # noqa: F401
from lms_bridge.register import models as register_models  # noqa: F401
from lms_bridge.reports import models as reports_models  # noqa: F401
