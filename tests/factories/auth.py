"""Auth factories: accounts (with a password that passes the rule), and a client signed in as one."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lms_bridge.auth.accounts import create_account
from lms_bridge.auth.models import Account

PASSWORD = "oikein-pitkä-salasana"
_counter = itertools.count(1)


@pytest.fixture
def make_account(session: Session) -> Callable[..., Account]:
    def make(*, username: str | None = None, role: str = "admin", password: str = PASSWORD) -> Account:
        return create_account(
            session,
            username=username or f"{role}{next(_counter)}",
            password=password,
            role=role,
            actor="test",
        )

    return make


@pytest.fixture
def signed_in(
    db_app: Flask, make_account: Callable[..., Account]
) -> Callable[..., tuple[FlaskClient, Account]]:
    """A test client (CSRF off) signed in through the real sign-in form as a new account."""

    def make(role: str = "admin", **overrides: Any) -> tuple[FlaskClient, Account]:
        account = make_account(role=role, **overrides)
        db_app.config["WTF_CSRF_ENABLED"] = False
        client = db_app.test_client()
        response = client.post(
            "/auth/login",
            data={"username": account.username, "password": overrides.get("password", PASSWORD)},
        )
        assert response.status_code == 302, response.text
        return client, account

    return make
