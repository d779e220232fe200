/* The player's thin layer over scorm-again.

   scorm-again (pinned in package.json, served at /vendor/scorm-again.min.js) is the run-time: it keeps
   the data model and answers the SCO's calls with the right error codes. It runs with lmsCommitUrl false,
   so it sends nothing itself.

   The SCO runs on the content origin, another site (lms_bridge/packages/content.py), inside a frame
   page there that gives it API / API_1484_11 with scorm-again's CrossFrameAPI
   (lms_bridge/static/content-frame.js). Here scorm-again's CrossFrameLMS passes those calls to the real
   run-time (window.API / window.API_1484_11 of this page). This page takes messages only from the
   content origin and from its own content frame; the SCO can reach nothing else of it.

   This file only:

   - opens the item on the server (POST openUrl, with the attempt's token: the page's GET changes nothing)
     and loads scorm-again with the SCO's state it answers, by dotted element name;
   - notes every SetValue scorm-again accepted, in order, and turns them into a numbered commit when the
     SCO commits or finishes (and a few seconds after its last change, for SCOs that never commit);
   - keeps each commit in localStorage until the server has answered it, and sends the commits in order,
     retrying with exponential backoff when the network or the server fails; a reload re-sends them;
   - on pagehide and on visibilitychange to hidden, sends what is left with fetch keepalive (never on
     unload, which browsers block in frames); on pagehide with the SCO still running, it repeats the
     SCO's resume point, since the SCO's own last save cannot cross the frames any more;
   - follows a SCORM 2004 navigation request (continue, previous, choice) to the next page of the player;
   - before the player moves to another item, has the frame page unload the SCO and waits (briefly) for
     what its unload handlers send, since nothing crosses the frames once this page is gone;
   - sizes the content frame to the SCO's page, as the frame page measures it (one scroll bar, the page's);
   - shows problems the learner must know (content blocked, no API, a refused save) as notices that stay
     until dismissed; the status line below them only tells how saving goes;
   - folds the table of contents away below a button on a narrow screen.

   Commit numbers come from the clock (microseconds), above the SCO's last applied one, so they keep
   increasing across sessions and a second tab's numbers interleave with the first's by time. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("player-config").textContent);
  var M = cfg.messages;
  var frame = document.getElementById("player-frame");
  var statusLine = document.getElementById("player-status");
  var progressText = document.getElementById("player-progress");
  var QUEUE = "lmsb.player.q.";
  var TAB = Math.random().toString(36).slice(2, 10);
  var RETRY_MAX_MS = 30000;
  var AUTOSAVE_MS = 5000;
  var API_WAIT_MS = 5000;
  var UNLOAD_WAIT_MS = 2000; // how long leaving an item waits for the SCO's own unload handlers
  // CrossFrameLMS drops calls beyond this many a second. Each SetValue is two messages (the call, and the
  // cache refresh CrossFrameAPI sends after it); a SCO writing its interactions sends hundreds at once,
  // and a dropped SetValue would be lost silently. A flood harms only the SCO's own session.
  var CROSS_FRAME_RATE_LIMIT = 10000;
  var MAX_AGE_MS = 30 * 24 * 3600 * 1000;
  var KEEPALIVE_LIMIT = 60000; // bytes; browsers allow 64 KiB of keepalive bodies in flight
  var tracking = cfg.sco && !cfg.review;

  // ------------------------------------------------------------------ status line

  function say(text, problem) {
    if (statusLine.textContent !== text) statusLine.textContent = text;
    statusLine.classList.toggle("is-problem", !!problem);
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  // ------------------------------------------------------------------ notices (stay until dismissed)

  var notices = document.getElementById("player-notices");

  /* One notice per key: the same problem again updates its text instead of stacking up. */
  function notice(key, text) {
    var existing = notices.querySelector('[data-notice="' + key + '"]');
    if (existing) { existing.querySelector("p").textContent = text; return; }
    var box = document.createElement("div");
    box.className = "notice";
    box.setAttribute("data-notice", key);
    var message = document.createElement("p");
    message.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.textContent = M.dismiss;
    close.addEventListener("click", function () {
      box.remove();
      frame.focus(); // focus goes on where the learner was, not to the top of the page
    });
    box.appendChild(message);
    box.appendChild(close);
    notices.appendChild(box);
  }

  // ------------------------------------------------------------------ the queue (one key per commit)

  var memory = {}; // when localStorage is unavailable (private mode, quota): this page only

  function storeSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { memory[key] = value; }
  }

  function storeRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* not stored there */ }
    delete memory[key];
  }

  function queued() {
    var keys = Object.keys(memory);
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(QUEUE) === 0 && keys.indexOf(key) < 0) keys.push(key);
      }
    } catch (e) { /* memory only */ }
    var entries = [];
    keys.forEach(function (key) {
      if (key.indexOf(QUEUE) !== 0) return;
      var text = memory[key];
      try { if (text === undefined) text = window.localStorage.getItem(key); } catch (e) { text = null; }
      try {
        var entry = JSON.parse(text);
        if (!entry || typeof entry.seq !== "number" || entry.seq < (Date.now() - MAX_AGE_MS) * 1000) {
          storeRemove(key); // unreadable, or left so long ago (by a learner who never came back) it is moot
        } else { entry.key = key; entries.push(entry); }
      } catch (e) { storeRemove(key); }
    });
    return entries.sort(function (a, b) { return a.seq - b.seq; });
  }

  /* Every waiting commit of the SCO the oldest one belongs to, in number order, in one request: the
     server applies them in order in one transaction, each with its own number and finish. */
  function leadingBatch(entries) {
    var first = entries[0];
    var mine = entries.filter(function (e) { return e.url === first.url && e.item === first.item; });
    return {
      url: first.url,
      keys: mine.map(function (e) { return e.key; }),
      body: {
        token: first.token,
        item: first.item,
        commits: mine.map(function (e) { return { seq: e.seq, changes: e.changes, finish: e.finish }; })
      }
    };
  }

  function send(batch) {
    var body = JSON.stringify(batch.body);
    var size = new Blob([body]).size;
    var options = {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body,
      keepalive: size < KEEPALIVE_LIMIT
    };
    return fetch(batch.url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var error = answer.error || {};
        if (response.ok) return { ok: true, answer: answer };
        if (error.code === "signed_out") return { signedOut: true };
        if (response.status === 403) return { notOurs: true };
        if (response.status >= 500 || response.status === 408 || response.status === 429) return { retry: true };
        return { drop: true, message: error.message || String(response.status) };
      });
    }, function () { return { retry: true }; });
  }

  var sending = false;
  var notOurs = {}; // commit URLs of attempts this browser session may not write (another learner's)
  var failures = 0;
  var retryTimer = null;
  var troubled = false;
  var drainWaiters = [];

  function pump() {
    if (sending) return;
    var entries = queued().filter(function (e) { return !notOurs[e.url]; });
    if (!entries.length) {
      if (troubled) { troubled = false; say(M.restored); }
      notifyDrained();
      return;
    }
    var batch = leadingBatch(entries);
    sending = true;
    send(batch).then(function (result) {
      sending = false;
      if (result.notOurs) { notOurs[batch.url] = true; pump(); return; }
      if (result.ok || result.drop) {
        batch.keys.forEach(storeRemove);
        failures = 0;
        if (result.ok) answered(result.answer);
        else notice("refused", fill(M.refused, { message: result.message }));
        pump();
        return;
      }
      failures += 1;
      troubled = true;
      say(result.signedOut ? M.signedOut : M.retrying, true);
      var delay = Math.min(RETRY_MAX_MS, 1000 * Math.pow(2, failures - 1));
      retryTimer = window.setTimeout(function () { retryTimer = null; pump(); }, delay / 2 + Math.random() * delay / 2);
    });
  }

  function retryNow() {
    if (retryTimer !== null) { window.clearTimeout(retryTimer); retryTimer = null; }
    pump();
  }

  function mineQueued() {
    return queued().filter(function (e) { return e.url === cfg.commitUrl && e.item === cfg.item && !notOurs[e.url]; });
  }

  function notifyDrained() {
    if (mineQueued().length) return;
    var waiters = drainWaiters;
    drainWaiters = [];
    waiters.forEach(function (resolve) { resolve(true); });
  }

  function whenDrained() {
    return new Promise(function (resolve) {
      drainWaiters.push(resolve);
      pump();
    });
  }

  var lastAnswer = null;
  function answered(answer) {
    lastAnswer = answer;
    var attempt = answer.attempt || {};
    if (cfg.review) return; // the page's review note says it: this page itself saves nothing
    if (attempt.completed) {
      say(attempt.recorded ? M.completed : M.completedNotRecorded);
      if (progressText) progressText.textContent = M.progressCompleted;
    } else if (!troubled) {
      say(M.saved);
      if (progressText && attempt.completion_status && attempt.completion_status !== "not attempted") {
        progressText.textContent = M.progressIncomplete;
      }
    }
  }

  /* Send now, also while an earlier request is still on its way: the SCO finishing as its frame unloads,
     or the page being left or hidden, cannot wait for that answer. The batch repeats the commits on their
     way; whichever request arrives second finds their numbers applied and changes nothing for them.
     Keepalive lets the request outlive the page. */
  function sendNow() {
    if (!sending) { pump(); return; }
    var entries = queued().filter(function (e) { return !notOurs[e.url]; });
    if (!entries.length) return;
    var batch = leadingBatch(entries);
    send(batch).then(function (result) {
      if (result.ok || result.drop) batch.keys.forEach(storeRemove);
      if (result.ok) answered(result.answer);
    });
  }

  function flushHidden() {
    capture(false);
    sendNow();
  }

  /* The page is being left while the SCO still runs (tab closed, reload, another address). The SCO's own
     last save, made as its frame unloads, cannot cross to this page any more, so this page repeats the
     resume point its SCO last set (location, suspend data, exit) in a new commit: the tab left last
     still decides where the learner resumes, as when the SCO's save got through. The server finishes
     the session the SCO did not finish at the next launch. */
  function leavePage() {
    if (tracking && initialized && !finished) {
      var inPending = {};
      pending.forEach(function (change) { inPending[change[0]] = true; });
      Object.keys(resumePoint).forEach(function (element) {
        if (!inPending[element]) pending.push([element, resumePoint[element]]);
      });
    }
    flushHidden();
  }

  // ------------------------------------------------------------------ what the SCO set

  var pending = [];
  var RESUME_POINT = cfg.standard === "scorm12"
    ? ["cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.exit"]
    : ["cmi.location", "cmi.suspend_data", "cmi.exit"];
  var resumePoint = {}; // of RESUME_POINT, the values this page's SCO last set
  var initialized = false;
  var finished = false;
  var navRequest = "";
  var lastSeq = 0;
  var autosaveTimer = null;

  function nextSeq() {
    lastSeq = Math.max(lastSeq + 1, Date.now() * 1000 + Math.floor(Math.random() * 1000));
    return lastSeq;
  }

  function capture(finish) {
    if (!tracking || !initialized || (!pending.length && !finish)) return;
    var entry = {
      url: cfg.commitUrl, token: cfg.token, item: cfg.item, seq: nextSeq(), changes: pending, finish: finish
    };
    pending = [];
    storeSet(QUEUE + cfg.attempt + "." + entry.seq + "." + TAB, JSON.stringify(entry));
  }

  function noteSet(element, value) {
    element = String(element);
    value = value === undefined ? "" : String(value);
    pending.push([element, value]);
    if (RESUME_POINT.indexOf(element) >= 0) resumePoint[element] = value;
    if (element === "adl.nav.request") navRequest = value;
    if (autosaveTimer !== null) window.clearTimeout(autosaveTimer);
    autosaveTimer = window.setTimeout(function () { autosaveTimer = null; capture(false); pump(); }, AUTOSAVE_MS);
  }

  function wrapSetValue(api, name) {
    var original = api[name];
    api[name] = function (element, value) {
      var result = original.apply(api, arguments);
      if (tracking && String(result) === "true") noteSet(element, value);
      return result;
    };
  }

  function followNavRequest() {
    var request = navRequest;
    var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    var target = null;
    if (request === "continue") target = cfg.next;
    else if (request === "previous") target = cfg.previous;
    else if (choice) target = cfg.items[choice[1]] || null;
    if (target) leave(target);
    else if (/^(exit|exitAll|abandon|abandonAll|suspendAll)$/.test(request)) say(M.ended);
  }

  // ------------------------------------------------------------------ the content frame

  var contentStarted = false;
  var leaving = false;
  var unloadWaiters = [];

  /* Messages from the content frame only: its origin, and this page's own frame (another window of the
     content origin, e.g. a popup a package opened, is not our SCO). Runs before CrossFrameLMS's listener
     (capture, registered first) and stops anything else there. */
  window.addEventListener("message", function (event) {
    if (event.origin !== cfg.contentOrigin || !event.source || event.source !== frame.contentWindow) {
      event.stopImmediatePropagation();
      return;
    }
    var data = event.data;
    if (!data || data.type !== "lmsb:content") return; // an API call: CrossFrameLMS's
    event.stopImmediatePropagation();
    if (data.event === "loaded") contentLoaded();
    else if (data.event === "blocked") contentBlocked(Array.isArray(data.hosts) ? data.hosts.map(String) : []);
    else if (data.event === "size") sizeFrame(Number(data.height));
    else if (data.event === "unloaded") unloaded();
  }, true);

  /* A package that loads scripts from elsewhere (a CDN) is blocked by the content's CSP: the frame page
     reports what the browser actually blocked (a mere <link rel="license" href="https://..."> loads
     nothing and is not reported). One that never calls the API cannot be tracked. Either way the learner
     is told, instead of a page that just hangs. */
  var blockedHosts = [];
  function contentBlocked(hosts) {
    hosts.forEach(function (host) { if (host && blockedHosts.indexOf(host) < 0) blockedHosts.push(host); });
    if (blockedHosts.length) notice("blocked", fill(M.blocked, { hosts: blockedHosts.slice(0, 5).join(", ") }));
  }

  function contentLoaded() {
    if (cfg.sco && !cfg.review) {
      window.setTimeout(function () { if (!initialized) notice("noApi", M.noApi); }, API_WAIT_MS);
    }
  }

  var sizeFrame = window.lmsbFrameSizer(frame); // static/frame-size.js

  function unloaded() {
    var waiters = unloadWaiters;
    unloadWaiters = [];
    waiters.forEach(function (resolve) { resolve(); });
  }

  /* Have the frame page unload the SCO, and wait until it says so (or a moment): the SCO's unload
     handlers (LMSFinish, a last save) then reach the run-time while both pages are alive. */
  function unloadContent() {
    return new Promise(function (resolve) {
      if (!contentStarted || !tracking || !initialized || finished || !frame.contentWindow) { resolve(); return; }
      unloadWaiters.push(resolve);
      window.setTimeout(resolve, UNLOAD_WAIT_MS);
      frame.contentWindow.postMessage({ type: "lmsb:unload" }, cfg.contentOrigin);
    });
  }

  /* Go to another page of the player (another item): the SCO first finishes where it is. */
  function leave(target) {
    if (leaving) return;
    leaving = true;
    unloadContent().then(function () { window.location.assign(target); });
  }

  function followLinks() {
    Array.prototype.forEach.call(document.querySelectorAll(".player-toc a[href]"), function (link) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        leave(link.href);
      });
    });
  }

  function boot(elements) {
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
    var api;
    if (cfg.standard === "scorm12") {
      api = new window.Scorm12API(settings);
      api.loadFromFlattenedJSON(elements);
      wrapSetValue(api, "LMSSetValue");
      api.on("LMSInitialize", function () { initialized = true; });
      api.on("LMSCommit", function () { capture(false); pump(); });
      api.on("LMSFinish", function () { finished = true; capture(true); sendNow(); });
      window.API = api;
    } else {
      api = new window.Scorm2004API(settings);
      api.loadFromFlattenedJSON(elements);
      wrapSetValue(api, "SetValue");
      api.on("Initialize", function () { initialized = true; });
      api.on("Commit", function () { capture(false); pump(); });
      api.on("Terminate", function () { finished = true; capture(true); sendNow(); followNavRequest(); });
      window.API_1484_11 = api;
    }
    // The SCO's calls arrive from the content origin only (and, by the listener above, from our frame).
    new window.CrossFrameLMS(api, cfg.contentOrigin, { rateLimit: CROSS_FRAME_RATE_LIMIT });
    contentStarted = true;
    frame.src = cfg.content;
  }

  // ------------------------------------------------------------------ the table of contents on a phone

  /* On a narrow screen the contents fold away below a button (the previous/next links stay), so the
     content starts near the top. Without this script every part stays listed. */
  function foldToc() {
    var button = document.getElementById("player-toc-toggle");
    var list = document.getElementById("player-toc-list");
    if (!button || !list) return;
    var narrow = window.matchMedia("(max-width: 48rem)");
    function apply() {
      button.hidden = !narrow.matches;
      list.hidden = narrow.matches && button.getAttribute("aria-expanded") !== "true";
    }
    button.addEventListener("click", function () {
      button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
      apply();
    });
    narrow.addEventListener("change", apply);
    apply();
  }

  // ------------------------------------------------------------------ start

  foldToc();
  window.addEventListener("online", retryNow);
  window.addEventListener("pagehide", leavePage);
  followLinks();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushHidden();
    else retryNow();
  });

  // For the browser tests and for support: what is waiting, and the server's last answer.
  window.lmsbPlayer = {
    queued: function () { return queued().length; },
    lastAnswer: function () { return lastAnswer; },
    initialized: function () { return initialized; },
    finished: function () { return finished; }
  };

  /* Open the item on the server (the learner's place, a session the browser never finished, an asset's
     first visit) and get the SCO's state. Retried like a commit while the server cannot be reached: the
     content must not start from a state the server does not have. */
  function openItem() {
    var failures = 0;
    return new Promise(function (resolve) {
      function attempt() {
        fetch(cfg.openUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify({ token: cfg.token, item: cfg.item })
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) {
            if (response.ok) { resolve(answer); return; }
            var error = answer.error || {};
            if (response.status < 500 && response.status !== 408 && response.status !== 429 && error.code !== "signed_out") {
              notice("refused", fill(M.refused, { message: error.message || String(response.status) }));
              return; // nothing to retry: the page cannot be played (another learner's attempt, a bad item)
            }
            retry(error.code === "signed_out");
          });
        }, function () { retry(false); });
      }
      function retry(signedOut) {
        failures += 1;
        say(signedOut ? M.signedOut : M.retrying, true);
        var delay = Math.min(RETRY_MAX_MS, 1000 * Math.pow(2, failures - 1));
        window.setTimeout(attempt, delay / 2 + Math.random() * delay / 2);
      }
      attempt();
    });
  }

  /* The table of contents was drawn before the item was opened: show this item's badge as it is now. */
  function showProgress(progress) {
    var link = document.querySelector('.player-toc a[aria-current="page"]');
    var text = { completed: M.tocCompleted, incomplete: M.tocIncomplete, visited: M.tocVisited }[progress];
    if (!link || !text) return;
    var badge = link.parentNode.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      link.parentNode.appendChild(document.createTextNode(" "));
      link.parentNode.appendChild(badge);
    }
    badge.textContent = text;
  }

  function start() {
    openItem().then(function (opened) {
      if (failuresShown()) say("");
      showProgress(opened.progress);
      lastSeq = Math.max(lastSeq, Number(opened.seq) || 0);
      boot(opened.elements || {});
    });
  }

  function failuresShown() {
    return statusLine.textContent === M.retrying || statusLine.textContent === M.signedOut ||
      statusLine.textContent === M.pending;
  }

  if (!tracking || !mineQueued().length) {
    start();
    pump();
    return;
  }
  // Commits of this SCO from an earlier page are still waiting: send them first, then open the item from
  // the state they made, so the SCO resumes from everything the learner did. While the server cannot be
  // reached the content waits (and says so) rather than start from an older state that would overwrite
  // them.
  say(M.pending);
  whenDrained().then(start);
})();
