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

   Besides the API calls, this page tells the app page two things, as small messages of its own: the SCO
   page has loaded (and which other servers it tried to load from, which the content CSP blocks), and
   the SCO has been unloaded when the app page asked for that before leaving. */
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

  function blockedHosts() {
    var hosts = [];
    var doc = frame.contentDocument;
    if (!doc) return hosts;
    var here = window.location.origin;
    Array.prototype.forEach.call(doc.querySelectorAll("script[src], link[href], img[src], iframe[src]"), function (node) {
      var url = new URL(node.getAttribute("src") || node.getAttribute("href"), doc.baseURI);
      if (/^https?:$/.test(url.protocol) && url.origin !== here && hosts.indexOf(url.host) < 0) hosts.push(url.host);
    });
    return hosts;
  }

  frame.addEventListener("load", function () {
    if (!unloading && frame.getAttribute("src")) tell("loaded", { blocked: blockedHosts() });
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
    seed().then(function () { frame.src = url; }, function () {
      // Never start the SCO without its state (it would start over and overwrite it): ask again.
      window.setTimeout(function () { start(tries + 1); }, Math.min(5000, 500 * tries));
    });
  })(1);
})();
