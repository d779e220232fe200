"""Indico-style factory fixtures shared by every test folder: valid defaults, overridable, flushed and
never committed. Loaded once, with `pytest_plugins` in tests/conftest.py; one module per area."""

import datetime as dt

# The moment the register's factories and tests treat as "now".
NOW = dt.datetime(2025, 6, 15, 9, 0, tzinfo=dt.UTC)
