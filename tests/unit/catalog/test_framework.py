"""The shipped competence framework and the parser's messages."""

from __future__ import annotations

import pytest

from lms_bridge.catalog.errors import InvalidCompetenceFramework
from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework

TARGET_TITLES = {
    "asiakasohjaaja",
    "omaishoidon palveluohjaaja",
    "sosiaalityöntekijä",
    "kotihoitaja",
    "perhehoidon palveluohjaaja",
    "ikäkeskuksen työntekijä",
}


def test_shipped_framework_has_the_four_module_competences_and_twelve_in_all():
    specs = {spec.code: spec for spec in parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))}
    assert len(specs) == 12
    assert specs["KOHT-01"].names["fi"] == "Vaikuttava asiakaskohtaaminen"
    assert specs["HAIR-01"].names["fi"] == "Häiriökysynnän tunnistaminen ja vähentäminen"
    assert specs["OSAL-01"].names["fi"] == "Asiakasosallisuuden tasot"
    assert specs["OSAL-02"].names["fi"] == "Asiakasosallisuuden talo"
    assert all(spec.names["sv"] and spec.names["en"] for spec in specs.values())
    assert set(specs["KOHT-01"].required_for) == TARGET_TITLES
    assert {title for spec in specs.values() for title in spec.required_for} == TARGET_TITLES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("competences: [", "ei ole kelvollista YAMLia"),
        ("other: []", "puuttuu lista 'competences'"),
        ("competences: [x]", "ei ole avain–arvo-rakenne"),
        ("competences: [{code: 'a b'}]", "koodi puuttuu tai on virheellinen"),
        ("competences: [{code: A-1, name: {fi: a, sv: b}}]", "nimi kielellä fi, sv tai en"),
        ("competences: [{code: A-1, name: {fi: a, sv: b, en: c}, validity_months: 0}]", "voimassaolo"),
        ("competences: [{code: A-1, name: {fi: a, sv: b, en: c}, required_for: x}]", "required_for"),
        (
            "competences: [{code: A-1, name: {fi: a, sv: b, en: c}},"
            " {code: A-1, name: {fi: a, sv: b, en: c}}]",
            "kahdesti",
        ),
    ],
)
def test_bad_frameworks_are_refused_with_a_reason(text, message):
    with pytest.raises(InvalidCompetenceFramework, match=message):
        parse_framework(text)
