"""The fake Moodle answers as the real Moodle 4.3 in ../shared/fixtures/moodle/ws did.

With the lab data set, every recorded request gets the recorded reply: same keys, types and values.
With another data set (more courses, users without idnumber or e-mail, a two-SCO package, SCORM 2004),
every reply still has the shape of the recorded ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import requests

from tests.fakes.moodle import REST_PATH, FakeMoodle
from tests.fakes.moodle_data import AGGREGATION_ANY, TRACKING_MANUAL, MoodleData
from tests.fakes.moodle_lab import TOKEN_PLACEHOLDERS
from tests.integration.moodle.shapes import differences, shape_differences

Recordings = dict[str, dict[str, Any]]


def replay(fake: FakeMoodle, recording: dict[str, Any]) -> requests.Response:
    """Send a recorded request's form as recorded, with the placeholder token replaced by a real one."""
    request = recording["request"]
    form = [(n, TOKEN_PLACEHOLDERS.get(v, v) if n == "wstoken" else v) for n, v in request["form"].items()]
    assert request["url"] == REST_PATH
    return requests.post(
        fake.url + request["url"], data=form, headers={"Content-Type": request["content_type"]}, timeout=10
    )


def test_the_recordings_are_there(moodle_ws_recordings: Recordings):
    assert len(moodle_ws_recordings) == 26


def test_every_recorded_request_gets_the_recorded_reply(
    lab_moodle: FakeMoodle, moodle_ws_recordings: Recordings
):
    failures = {}
    for stem, recording in moodle_ws_recordings.items():
        response = replay(lab_moodle, recording)
        assert response.status_code == recording["http_status"], stem
        assert response.headers["Content-Type"] == recording["response_content_type"], stem
        if found := differences(response.json(), recording["response"]):
            failures[stem] = found

    assert failures == {}


def test_the_fake_receives_the_form_as_sent(lab_moodle: FakeMoodle, moodle_ws_recordings: Recordings):
    recording = moodle_ws_recordings["core_user_get_users_by_field__idnumber"]

    replay(lab_moodle, recording)

    (request,) = lab_moodle.requests
    assert (request.method, request.path, request.function) == (
        "POST",
        REST_PATH,
        "core_user_get_users_by_field",
    )
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.params == [(n, v) for n, v in recording["request"]["form"].items()][3:]


def other_site() -> MoodleData:
    """Not the lab: several courses, users the sync cannot match, a two-SCO package, SCORM 2004."""
    data = MoodleData(site_name="Other", site_url="https://moodle.example.invalid/moodle")
    alice = data.add_user("alice", firstname="Alice", lastname="Aho", idnumber="E100")
    no_idnumber = data.add_user("noid", firstname="Nora", lastname="Idless")
    no_email = data.add_user("nomail", firstname="Max", lastname="Mailless", idnumber="E102", email="")
    teacher = data.add_user("teach", firstname="Tero", lastname="Teacher")
    first = data.add_course("C1", "First course")
    second = data.add_course("C2", "Second course", aggregation=AGGREGATION_ANY)
    two_scos = data.add_scorm(first.id, "Two SCOs", scos=("Part 1", "Part 2"), maxattempt=2)
    scorm2004 = data.add_scorm(second.id, "SCORM 2004", version="SCORM_13", completionscorerequired=80)
    quiz = data.add_activity(second.id, "quiz", "Quiz", completion_criterion=True)
    data.add_activity(second.id, "page", "Read me", tracking=TRACKING_MANUAL, graded=False)
    for user in (alice, no_idnumber, no_email):
        data.enrol(first.id, user.id, lastcourseaccess=1700000100)
        data.enrol(second.id, user.id)
    data.enrol(first.id, teacher.id, "editingteacher")
    first_sco, second_sco = data.sco_ids(two_scos.id)
    data.record_scorm_attempt(
        two_scos.id, alice.id, time=1700000200, status="passed", score=72.5, sco_id=first_sco
    )
    data.record_scorm_attempt(
        two_scos.id,
        alice.id,
        time=1700000300,
        status="incomplete",
        sco_id=second_sco,
        attempt=1,
        elements={"cmi.core.session_time": "00:02:00", "cmi.core.exit": "suspend"},
    )
    data.record_scorm_attempt(
        scorm2004.id,
        no_idnumber.id,
        time=1700000400,
        status="completed",
        score=90,
        elements={"cmi.success_status": "passed"},
    )
    data.set_completion(quiz.cmid, no_email.id, 1700000500)
    data.set_grade(quiz.cmid, no_email.id, 7.5, 1700000500)
    return data


