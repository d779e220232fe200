"""A hostile package changes nothing: its script runs on the content origin, in a sandboxed frame, and can
read no app page, no token and no other attempt, in the player and in the admin preview.

The package is crafted here as a zip and imported like any other. Its script tries what a package on the
app's own origin could do before (issue 10): fetch /admin/... and /play/... pages, read the player page
(`window.top.document`, its JSON config with the commit token), find the token anywhere it can reach,
post a commit for another course's attempt (fetch, beacon, a form), change another course's rules as the
admin, and talk to the player page's run-time directly. Every try fails, and a snapshot of what a package
could change in the database is the same afterwards. The same machinery checks the cross-frame API's
seeded cache: a SCO reading its suspend data right after Initialize gets the stored value.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, Request, expect
from sqlalchemy import func, select

from lms_bridge.audit import AuditEvent
from lms_bridge.catalog.models import Course, CourseCompetence
from lms_bridge.catalog.service import publish, set_course_rules
from lms_bridge.db import transaction
from lms_bridge.packages.models import CurrentVersion, PackageVersion
from lms_bridge.packages.service import import_package
from lms_bridge.packages.store import PackageStore
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.models import Completion
from scorm.build import default_schemas
from scorm.package import Limits
from tests.browser.player_site import (
    FIXTURE_COMPETENCE,
    PlayerSite,
    content_frame,
    launch,
    lenient_page_fixture,  # noqa: F401 - registers the fixture
    player_site_fixture,  # noqa: F401 - registers the fixture
    wait_saved,
)
from tests.browser.sco_driver import ScoDriver
from tests.browser.test_player_accessibility import AXE_RUN
from tests.browser.test_sco_accessibility import AXE_TAGS

pytestmark = pytest.mark.browser

VICTIM = "kohtaaminen"  # one of our modules: the course the package must not touch
ADMIN, PASSWORD = "isolation-admin", "eristystestin-salasana"

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{slug}" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>{title}</title>
      <item identifier="item" identifierref="res"><title>{title}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="config.js"/><file href="{script}"/>
    </resource>
  </resources>
</manifest>
"""
PAGE = """<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>{title}</title>
<script src="config.js"></script><script src="{script}"></script></head>
<body><h1>{title}</h1><p id="out"></p></body></html>
"""
# What the hostile package runs (on the test's command, so the snapshot is taken before it starts).
PROBE_JS = r"""
window.hostile = (function () {
  "use strict";
  var cfg = window.HOSTILE;
  var app = cfg.app;
  var result = {};

  function attempt(name, fn) {
    return Promise.resolve().then(fn).then(
      function (value) { result[name] = "succeeded: " + String(value).slice(0, 2000); },
      function (error) { result[name] = "failed: " + (error && (error.name || error.message) || error); }
    );
  }

  function read(url, options) {
    return fetch(app + url, Object.assign({ credentials: "include" }, options || {})).then(function (r) {
      return r.status + " " + (r.type === "opaque" ? "(opaque)" : "") ;
    });
  }

  /* Everything this origin lets the package read: its frame page (same origin), the API's cache there,
     this origin's storage, and the player page if it could (it cannot). */
  function harvest() {
    var parts = [document.cookie];
    try { parts.push(window.parent.document.documentElement.outerHTML); } catch (e) { parts.push("x"); }
    try {
      var api = window.parent.API || window.parent.API_1484_11;
      if (api && api._cache) api._cache.forEach(function (value, key) { parts.push(key + "=" + value); });
    } catch (e) { parts.push("x"); }
    try {
      for (var i = 0; i < localStorage.length; i++) parts.push(localStorage.getItem(localStorage.key(i)));
    } catch (e) { parts.push("x"); }
    try { parts.push(window.top.document.documentElement.outerHTML); } catch (e) { parts.push("x"); }
    return parts.join("\n");
  }

  function commitBody(token) {
    return JSON.stringify({
      token: token, item: "sco", seq: Date.now() * 1000, finish: true,
      changes: [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "100"]]
    });
  }

  var stolen = "";
  var victimCommit = "/play/attempt/" + cfg.victimAttempt + "/commit";
  var tries = [
    ["document.cookie", function () {
      if (!document.cookie) throw { name: "empty" };
      return document.cookie;
    }],
    ["read window.top.document", function () { return window.top.document.title; }],
    ["read window.parent.parent.document", function () { return window.parent.parent.document.title; }],
    ["read the player's JSON config", function () {
      return window.top.document.getElementById("player-config").textContent;
    }],
    ["read the player's run-time", function () { return JSON.stringify(window.top.API.cmi); }],
    ["read the player's state", function () { return window.top.lmsbPlayer.lastAnswer(); }],
    ["find a commit token", function () {
      var found = harvest().match(/"token": ?"([0-9a-f]{64})"/);
      if (!found) throw { name: "not found" };
      stolen = found[1];
      return stolen;
    }],
    ["fetch /admin/packages", function () { return read("/admin/packages"); }],
    ["fetch another course", function () { return read("/play/" + cfg.victimSlug); }],
    ["fetch another attempt's page", function () { return read("/play/attempt/" + cfg.victimAttempt); }],
    ["commit to another attempt", function () {
      var body = commitBody(stolen || "0".repeat(64));
      return read(victimCommit, { method: "POST", headers: { "Content-Type": "text/plain" }, body: body });
    }],
    ["commit without CORS (no-cors)", function () {
      var body = commitBody(stolen || "0".repeat(64));
      return read(victimCommit, { method: "POST", mode: "no-cors", body: body });
    }],
    ["change another course's rules", function () {
      var form = new URLSearchParams({ competences: "OSAL-02", passing_score: "1", csrf_token: stolen });
      return read("/admin/courses/" + cfg.victimSlug + "/rules", { method: "POST", body: form });
    }]
  ];

  /* Tries whose outcome the script cannot see: whether they changed anything is for the database. */
  function blindTries() {
    navigator.sendBeacon(app + victimCommit, commitBody(stolen || "0".repeat(64)));
    var form = document.createElement("form");
    form.method = "post";
    form.action = app + "/admin/courses/" + cfg.victimSlug + "/rules";
    form.innerHTML = '<input name="passing_score" value="1"><input name="competences" value="OSAL-02">';
    document.body.appendChild(form);
    try { form.submit(); } catch (e) { /* blocked */ }
    // Straight to the player page's run-time, around the frame page's API; and a fake notice
    var top = window.top;
    var set = ["cmi.core.lesson_status", "passed"];
    top.postMessage({ messageId: "h-1", method: "LMSSetValue", params: set }, "*");
    top.postMessage({ messageId: "h-2", method: "LMSCommit", params: [""] }, "*");
    top.postMessage({ type: "lmsb:content", event: "loaded", blocked: ["hostile.example"] }, "*");
  }

  function run() {
    var chain = Promise.resolve();
    tries.forEach(function (entry) {
      chain = chain.then(function () { return attempt(entry[0], entry[1]); });
    });
    return chain
      .then(function () {
        // Its own API, legitimately: now a SetValue that got to the run-time would be applied.
        (window.parent.API || window.parent.API_1484_11).LMSInitialize("");
        return new Promise(function (resolve) { window.setTimeout(resolve, 300); });
      })
      .then(blindTries)
      .then(function () { result.harvest = harvest(); return result; });
  }

  return { run: run };
})();
"""


