/* The frame page on the content origin (lms_bridge/packages/content.py): it hosts the SCO in its own frame
   and gives it API (SCORM 1.2) or API_1484_11 (SCORM 2004), so the SCO finds the API in its parent as
   SCORM's API discovery expects.

   The API is scorm-again's CrossFrameAPI (pinned in package.json): it answers the SCO at once from a cache
   and passes every call by postMessage to the app page, where CrossFrameLMS runs it on the real
   scorm-again run-time (lms_bridge/static/player.js). This page is on another site than the app, so the
   SCO can read no app page, cookie or token; all it can do is call the API of its own attempt.

   Before the SCO is loaded, the cache is filled with the attempt's state from the app page (the
   run-time's getFlattenedCMI, which CrossFrameAPI itself asks for after each Initialize/SetValue/Commit):
   a SCO reading its suspend data right after Initialize gets the stored value, not "".

   Besides the API calls, this page tells the app page, as small messages of its own: the SCO page has
   loaded; which other servers the browser refused it (the content CSP allows this origin only: the
   browser's own reports of what it blocked, so a link that loads nothing is no false alarm); how tall
   the SCO's page is, so the app page can size its frame to it; and that the SCO has been unloaded when
   the app page asked for that before leaving. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("content-config").textContent);
  var player = window.parent;
  var frame = document.getElementById("sco-frame");
  var unloading = false;

  // Fill the app page's frame (the CSP allows no style sheet here; the CSSOM is not restricted).
  [document.documentElement, document.body].forEach(function (element) {
    element.style.height = "100%";
    element.style.margin = "0";
    element.style.overflow = "hidden";
  });
  frame.style.cssText = "display:block;width:100%;height:100%;border:0";

  var api = new window.CrossFrameAPI(cfg.appOrigin, player);
  if (cfg.standard === "scorm12") window.API = api;
  else window.API_1484_11 = api;

  function tell(event, extra) {
    var message = { type: "lmsb:content", event: event };
    Object.keys(extra || {}).forEach(function (key) { message[key] = extra[key]; });
    player.postMessage(message, cfg.appOrigin);
  }

  /* The SCO's address: a path inside this token's folder (the frame page is the folder's own URL). */
  function scoUrl() {
    var href = new URLSearchParams(window.location.search).get("sco") || "";
    var folder = window.location.origin + window.location.pathname;
    var url = new URL(href, folder);
    return url.origin === window.location.origin && url.href.indexOf(folder) === 0 && url.href !== folder ? url.href : null;
  }

  /* Numbers the SCO reads right after Initialize (cmi.interactions._count, ...) are computed by the
     run-time, not part of its flattened state: count them from the indexes present. */
  function withCounts(values) {
    var counts = {};
    Object.keys(values).forEach(function (key) {
      var parts = key.split(".");
      for (var i = 1; i < parts.length; i++) {
        if (/^\d+$/.test(parts[i])) {
          var collection = parts.slice(0, i).join(".");
          counts[collection] = Math.max(counts[collection] || 0, Number(parts[i]) + 1);
        }
      }
    });
    Object.keys(counts).forEach(function (collection) {
      if (!((collection + "._count") in values)) values[collection + "._count"] = String(counts[collection]);
    });
    return values;
  }

  /* The attempt's state into CrossFrameAPI's cache. CrossFrameAPI 3.4 has no public way to seed it: this
     uses its own request (_post) and cache (_cache), as its Initialize does, but waits for the answer. */
  function seed() {
    return api._post("getFlattenedCMI", []).then(function (all) {
      var values = {};
      Object.keys(all || {}).forEach(function (key) {
        var value = all[key];
        if (value === null || typeof value !== "object") values[key] = String(value);
      });
      withCounts(values);
      Object.keys(values).forEach(function (key) { api._cache.set(key, values[key]); });
    });
  }

  // ------------------------------------------------------------------ what the browser blocked

  var reported = [];

  function blocked(uri) {
    var host;
    try { host = new URL(uri).host; } catch (e) { return; } // "inline", "eval": not another server
    if (!host || host === window.location.host || reported.indexOf(host) >= 0) return;
    reported.push(host);
    tell("blocked", { hosts: reported.slice() });
  }

  /* The SCO's document is this origin's, so its violations can be watched from here: a listener for
     those after this point, and a ReportingObserver with `buffered` for those made while the page was
     still loading, before any listener could be attached (Chromium; other browsers report the later
     ones). Violations of this frame page itself are reported as well. */
  var watched = new WeakSet();

  function watchViolations(win) {
    try {
      if (watched.has(win.document)) return;
      watched.add(win.document);
      win.document.addEventListener("securitypolicyviolation", function (event) { blocked(event.blockedURI); });
      if (win.ReportingObserver) {
        new win.ReportingObserver(function (reports) {
          reports.forEach(function (report) { blocked(report.body && (report.body.blockedURL || report.body.blockedURI)); });
        }, { types: ["csp-violation"], buffered: true }).observe();
      }
    } catch (e) { /* a document that is not ours any more (navigated elsewhere): nothing to watch */ }
  }

  document.addEventListener("securitypolicyviolation", function (event) { blocked(event.blockedURI); });

  /* Watch the SCO's document from as soon as it exists, not only from its load event: a browser without
     buffered reports would miss what the page's head loads. */
  function watchEarly() {
    var timer = window.setInterval(function () {
      var doc = null;
      try { doc = frame.contentDocument; } catch (e) { /* not readable */ }
      if (!doc || doc.URL === "about:blank") return;
      watchViolations(frame.contentWindow);
      if (doc.readyState !== "loading") window.clearInterval(timer);
    }, 10);
    window.setTimeout(function () { window.clearInterval(timer); }, 30000);
  }

  // ------------------------------------------------------------------ the SCO page's height

  var lastHeight = 0;
  var resizeObserver = null;

  function withMargins(element) {
    var style = element.ownerDocument.defaultView.getComputedStyle(element);
    return element.getBoundingClientRect().height + (parseFloat(style.marginTop) || 0) +
      (parseFloat(style.marginBottom) || 0);
  }

  /* Not documentElement.scrollHeight: it is never less than the frame, so a page could never shrink it.
     The root element's box holds the page with its margins (also those that collapse through the body);
     a page fixed at 100% with more content overflows its body instead. */
  function pageHeight(doc) {
    var body = doc.body;
    if (!body) return 0;
    return Math.ceil(Math.max(withMargins(doc.documentElement), withMargins(body), body.scrollHeight));
  }

  function measure() {
    var doc = frame.contentDocument;
    if (unloading || !doc || !doc.body) return;
    var height = pageHeight(doc);
    if (height > 0 && Math.abs(height - lastHeight) >= 2) {
      lastHeight = height;
      tell("size", { height: height });
    }
  }

  function watchHeight() {
    var doc = frame.contentDocument;
    if (!doc || !doc.body) return;
    if (resizeObserver) resizeObserver.disconnect();
    if (window.ResizeObserver) {
      resizeObserver = new ResizeObserver(measure);
      resizeObserver.observe(doc.body);
      resizeObserver.observe(doc.documentElement);
    }
    lastHeight = 0;
    measure();
  }

  // a page that changes height without resizing its body (content overflowing a fixed body)
  window.setInterval(measure, 1000);

  frame.addEventListener("load", function () {
    if (unloading || !frame.getAttribute("src")) return;
    watchViolations(frame.contentWindow);
    watchHeight();
    tell("loaded");
  });

  // The app page is about to leave the SCO (another item of the table of contents): unload it here, so
  // its unload handlers still reach the API while this page and the app page are alive to pass them on.
  window.addEventListener("message", function (event) {
    if (event.source !== player || event.origin !== cfg.appOrigin) return;
    if (!event.data || event.data.type !== "lmsb:unload" || unloading) return;
    unloading = true;
    frame.addEventListener("load", function () { tell("unloaded"); }, { once: true });
    frame.src = "about:blank";
  });

  var url = scoUrl();
  if (!url) return;
  (function start(tries) {
    seed().then(function () { frame.src = url; watchEarly(); }, function () {
      // Never start the SCO without its state (it would start over and overwrite it): ask again.
      window.setTimeout(function () { start(tries + 1); }, Math.min(5000, 500 * tries));
    });
  })(1);
})();
