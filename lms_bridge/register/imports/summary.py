"""The result of an import, as the CLI and the admin pages show it: counts, what changes, rejected rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(frozen=True)
class MassDeactivation:
    """A staff import would deactivate more than the allowed share of the active staff."""

    deactivated: int
    active: int
    max_share: float

    def warning(self) -> str:
        return str(
            _(
                "Tuonti passivoisi %(n)s henkilöä %(active)s aktiivisesta (%(share)s %%), enemmän kuin "
                "sallitut %(max)s %%.",
                n=self.deactivated,
                active=self.active,
                share=round(100 * self.deactivated / self.active),
                max=round(100 * self.max_share),
            )
        )

    def message(self) -> str:
        return self.warning() + " " + str(_("Tuontia ei tehty; tietokantaa ei muutettu."))


@dataclass
class ImportSummary:
    kind: str  # "units", "staff" or "completions"
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    already_recorded: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What changes, one label per record ("1001 Mäkelä Aino"), by "created", "updated", "deactivated":
    # the preview an admin checks before confirming.
    changes: dict[str, list[str]] = field(default_factory=dict)
    mass_deactivation: MassDeactivation | None = None
    _rejected_at: dict[int, int] = field(default_factory=dict, repr=False)  # line -> index in rejected

    def reject(self, line: int, reason: str) -> None:
        """Reject a row; a second reason for the same row joins the first, so each row is listed once."""
        index = self._rejected_at.get(line)
        if index is not None:
            self.rejected[index] = RejectedRow(line, f"{self.rejected[index].reason}; {reason}")
            return
        self._rejected_at[line] = len(self.rejected)
        self.rejected.append(RejectedRow(line, reason))

    def change(self, kind: str, label: str) -> None:
        self.changes.setdefault(kind, []).append(label)

    def lines(self) -> list[str]:
        """The rejected rows, one line each, in file order."""
        return [
            str(_("rivi %(line)s: %(reason)s", line=row.line, reason=row.reason))
            for row in sorted(self.rejected, key=lambda r: r.line)
        ]

    def summary(self) -> str:
        """One line for the user: what happened (or would happen on a dry run)."""
        if self.rejected:
            return str(
                ngettext(
                    "Tuonti hylättiin: %(num)s rivi %(rows)s rivistä on virheellinen. "
                    "Tietokantaa ei muutettu.",
                    "Tuonti hylättiin: %(num)s riviä %(rows)s rivistä on virheellisiä. "
                    "Tietokantaa ei muutettu.",
                    len(self.rejected),
                    rows=self.rows,
                )
            )
        prefix = str(_("Koeajo, ei tallennettu: ")) if self.dry_run else ""
        if self.kind == "completions":
            if self.created == 0 and self.already_recorded:
                return prefix + str(
                    _("Ei uusia suorituksia: kaikki %(n)s riviä on jo kirjattu.", n=self.already_recorded)
                )
            return prefix + str(
                _(
                    "%(created)s uutta suoritusta, %(old)s jo kirjattu.",
                    created=self.created,
                    old=self.already_recorded,
                )
            )
        return prefix + str(
            _(
                "%(created)s uutta, %(updated)s päivitetty, %(unchanged)s ennallaan, "
                "%(deactivated)s passivoitu.",
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                deactivated=self.deactivated,
            )
        )