def package_zip(slug: str, title: str, script: str, config: dict[str, Any] | None = None) -> bytes:
    """A one-SCO SCORM 1.2 package whose page runs `script` (with `config` as window.HOSTILE)."""
    files = {
        "imsmanifest.xml": MANIFEST.format(slug=slug, title=title, script="sco.js"),
        "index.html": PAGE.format(title=title, script="sco.js"),
        "config.js": f"window.HOSTILE = {json.dumps(config or {})};",
        "sco.js": script,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def import_zip(site: PlayerSite, data: bytes, slug: str, tmp_path: Path) -> int:
    """Import a package as an admin would, into the running site; its version's id."""
    path = tmp_path / f"{slug}.zip"
    path.write_bytes(data)
    with site.app.app_context(), transaction() as session:
        result = import_package(
            session,
            path,
            store=PackageStore.under(site.app.config["DATA_DIR"]),
            schemas=default_schemas(),
            limits=Limits(max_files=100, max_total_bytes=1 << 20, max_ratio=200),
            actor="test",
            origin="cli",
            course_slug=slug,
            new_course=True,
        )
        set_course_rules(
            session,
            course=result.course,
            competence_codes=[FIXTURE_COMPETENCE],
            passing_score=None,
            actor="t",
        )
        publish(session, result.course, actor="t")
        return result.version.id


def snapshot(site: PlayerSite) -> dict[str, Any]:
    """Everything a package could want to change: attempts and their items, completions, course rules,
    package versions, the audit trail."""
    with site.db() as s:
        return {
            "attempts": sorted(
                (a.id, a.completion_status, a.success_status, a.score, a.completed_at, a.last_commit_seq)
                for a in s.scalars(select(Attempt))
            ),
            "items": sorted(
                (i.attempt_id, i.item, i.seq, json.dumps(i.state, sort_keys=True))
                for i in s.scalars(select(AttemptItem))
            ),
            "completions": s.scalar(select(func.count()).select_from(Completion)),
            "courses": sorted((c.slug, c.passing_score) for c in s.scalars(select(Course))),
            "course competences": s.scalar(select(func.count()).select_from(CourseCompetence)),
            "versions": s.scalar(select(func.count()).select_from(PackageVersion)),
            "current": sorted(
                tuple(r) for r in s.execute(select(CurrentVersion.course_id, CurrentVersion.version_id))
            ),
            "audit": s.scalar(select(func.count()).select_from(AuditEvent)),
        }


def axe_violations(page: Page, axe_js: Path, where: str) -> list[str]:
    """axe-core on a page whose CSP allows no inline script, without lifting the CSP (this test is about
    it): Playwright's evaluate is not a page script."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_js.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return [f"{where}: {v['id']} ({v['help']}) at {v['nodes'][:3]}" for v in found]


def probe(frame: Frame) -> dict[str, str]:
    frame.wait_for_function("() => window.hostile !== undefined")
    found: dict[str, str] = frame.evaluate("() => window.hostile.run()")
    return found


def app_requests_from_content(page: Page, site: PlayerSite) -> list[str]:
    """Requests to the app's origin made by any frame but the page itself (the package's tries)."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if request.url.startswith(site.base_url) and request.frame != page.main_frame:
            seen.append(f"{request.method} {request.url}")

    page.on("request", record)
    return seen