def calls(data: MoodleData) -> dict[str, list[dict[str, Any]]]:
    """For each recorded function, calls with the other site's ids."""
    alice, no_idnumber, no_email, _ = (
        data.users_by["username"][n][0] for n in ("alice", "noid", "nomail", "teach")
    )
    first, second = 2, 3
    two_scos, scorm2004 = 1, 2
    sco_ids = data.sco_ids(two_scos)
    return {
        "core_webservice_get_site_info": [{}],
        "core_enrol_get_enrolled_users": [{"courseid": first}, {"courseid": second}],
        "core_user_get_users_by_field": [
            {"field": "idnumber", "values[0]": "E100", "values[1]": "E102", "values[2]": "nobody"},
            {"field": "email", "values[0]": "alice@example.invalid"},
        ],
        "core_completion_get_course_completion_status": [
            {"courseid": first, "userid": alice},
            {"courseid": second, "userid": no_email},
            {"courseid": second, "userid": alice},
        ],
        "core_completion_get_activities_completion_status": [
            {"courseid": first, "userid": alice},
            {"courseid": second, "userid": no_idnumber},
        ],
        "mod_scorm_get_scorms_by_courses": [{"courseids[0]": first, "courseids[1]": second}],
        "mod_scorm_get_scorm_attempt_count": [{"scormid": two_scos, "userid": alice}],
        "mod_scorm_get_scorm_scoes": [{"scormid": two_scos}],
        "mod_scorm_get_scorm_sco_tracks": [
            {"scoid": sco_ids[0], "userid": alice, "attempt": 1},
            {"scoid": sco_ids[1], "userid": alice, "attempt": 0},
            {"scoid": data.sco_ids(scorm2004)[0], "userid": no_idnumber},
            {"scoid": sco_ids[0], "userid": no_email, "attempt": 1},
        ],
        "gradereport_user_get_grade_items": [
            {"courseid": first},
            {"courseid": second},
            {"courseid": second, "userid": no_email},
        ],
        "mod_scorm_get_scorm_user_data": [],  # SCORM 1.2 with the caller's own token: the lab covers it
    }


def test_replies_from_another_data_set_have_the_recorded_shapes(moodle_ws_recordings: Recordings):
    examples: dict[str, list[Any]] = defaultdict(list)
    for recording in moodle_ws_recordings.values():
        if "exception" not in recording["response"]:
            examples[recording["request"]["form"]["wsfunction"]].append(recording["response"])
    data = other_site()
    planned = calls(data)
    assert planned.keys() == examples.keys()

    failures = {}
    with FakeMoodle(data) as fake:
        for function, params_list in planned.items():
            for params in params_list:
                form = {"wstoken": fake.token, "wsfunction": function, "moodlewsrestformat": "json", **params}
                reply = requests.post(fake.url + REST_PATH, data=form, timeout=10).json()
                assert "exception" not in reply, (function, params, reply)
                if found := shape_differences(reply, examples[function]):
                    failures[f"{function} {params}"] = found

    assert failures == {}


@pytest.mark.parametrize(
    ("user", "expected_keys"),
    [
        ("noid", {"email"}),  # no idnumber: the key is not there at all
        ("nomail", {"email", "idnumber"}),  # no e-mail: "" as Moodle sends it
    ],
)
def test_users_the_sync_cannot_match_look_as_in_moodle(user: str, expected_keys: set[str]):
    data = other_site()
    with FakeMoodle(data) as fake:
        form = {
            "wstoken": fake.token,
            "wsfunction": "core_enrol_get_enrolled_users",
            "moodlewsrestformat": "json",
        }
        reply = requests.post(fake.url + REST_PATH, data={**form, "courseid": 2}, timeout=10).json()

    (entry,) = [u for u in reply if u["username"] == user]
    assert {"email", "idnumber"} & entry.keys() == expected_keys
    assert entry.get("email") == ("" if user == "nomail" else f"{user}@example.invalid")
