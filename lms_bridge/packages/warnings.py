"""A package's warnings as an admin reads them: grouped by kind, counted, in Finnish — what each kind
means and whether the package still works — with the validator's technical lines kept behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

# kind: (what it means, does the package still work)
SUMMARIES: dict[str, tuple[Any, Any]] = {
    "xsd": (
        _l("Manifesti poikkeaa SCORM-skeemoista."),
        _l("Yleensä harmitonta: tekijätyökalut tekevät näin usein, ja paketti toimii soittimessa."),
    ),
    "file_missing": (
        _l("Manifesti luettelee tiedostoja, joita paketissa ei ole."),
        _l("Paketti toimii, ellei sisältö tarvitse juuri niitä; esikatsele se varmuuden vuoksi."),
    ),
    "default_organization": (
        _l("Manifestin oletusrakennetta ei ole; käytetään ensimmäistä."),
        _l("Paketti toimii."),
    ),
    "external_launch": (
        _l("Osa avaa ulkopuolisen osoitteen."),
        _l("Se osa ei toimi soittimessa, joka estää ulkopuoliset osoitteet; muut osat toimivat."),
    ),
    "missing_dependency": (
        _l("Resurssi viittaa resurssiin, jota ei ole määritelty."),
        _l("Paketti toimii yleensä; esikatsele se."),
    ),
    "sequencing": (
        _l("Paketissa on SCORM 2004 -järjestyssääntöjä, joita soitin ei noudata."),
        _l("Kaikki osat voi avata vapaassa järjestyksessä; sisältö toimii."),
    ),
}
EXAMPLES = 5  # technical lines shown per kind; the rest are counted


@dataclass(frozen=True)
class WarningGroup:
    code: str
    count: int
    meaning: str
    works: str
    examples: list[str]  # the validator's own lines (English), at most EXAMPLES


def group_warnings(warnings: Sequence[dict[str, Any]]) -> list[WarningGroup]:
    """The version's warnings by kind, the most frequent first."""
    by_code: dict[str, list[str]] = {}
    for warning in warnings:
        by_code.setdefault(str(warning.get("code", "")), []).append(str(warning.get("message", "")))
    groups = []
    for code, messages in by_code.items():
        meaning, works = SUMMARIES.get(code, (_l("Muu huomautus."), _l("Esikatsele paketti.")))
        groups.append(WarningGroup(code, len(messages), str(meaning), str(works), messages[:EXAMPLES]))
    return sorted(groups, key=lambda group: (-group.count, group.code))