def content_cookies(page: Page, site: PlayerSite) -> list[str]:
    """Cookie headers sent to the content origin (there must be none)."""
    sent: list[str] = []
    origin = site.server.content_origin

    def record(request: Request) -> None:
        if request.url.startswith(origin) and "cookie" in request.headers:
            sent.append(request.url)

    page.on("request", record)
    return sent


FAILED_TRIES = [
    "read window.top.document",
    "read window.parent.parent.document",
    "read the player's JSON config",
    "read the player's run-time",
    "read the player's state",
    "find a commit token",
    "fetch /admin/packages",
    "fetch another course",
    "fetch another attempt's page",
    "commit to another attempt",
    "commit without CORS (no-cors)",
    "change another course's rules",
]


def test_a_hostile_package_in_the_player_reads_and_changes_nothing(
    lenient_page: tuple[Page, list[str]], player_site: PlayerSite, tmp_path: Path, axe_js: Path
) -> None:
    page, _errors = lenient_page
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    # The victim: the same learner's attempt at another course, in progress
    launch(page, site, VICTIM)
    sco = ScoDriver(content_frame(page), site.modules[VICTIM])
    sco.wait_ready()
    sco.next()
    wait_saved(page)
    (victim,) = site.attempts(staff, VICTIM)

    slug = "isolation-player"
    config = {"app": site.base_url, "victimSlug": VICTIM, "victimAttempt": victim.id}
    import_zip(site, package_zip(slug, "Vihamielinen paketti", PROBE_JS, config), slug, tmp_path)
    app_requests = app_requests_from_content(page, site)
    cookies = content_cookies(page, site)
    launch(page, site, slug)
    frame = content_frame(page)
    token = page.evaluate("() => JSON.parse(document.getElementById('player-config').textContent).token")
    before = snapshot(site)

    found = probe(frame)

    for name in FAILED_TRIES:
        assert found[name].startswith("failed"), (name, found[name])
    assert found["document.cookie"] == "failed: empty"  # no app cookie on the content origin
    harvest = found.pop("harvest")
    assert token not in harvest
    assert "player-config" not in harvest
    assert token not in json.dumps(found)
    page.wait_for_timeout(500)  # the beacon, the form and the messages have had their chance
    assert snapshot(site) == before
    # the player's run-time took nothing from the SCO's window, and it showed no fake notice
    assert page.evaluate("() => API.cmi.core.lesson_status") == "not attempted"
    expect(page.locator("#player-status")).not_to_contain_text("hostile.example")
    expect(page.locator("#player-notices")).not_to_contain_text("hostile.example")
    assert app_requests == []
    assert cookies == []
    # and the package's script did run: it could read its own frame page (the same, content, origin)
    assert "content-frame.js" in harvest
    assert axe_violations(page, axe_js, "player with a hostile package") == []


