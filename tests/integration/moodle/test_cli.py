"""`lms-bridge moodle ...` as an admin or cron runs it: output, Finnish errors on stderr, exit codes, and
the token never printed nor logged."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms_bridge.moodle.models import MoodleMapping, MoodleSite
from tests.fakes.moodle import FakeMoodle
from tests.fakes.moodle_lab import LAB_TOKEN
from tests.integration.moodle.test_sync import T0


def test_an_admin_adds_tests_maps_and_syncs_a_site_and_the_token_is_never_shown(
    run, session, lab_moodle: FakeMoodle, make_staff, make_competence, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    make_staff(employee_number="EMP1003")
    make_competence(code="LAB-SCORM")
    token_file = tmp_path / "token"
    token_file.write_text(LAB_TOKEN + "\n")

    added = run(
        "moodle", "site", "add", "lab", "--url", lab_moodle.url + "/", "--token-file", str(token_file)
    )
    assert added.exit_code == 0, added.output
    assert f"token …{LAB_TOKEN[-4:]}" in added.output
    site = session.scalars(select(MoodleSite)).one()
    assert site.base_url == lab_moodle.url
    assert LAB_TOKEN not in site.token_encrypted

    tested = run("moodle", "site", "test", "lab")
    assert tested.exit_code == 0, tested.output
    assert "Sivusto: Lab" in tested.output
    assert "Moodle-versio: 4.3 (Build: 20231009)" in tested.output
    # lab_service was made for the recordings: it lacks the function that maps an activity by its cmid.
    assert "tarvitsee myös: core_course_get_course_module" in tested.output

    refused = run("moodle", "map", "lab", "--activity", "2", "--competence", "LAB-SCORM")
    assert refused.exit_code == 1
    assert "Funktio core_course_get_course_module ei ole tokenin verkkopalvelussa" in refused.output
    assert "Traceback" not in refused.output
    lab_moodle.service_functions.append("core_course_get_course_module")
    mapped = run("moodle", "map", "lab", "--activity", "2", "--competence", "LAB-SCORM")
    assert mapped.exit_code == 0, mapped.output
    assert "Aktiviteetti 2 (scorm: Lab SCORM 1.2 smoke test, kurssi 2) tuottaa nyt osaamisen LAB-SCORM." in (
        mapped.output
    )

    synced = run("moodle", "sync")
    assert synced.exit_code == 0, synced.output
    assert "1 uutta suoritusta" in synced.output
    assert "2 tunnistamatonta käyttäjää" in synced.output  # learner1 and learner2 are not staff here
    again = run("moodle", "sync", "--site", "lab")
    assert "0 uutta suoritusta" in again.output

    everything = added.output + tested.output + mapped.output + synced.output + caplog.text
    assert LAB_TOKEN not in everything


def test_sync_errors_go_to_stderr_in_finnish_with_exit_code_1(
    run, session, fake_moodle, make_competence, tmp_path
):
    course = fake_moodle.data.add_course("C")
    make_competence(code="K")
    (tmp_path / "t").write_text(fake_moodle.token)
    assert (
        run(
            "moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t")
        ).exit_code
        == 0
    )
    assert run("moodle", "map", "m", "--course", str(course.id), "--competence", "K").exit_code == 0
    fake_moodle.tokens.clear()  # the token was deleted in Moodle

    result = run("moodle", "sync", "--site", "m")

    assert result.exit_code == 1
    assert "Moodle ei tunne tokenia (invalidtoken)" in result.stderr
    assert "Synkronoinnissa oli virheitä" in result.stderr
    assert "Traceback" not in result.output


def test_cli_refuses_bad_input_with_what_to_do(run, fake_moodle, tmp_path, make_competence):
    (tmp_path / "t").write_text("not a token!")
    bad_token = run(
        "moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t")
    )
    assert bad_token.exit_code == 1
    assert "tiedostossa vain token" in bad_token.output
    (tmp_path / "t").write_text(fake_moodle.token)
    endpoint = run(
        "moodle",
        "site",
        "add",
        "m",
        "--url",
        fake_moodle.url + "/webservice/rest/server.php",
        "--token-file",
        str(tmp_path / "t"),
    )
    assert endpoint.exit_code == 1
    assert "juuriosoite ilman polkua" in endpoint.output
    assert (
        run(
            "moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t")
        ).exit_code
        == 0
    )
    again = run("moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t"))
    assert again.exit_code == 1
    assert "--replace" in again.output
    both = run("moodle", "map", "m", "--course", "2", "--activity", "3", "--competence", "X")
    assert both.exit_code != 0
    assert "Anna joko --course ID tai --activity CMID" in both.output
    unknown = run("moodle", "sync", "--site", "nope")
    assert unknown.exit_code == 1
    assert "Moodle-sivustoa nope ei ole" in unknown.output
    missing_course = run("moodle", "map", "m", "--course", "999", "--competence", make_competence().code)
    assert missing_course.exit_code == 1
    assert "Moodlesta ei löydy" in missing_course.output


def test_dry_run_counts_and_writes_nothing(run, session, fake_moodle, make_staff, make_competence, tmp_path):
    data = fake_moodle.data
    course = data.add_course("C")
    scorm = data.add_scorm(course.id, "S")
    user = data.add_user("u", idnumber="E1")
    data.enrol(course.id, user.id)
    data.record_scorm_attempt(scorm.id, user.id, time=T0, status="passed", score=90)
    make_staff(employee_number="E1")
    make_competence(code="K")
    (tmp_path / "t").write_text(fake_moodle.token)
    run("moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t"))
    run("moodle", "map", "m", "--activity", str(scorm.cmid), "--competence", "K")

    dry = run("moodle", "sync", "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert "1 uutta suoritusta" in dry.output
    assert "Kuivaharjoitus" in dry.output
    real = run("moodle", "sync")
    assert "1 uutta suoritusta" in real.output  # the dry run recorded nothing
    assert session.scalars(select(MoodleMapping)).one().modname == "scorm"


def test_a_second_sync_exits_with_a_clear_message_or_waits_for_the_first(
    run, session, fake_moodle, make_competence, tmp_path
):
    import time

    from lms_bridge.moodle import lock

    course = fake_moodle.data.add_course("C")
    make_competence(code="K")
    (tmp_path / "t").write_text(fake_moodle.token)
    run("moodle", "site", "add", "m", "--url", fake_moodle.url, "--token-file", str(tmp_path / "t"))
    run("moodle", "map", "m", "--course", str(course.id), "--competence", "K")
    site = session.scalars(select(MoodleSite)).one()
    lock.acquire(session, site, "cron-host:4242:beef")  # a sync running elsewhere
    session.flush()

    refused = run("moodle", "sync")
    assert refused.exit_code == 1
    assert "Moodle-sivuston m synkronointi on jo käynnissä (cron-host:4242:beef" in refused.output
    assert "Traceback" not in refused.output

    started = time.monotonic()
    waited = run("moodle", "sync", "--wait", "1")
    assert waited.exit_code == 1
    assert time.monotonic() - started >= 1
    assert "on jo käynnissä" in waited.output
