"""Flask extensions shared by every area, created unbound and initialised once by create_app."""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

# Every POST form carries Flask-WTF's token; an area exempts only endpoints that authenticate otherwise
# (the API's bearer tokens, the player's per-attempt commit token), in its own init_app.
csrf = CSRFProtect()