def test_a_hostile_package_in_the_admin_preview_cannot_act_as_the_admin(
    lenient_page: tuple[Page, list[str]], player_site: PlayerSite, tmp_path: Path, axe_js: Path
) -> None:
    page, _errors = lenient_page
    site = player_site
    site.server.cli("accounts", "create", ADMIN, "--role", "admin", "--password", PASSWORD)
    slug = "isolation-preview"
    config = {"app": site.base_url, "victimSlug": VICTIM, "victimAttempt": 1}
    version_id = import_zip(
        site, package_zip(slug, "Vihamielinen esikatselu", PROBE_JS, config), slug, tmp_path
    )
    page.goto(site.url("/auth/login?next=/admin/packages"))
    page.get_by_label("Käyttäjätunnus").fill(ADMIN)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_role("heading", name="Kurssipaketit", level=1)).to_be_visible()
    app_requests = app_requests_from_content(page, site)
    cookies = content_cookies(page, site)

    page.goto(site.url(f"/admin/versions/{version_id}/preview"))
    frame = page.frame_locator("#preview-frame").frame_locator("#sco-frame")
    expect(frame.get_by_role("heading", name="Vihamielinen esikatselu")).to_be_visible()
    sco = next(f for f in page.frames if f.url.endswith("/index.html"))
    before = snapshot(site)

    found = probe(sco)

    for name in FAILED_TRIES:
        if name in ("read the player's JSON config", "read the player's state"):
            continue  # the preview page has neither; reading it fails the same way
        assert found[name].startswith("failed"), (name, found[name])
    harvest = found.pop("harvest")
    assert "csrf_token" not in harvest
    assert "Kurssipaketit" not in harvest  # no admin page's text
    page.wait_for_timeout(500)
    assert snapshot(site) == before
    assert app_requests == []
    assert cookies == []
    assert "content-frame.js" in harvest
    assert axe_violations(page, axe_js, "preview of a hostile package") == []
    # the admin is still signed in and the victim course's rules are as they were
    page.goto(site.url(f"/admin/courses/{VICTIM}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vaikuttava asiakaskohtaaminen")


READER_JS = r"""
// Reads its suspend data right after LMSInitialize, as many SCOs do, and shows it; the first time it
// stores some.
document.addEventListener("DOMContentLoaded", function () {
  var api = window.parent.API;
  api.LMSInitialize("");
  var read = api.LMSGetValue("cmi.suspend_data");
  var entry = api.LMSGetValue("cmi.core.entry");
  document.getElementById("out").textContent = JSON.stringify({ suspend: read, entry: entry });
  if (!read) {
    api.LMSSetValue("cmi.suspend_data", "tallennettu-tila-42");
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    api.LMSSetValue("cmi.core.exit", "suspend");
    api.LMSCommit("");
  }
});
"""


def test_a_sco_reads_its_stored_suspend_data_right_after_initialize(
    page: Page, player_site: PlayerSite, tmp_path: Path
) -> None:
    """CrossFrameAPI answers from its cache: the frame page fills it with the attempt's state before the
    SCO starts, so a synchronous read right after Initialize gets the stored value, not ""."""
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    slug = "isolation-reader"
    import_zip(site, package_zip(slug, "Lukija", READER_JS), slug, tmp_path)

    launch(page, site, slug)
    out = content_frame(page).locator("#out")
    expect(out).to_contain_text('"suspend":""')
    wait_saved(page)
    page.reload()
    expect(content_frame(page).locator("#out")).to_have_text(
        re.compile(r'"suspend":"tallennettu-tila-42","entry":"resume"')
    )
