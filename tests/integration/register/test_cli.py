"""The register's commands as an admin types them: output, exit codes, effects."""

from __future__ import annotations

from sqlalchemy import func, select

from lms_bridge.auth.models import ApiToken
from lms_bridge.auth.tokens import hash_token
from lms_bridge.catalog.models import Competence
from lms_bridge.register.models import Completion, Requirement, Staff


def test_competences_load_ships_the_framework_and_is_idempotent(run, session):
    first = run("competences", "load")
    assert first.exit_code == 0, first.output
    assert "12 osaamista (12 uutta, 0 päivitetty, 0 ennallaan)" in first.output
    second = run("competences", "load")
    assert "(0 uutta, 0 päivitetty, 12 ennallaan)" in second.output
    session.expire_all()
    names = dict(session.execute(select(Competence.code, Competence.name_fi)).all())
    assert names["KOHT-01"] == "Vaikuttava asiakaskohtaaminen"
    assert names["HAIR-01"] == "Häiriökysynnän tunnistaminen ja vähentäminen"
    assert names["OSAL-01"] == "Asiakasosallisuuden tasot"
    assert names["OSAL-02"] == "Asiakasosallisuuden talo"
    assert session.scalar(select(func.count()).select_from(Requirement)) > 12


def test_competences_load_updates_from_a_file_and_rejects_a_bad_one(run, session, tmp_path):
    run("competences", "load")
    changed = tmp_path / "framework.yaml"
    changed.write_text(
        "competences:\n  - code: KOHT-01\n    name: {fi: Uusi nimi, sv: Nytt, en: New}\n"
        "    validity_months: 12\n    required_for: [kotihoitaja]\n",
        encoding="utf-8",
    )
    result = run("competences", "load", str(changed))
    assert result.exit_code == 0
    assert "(0 uutta, 1 päivitetty, 0 ennallaan)" in result.output
    assert "Tiedostossa ei ole (säilytetty): EA-01" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("competences:\n  - code: koht 01\n", encoding="utf-8")
    refused = run("competences", "load", str(bad))
    assert refused.exit_code == 1
    assert "koodi puuttuu tai on virheellinen" in refused.output
    assert "Traceback" not in refused.output


def test_api_token_is_printed_once_and_stored_hashed(run, session):
    result = run("api-token", "create", "hr-system")
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("lmsb_")
    session.expire_all()
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash
    assert "Tunnus hr-system on jo olemassa" in run("api-token", "create", "hr-system").output
    assert "peruttu" in run("api-token", "revoke", "hr-system").output
    assert run("api-token", "revoke", "hr-system").exit_code == 1
    assert "peruttu" in run("api-token", "list").output


def test_demo_data_and_setup_demo(run, session):
    refused = run("demo-data", "--staff", "50")
    assert refused.exit_code == 1
    assert "aja ensin lms-bridge competences load" in refused.output

    setup = run("setup-demo")
    assert setup.exit_code == 0, setup.output
    assert "300 henkilöä, 1800 suoritusta" in setup.output
    again = run("setup-demo")
    assert "demodataa ei luotu" in again.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Staff)) == 300
    titles = set(session.scalars(select(Staff.job_title).distinct()))
    assert titles == {
        "asiakasohjaaja",
        "omaishoidon palveluohjaaja",
        "sosiaalityöntekijä",
        "kotihoitaja",
        "perhehoidon palveluohjaaja",
        "ikäkeskuksen työntekijä",
    }
    oldest, newest = session.execute(
        select(func.min(Completion.completed_at), func.max(Completion.completed_at))
    ).one()
    assert 600 < (newest - oldest).days <= 730


def test_correct_command(run, session, make_completion):
    completion = make_completion()
    result = run(
        "completions", "correct", str(completion.id), "--reason", "väärä päivä", "--completed-at", "1.2.2025"
    )
    assert result.exit_code == 0, result.output
    assert f"Suoritus {completion.id} korjattu" in result.output
    missing = run("completions", "correct", "999999", "--reason", "x")
    assert missing.exit_code == 1
    assert "Suoritusta 999999 ei löydy" in missing.output


def test_the_command_line_shows_times_in_helsinki_time(run, session):
    import datetime as dt

    run("api-token", "create", "hr-system")
    session.expire_all()
    stored = session.scalars(select(ApiToken)).one()
    stored.created_at = dt.datetime(2024, 3, 5, 23, 30, tzinfo=dt.UTC)  # 6.3. at 1.30 in Helsinki
    session.commit()
    listed = run("api-token", "list").output
    assert "6.3.2024" in listed
    assert "2024-03-05" not in listed
