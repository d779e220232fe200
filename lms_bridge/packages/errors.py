"""Package errors, with the Finnish message for each refusal the scorm library can report.

DomainError
└── PackageImportError (400)   a package was refused; `member` names the file inside the zip
    UnknownCourse (404)        no such course / version
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lms_bridge.errors import DomainError
from scorm.errors import PackageError

# One Finnish sentence per refusal code of scorm.package; %(member)s is the file inside the zip.
MESSAGES: dict[str, Any] = {
    "not_a_zip": _l("Tiedosto ei ole zip-paketti, tai se on vioittunut tai tyhjä."),
    "corrupt": _l("Zip-paketin tiedosto %(member)s on vioittunut."),
    "unsupported": _l("Zip-paketin tiedosto %(member)s on pakattu tavalla, jota ei tueta."),
    "bad_name": _l("Zip-paketissa on virheellinen tiedostonimi: %(member)s."),
    "absolute_path": _l("Zip-paketissa on absoluuttinen polku, jota ei sallita: %(member)s."),
    "path_traversal": _l("Zip-paketissa on polku, joka osoittaa paketin ulkopuolelle: %(member)s."),
    "symlink": _l("Zip-paketissa on symbolinen linkki, jota ei sallita: %(member)s."),
    "special_file": _l("Zip-paketissa on laitetiedosto tai muu erikoistiedosto: %(member)s."),
    "encrypted": _l("Zip-paketissa on salattu tiedosto, jota ei voi lukea: %(member)s."),
    "duplicate_name": _l("Zip-paketissa on sama tiedosto kahdesti: %(member)s."),
    "too_many_files": _l("Zip-paketissa on liikaa tiedostoja."),
    "too_large": _l("Zip-paketin tiedostot ovat purettuina liian suuria (%(member)s)."),
    "zip_bomb": _l("Tiedosto %(member)s on pakattu epäilyttävän tiiviisti (zip-pommi); pakettia ei tuoda."),
    "no_manifest": _l("Paketista puuttuu imsmanifest.xml paketin juuresta. %(detail)s"),
    "bad_encoding": _l(
        "imsmanifest.xml ei ole ilmoittamassaan merkistössä (UTF-8). Tallenna se UTF-8-muodossa."
    ),
    "bad_manifest": _l("imsmanifest.xml on virheellinen: %(detail)s"),
    "no_organization": _l(
        "imsmanifest.xml ei kuvaa yhtään organisaatiota: paketissa ei ole käynnistettävää."
    ),
    "nothing_to_launch": _l("imsmanifest.xml ei kuvaa yhtään käynnistettävää sisältöä."),
    "missing_resource": _l("imsmanifest.xml viittaa resurssiin, jota ei ole määritelty: %(detail)s"),
    "launch_missing": _l("Käynnistystiedosto %(member)s puuttuu paketista."),
}


class PackageImportError(DomainError):
    code = "package_refused"

    def __init__(self, message: Any, *, member: str | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.member = member
        self.reason = reason

    @classmethod
    def from_package_error(cls, error: PackageError) -> PackageImportError:
        template = MESSAGES.get(error.code)
        member = error.member or ""
        if template is None:
            return cls(error.message, member=error.member, reason=error.code)
        # Lazy strings format with % like gettext's; English detail stays for the admin to search.
        message = template % {"member": member, "detail": error.message}
        return cls(message, member=error.member, reason=error.code)


class UnknownCourse(DomainError):
    status = 404
    code = "not_found"
