"""CSV import of the HR export: units (the tree) and staff. A full export: what is missing is deactivated.

units.csv:  unit_code, name, kind (region|service_area|unit|team, or hyvinvointialue|palvelualue|yksikkö|
            tiimi), parent_code (empty for the region)
staff.csv:  employee_number, first_name, last_name, job_title, unit_code, optional email and active
            (1/0, kyllä/ei); optionally unit_name, unit_kind and parent_unit_code, which create or
            update the staff member's unit so one HR file can carry both; optionally supervises: the
            codes of the units the person supervises (comma- or space-separated; empty: none), so the
            supervisor reports follow the organisation.
Staff not in the file are deactivated, never deleted. See docs/register.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.db import utcnow
from lms_bridge.register.errors import ImportRejected, MassDeactivationStopped
from lms_bridge.register.imports.csv_io import CsvTable, parse_bool, read_csv
from lms_bridge.register.imports.summary import ImportSummary, MassDeactivation
from lms_bridge.register.models import UNIT_KINDS, OrgUnit, Staff
from lms_bridge.register.scopes import set_supervised_units

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
KIND_ALIASES = {
    "region": "region",
    "hyvinvointialue": "region",
    "alue": "region",
    "service_area": "service_area",
    "palvelualue": "service_area",
    "unit": "unit",
    "yksikkö": "unit",
    "team": "team",
    "tiimi": "team",
}
STAFF_COLUMNS = ("employee_number", "first_name", "last_name", "job_title", "unit_code")
STAFF_OPTIONAL = ("email", "active", "unit_name", "unit_kind", "parent_unit_code", "supervises")


@dataclass(frozen=True)
class UnitSpec:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str | None


def import_units(session: Session, data: bytes, *, actor: str, dry_run: bool = False) -> ImportSummary:
    """Bring the unit tree in line with the file; units not in it are deactivated. Raises ImportRejected."""
    table = read_csv(data, required=("unit_code", "name", "kind", "parent_code"))
    report = ImportSummary(kind="units", dry_run=dry_run, rows=len(table.rows))
    specs: dict[str, UnitSpec] = {}
    for line, values in table.rows:
        spec = _unit_spec(
            report, line, values["unit_code"], values["name"], values["kind"], values["parent_code"]
        )
        if spec is not None:
            _add_spec(report, specs, spec)
    defined = {values["unit_code"] for _line, values in table.rows}
    _check_tree(report, specs, _existing_units(session), defined)
    return _finish(
        session, report, actor, dry_run, lambda: _apply_units(session, report, specs, deactivate=True)
    )


def import_staff(
    session: Session,
    data: bytes,
    *,
    actor: str,
    dry_run: bool = False,
    max_deactivate_share: float | None = None,
    allow_mass_deactivation: bool = False,
) -> ImportSummary:
    """Create, update, reactivate and deactivate staff to match the file.

    An import that would deactivate more than `max_deactivate_share` of the active staff (a truncated
    or wrong export looks like that) stops unless `allow_mass_deactivation`; a dry run reports it in
    `mass_deactivation`. Raises ImportRejected, or its MassDeactivationStopped.
    """
    table = read_csv(data, required=STAFF_COLUMNS, optional=STAFF_OPTIONAL)
    report = ImportSummary(kind="staff", dry_run=dry_run, rows=len(table.rows))
    specs = _units_from_staff_rows(report, table)
    rows = _staff_rows(report, table)
    # Every check that needs only the file and the current units runs before anything is written, so one
    # pass lists every rejected row: a bad unit on one row no longer waits for the other rows' fixes.
    units = _existing_units(session)
    defined = {values["unit_code"] for _line, values in table.rows if values.get("unit_name")}
    _check_tree(report, specs, units, defined)
    _check_staff_units(report, rows, known=set(units) | set(specs) | defined)

    def apply() -> None:
        active_before = session.scalar(select(func.count()).select_from(Staff).where(Staff.active.is_(True)))
        _apply_units(session, report, specs, deactivate=False)
        _apply_staff(session, report, rows)
        if (
            max_deactivate_share is not None
            and active_before
            and report.deactivated > max_deactivate_share * active_before
        ):
            report.mass_deactivation = MassDeactivation(
                report.deactivated, active_before, max_deactivate_share
            )

    return _finish(session, report, actor, dry_run, apply, allow_mass_deactivation=allow_mass_deactivation)


def _finish(
    session: Session,
    report: ImportSummary,
    actor: str,
    dry_run: bool,
    apply: Callable[[], None],
    *,
    allow_mass_deactivation: bool = True,
) -> ImportSummary:
    if report.rejected:
        raise ImportRejected(report.summary(), report=report)
    # A dry run does the real work inside a SAVEPOINT and rolls it back, so it reports exactly what the
    # real run would do, including rows that only the database can reject.
    savepoint = session.begin_nested()
    apply()
    if report.rejected:
        savepoint.rollback()
        raise ImportRejected(report.summary(), report=report)
    if dry_run:
        savepoint.rollback()
        return report
    if report.mass_deactivation is not None and not allow_mass_deactivation:
        savepoint.rollback()
        raise MassDeactivationStopped(report.mass_deactivation.message(), report=report)
    savepoint.commit()
    record_event(
        session,
        actor=actor,
        action=f"{report.kind}.imported",
        subject_type=f"{report.kind}_import",
        details={k: getattr(report, k) for k in ("rows", "created", "updated", "unchanged", "deactivated")},
    )
    return report


def _unit_spec(
    report: ImportSummary, line: int, code: str, name: str, kind: str, parent: str
) -> UnitSpec | None:
    if not UNIT_CODE.match(code):
        report.reject(line, _("yksikkökoodi %(code)s puuttuu tai sisältää kiellettyjä merkkejä", code=code))
        return None
    if not name:
        report.reject(line, _("yksikön %(code)s nimi puuttuu", code=code))
        return None
    kind_key = KIND_ALIASES.get(kind.strip().lower())
    if kind_key is None:
        report.reject(
            line, _("tuntematon yksikkötyyppi %(kind)s (region, service_area, unit, team)", kind=kind)
        )
        return None
    if (kind_key == "region") != (not parent):
        report.reject(line, _("vain alueella (region) ei ole yläyksikköä"))
        return None
    return UnitSpec(line, code, name, kind_key, parent or None)


def _add_spec(report: ImportSummary, specs: dict[str, UnitSpec], spec: UnitSpec) -> bool:
    previous = specs.get(spec.code)
    if previous is None:
        specs[spec.code] = spec
        return True
    if (previous.name, previous.kind, previous.parent_code) != (spec.name, spec.kind, spec.parent_code):
        report.reject(
            spec.line,
            _("yksikkö %(code)s on jo rivillä %(line)s eri tiedoin", code=spec.code, line=previous.line),
        )
    return False


def _units_from_staff_rows(report: ImportSummary, table: CsvTable) -> dict[str, UnitSpec]:
    specs: dict[str, UnitSpec] = {}
    if "unit_name" not in table.header:
        return specs
    for line, values in table.rows:
        if not values.get("unit_name"):
            continue
        spec = _unit_spec(
            report,
            line,
            values["unit_code"],
            values["unit_name"],
            values.get("unit_kind") or "unit",
            values.get("parent_unit_code", ""),
        )
        if spec is not None:
            _add_spec(report, specs, spec)
    return specs


def _existing_units(session: Session) -> dict[str, OrgUnit]:
    return {unit.code: unit for unit in session.scalars(select(OrgUnit))}


def _check_tree(
    report: ImportSummary, specs: dict[str, UnitSpec], units: dict[str, OrgUnit], defined: set[str]
) -> None:
    """Reject specs whose parent is unknown or not higher in the hierarchy, and cycles; writes nothing.

    `defined`: every unit code the file defines, also on rows rejected already — a child of such a unit
    is not rejected a second time for its parent.
    """
    for spec in specs.values():
        parent = specs.get(spec.parent_code) if spec.parent_code else None
        parent_kind = (
            parent.kind if parent else (units[spec.parent_code].kind if spec.parent_code in units else None)
        )
        if spec.parent_code and parent_kind is None:
            if spec.parent_code not in defined:
                report.reject(spec.line, _("yläyksikköä %(code)s ei löydy", code=spec.parent_code))
        elif parent_kind is not None and UNIT_KINDS.index(parent_kind) >= UNIT_KINDS.index(spec.kind):
            report.reject(
                spec.line, _("yksikkö %(code)s ei voi olla yläyksikkönsä yläpuolella", code=spec.code)
            )
    rejected = {row.line for row in report.rejected}
    pending = {code for code, spec in specs.items() if spec.line not in rejected}
    while pending:  # parents first; a pass that places nothing means a cycle
        ready = {code for code in pending if specs[code].parent_code not in pending}
        if not ready:
            for code in sorted(pending, key=lambda c: specs[c].line):
                report.reject(
                    specs[code].line, _("yksikköpuussa on silmukka yksikön %(code)s kohdalla", code=code)
                )
            return
        pending -= ready


def _check_staff_units(report: ImportSummary, rows: list[_StaffRow], *, known: set[str]) -> None:
    """Reject rows naming a unit (theirs, or one they supervise) that neither exists nor is in the file."""
    for row in rows:
        if row.unit_code not in known:
            report.reject(row.line, _("yksikköä %(code)s ei löydy", code=row.unit_code))
        unknown = [code for code in row.supervises or () if code not in known]
        if unknown:
            report.reject(row.line, _("esihenkilön yksikköä %(code)s ei löydy", code=unknown[0]))


def _apply_units(
    session: Session, report: ImportSummary, specs: dict[str, UnitSpec], *, deactivate: bool
) -> None:
    """Write checked specs (`_check_tree` first), parents first."""
    units = _existing_units(session)
    count = report.kind == "units"
    pending = dict(specs)
    while pending:
        ready = [s for s in pending.values() if not s.parent_code or s.parent_code not in pending]
        if not ready:  # _check_tree rejects cycles; this only stops an endless loop on unchecked specs
            raise RuntimeError("unit specs with a cycle reached _apply_units")
        for spec in ready:
            del pending[spec.code]
            unit = units.get(spec.code)
            parent_id = units[spec.parent_code].id if spec.parent_code else None
            if unit is None:
                unit = OrgUnit(code=spec.code, name=spec.name, kind=spec.kind, parent_id=parent_id, path="/")
                session.add(unit)
                units[spec.code] = unit
                report.created += count
                if count:
                    report.change("created", f"{spec.code} {spec.name}")
            elif (unit.name, unit.kind, unit.parent_id, unit.active) != (
                spec.name,
                spec.kind,
                parent_id,
                True,
            ):
                if count:
                    report.change(
                        "updated", _changed(f"{spec.code} {spec.name}", _unit_fields(unit, spec, parent_id))
                    )
                unit.name, unit.kind, unit.parent_id, unit.active = spec.name, spec.kind, parent_id, True
                report.updated += count
            else:
                report.unchanged += count
        session.flush()
    if deactivate:
        for unit in units.values():
            if unit.code not in specs and unit.active:
                unit.active = False
                report.deactivated += 1
                report.change("deactivated", f"{unit.code} {unit.name}")
    _rebuild_paths(units.values())
    session.flush()


def _unit_fields(unit: OrgUnit, spec: UnitSpec, parent_id: int | None) -> list[str]:
    return [
        label
        for label, changed in (
            (_("nimi"), unit.name != spec.name),
            (_("tyyppi"), unit.kind != spec.kind),
            (_("yläyksikkö"), unit.parent_id != parent_id),
            (_("otetaan uudelleen käyttöön"), not unit.active),
        )
        if changed
    ]


def _changed(label: str, fields: list[str]) -> str:
    """'1001 Mäkelä Aino: yksikkö, tehtävänimike' for the preview."""
    return f"{label}: {', '.join(fields)}" if fields else label


def _rebuild_paths(units: Iterable[OrgUnit]) -> None:
    """Recompute every materialised path from the parent links (a moved unit moves its subtree)."""
    by_id = {unit.id: unit for unit in units}

    def path_of(unit: OrgUnit) -> str:
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        return (path_of(parent) if parent else "/") + f"{unit.id}/"

    for unit in by_id.values():
        new_path = path_of(unit)
        if unit.path != new_path:
            unit.path = new_path


@dataclass(frozen=True)
class _StaffRow:
    line: int
    employee_number: str
    first_name: str
    last_name: str
    email: str | None
    job_title: str
    unit_code: str
    active: bool
    supervises: tuple[str, ...] | None  # None: the file has no supervises column


def _staff_rows(report: ImportSummary, table: CsvTable) -> list[_StaffRow]:
    rows: list[_StaffRow] = []
    seen: dict[str, int] = {}
    for line, v in table.rows:
        number = v["employee_number"]
        problem = None
        if "__extra__" in v:
            problem = _("rivillä on enemmän kenttiä kuin otsikossa")
        elif not number:
            problem = _("henkilönumero puuttuu")
        elif number in seen:
            problem = _("henkilönumero %(n)s on jo rivillä %(line)s", n=number, line=seen[number])
        elif not v["first_name"] or not v["last_name"]:
            problem = _("etu- tai sukunimi puuttuu")
        elif not v["job_title"]:
            problem = _("tehtävänimike puuttuu")
        elif v.get("email") and "@" not in v["email"]:
            problem = _("sähköpostiosoite %(email)s ei kelpaa", email=v["email"])
        supervises = tuple(re.split(r"[\s,]+", v["supervises"].strip())) if v.get("supervises") else ()
        bad_codes = [code for code in supervises if not UNIT_CODE.match(code)]
        if bad_codes and not problem:
            problem = _("esihenkilön yksikkötunnus %(code)s ei kelpaa", code=bad_codes[0])
        try:
            active = parse_bool(v.get("active", ""), default=True)
        except ValueError as error:
            problem = problem or str(error)
            active = True
        if problem:
            report.reject(line, problem)
            continue
        seen[number] = line
        rows.append(
            _StaffRow(
                line,
                number,
                v["first_name"],
                v["last_name"],
                v.get("email") or None,
                v["job_title"].lower(),
                v["unit_code"],
                active,
                supervises if "supervises" in table.header else None,
            )
        )
    return rows


def _apply_staff(session: Session, report: ImportSummary, rows: list[_StaffRow]) -> None:
    unit_ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    existing = {s.employee_number: s for s in session.scalars(select(Staff))}
    for row in rows:
        unit_id = unit_ids.get(row.unit_code)
        if unit_id is None:
            report.reject(row.line, _("yksikköä %(code)s ei löydy", code=row.unit_code))
            continue
        values = (row.first_name, row.last_name, row.email, row.job_title, unit_id, row.active)
        staff = existing.get(row.employee_number)
        label = f"{row.employee_number} {row.last_name} {row.first_name}"
        if staff is None:
            session.add(
                Staff(
                    employee_number=row.employee_number,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    email=row.email,
                    job_title=row.job_title,
                    unit_id=unit_id,
                    active=row.active,
                )
            )
            report.created += 1
            report.change("created", label)
        elif (
            staff.first_name,
            staff.last_name,
            staff.email,
            staff.job_title,
            staff.unit_id,
            staff.active,
        ) != values:
            fields = _staff_fields(staff, row, unit_id)
            # Made inactive by the file's active column: a leaver as much as one missing from the file.
            leaving = staff.active and not row.active
            staff.first_name, staff.last_name, staff.email = row.first_name, row.last_name, row.email
            staff.job_title, staff.unit_id, staff.active = row.job_title, unit_id, row.active
            if leaving:
                report.deactivated += 1
                report.change("deactivated", label)
            else:
                report.updated += 1
                report.change("updated", _changed(label, fields))
        else:
            report.unchanged += 1
    in_file = {row.employee_number for row in rows}
    for number, staff in existing.items():
        if number not in in_file and staff.active:
            staff.active = False  # a leaver: kept with their completions, never deleted
            report.deactivated += 1
            report.change("deactivated", f"{number} {staff.last_name} {staff.first_name}")
    session.flush()
    _apply_supervisors(session, report, rows, unit_ids)


def _staff_fields(staff: Staff, row: _StaffRow, unit_id: int) -> list[str]:
    return [
        label
        for label, changed in (
            (_("nimi"), (staff.first_name, staff.last_name) != (row.first_name, row.last_name)),
            (_("sähköposti"), staff.email != row.email),
            (_("tehtävänimike"), staff.job_title != row.job_title),
            (_("yksikkö"), staff.unit_id != unit_id),
            (_("palaa aktiiviseksi"), not staff.active and row.active),
        )
        if changed
    ]


def _apply_supervisors(
    session: Session, report: ImportSummary, rows: list[_StaffRow], unit_ids: dict[str, int]
) -> None:
    """The file's supervises column, when it has one: each person supervises exactly those units."""
    staff_ids = dict(session.execute(select(Staff.employee_number, Staff.id)).all())
    changed = 0
    for row in rows:
        if row.supervises is None:
            continue
        unknown = [code for code in row.supervises if code not in unit_ids]
        if unknown:
            report.reject(row.line, _("esihenkilön yksikköä %(code)s ei löydy", code=unknown[0]))
            continue
        if set_supervised_units(
            session,
            staff_id=staff_ids[row.employee_number],
            unit_ids=[unit_ids[code] for code in row.supervises],
            actor="import:staff",
        ):
            changed += 1
    if changed:
        report.notes.append(_("Esihenkilöiden yksiköt muuttuivat %(n)s henkilöllä.", n=changed))


def apply_unit_specs(session: Session, specs: list[UnitSpec]) -> dict[str, int]:
    """Create or update units from specs (the demo generator's path in); returns code -> id.

    Raises ImportRejected when the specs do not form a valid tree.
    """
    report = ImportSummary(kind="units", dry_run=False, rows=len(specs))
    by_code = {spec.code: spec for spec in specs}
    _check_tree(report, by_code, _existing_units(session), set())
    if report.rejected:
        raise ImportRejected(report.summary(), report=report)
    _apply_units(session, report, by_code, deactivate=False)
    return dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())


def insert_staff_bulk(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert many new staff rows with one executemany (generated data; imports use `import_staff`)."""
    now = utcnow()
    session.execute(
        insert(Staff),
        [{"active": True, "email": None, "created_at": now, "updated_at": now, **row} for row in rows],
    )
