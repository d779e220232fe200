"""The result of an import, as the CLI and (later) the admin pages show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


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

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(RejectedRow(line, reason))

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
