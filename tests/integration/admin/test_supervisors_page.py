"""The admin's page for which units each supervisor sees."""

from __future__ import annotations

from lms_bridge.register.scopes import supervised_unit_ids


def test_admin_sets_a_supervisors_units_and_a_bad_code_changes_nothing(
    signed_in, make_account, make_unit, session
):
    client, _admin = signed_in("admin")
    supervisor = make_account(role="supervisor", username="esihenkilo")
    unit = make_unit(code="KOHO-001")
    page = client.get("/admin/supervisors")
    assert page.status_code == 200
    assert "esihenkilo" in page.text

    saved = client.post("/admin/supervisors/esihenkilo", data={"units": "KOHO-001", "employee_number": "E1"})
    assert saved.status_code == 302
    session.expire_all()
    assert supervised_unit_ids(session, supervisor.id) == [unit.id]
    assert supervisor.employee_number == "E1"

    refused = client.post("/admin/supervisors/esihenkilo", data={"units": "KOHO-001, NOPE"})
    assert refused.status_code == 400
    assert "NOPE" in refused.text
    session.expire_all()
    assert supervised_unit_ids(session, supervisor.id) == [unit.id]


def test_only_admins_reach_it(signed_in):
    supervisor, _account = signed_in("supervisor")
    assert supervisor.get("/admin/supervisors").status_code == 403
    assert supervisor.post("/admin/supervisors/x", data={"units": ""}).status_code == 403
