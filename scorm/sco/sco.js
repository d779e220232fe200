/* The SCO: one section of the course shown at a time, the branching scenario, the graded quiz, the
   participation house, and SCORM 1.2 / 2004 run-time reporting with resume.

   No framework and no build step. The course facts come from the JSON in #sco-data (written by
   scorm/render.py); every UI string comes from its "messages" (scorm/sco/messages/<language>.json).

   Decisions worth knowing:
   - Completion: the module is completed when the quiz is submitted. Success: passed when the score
     (correct / questions x 100, rounded) reaches the mastery score; the LMS's own mastery score
     (cmi.student_data.mastery_score / cmi.scaled_passing_score) wins when it sets one.
   - The quiz is a bank: each try draws its questions (every learning objective asked, options shuffled)
     from a seed kept in the suspend data, so a resumed try is the same try. A failed try shows which
     objectives and pages to revisit and why the chosen options were wrong, never the correct options.
   - Retry: after submitting, the learner may try again with a new draw; the answers are cleared. The score
     reported to the LMS is the best of the attempt's submissions, so practising after passing cannot lower
     the result. Every submission is journaled as new cmi.interactions.n entries.
   - Reporting a submission: interactions and the final status are committed first, then the score and the
     status again (see reportQuiz: Moodle 4.3 completes a SCORM 1.2 activity only in that order). The status
     is "incomplete" from launch until the quiz is submitted, so an unfinished module resumes as unfinished.
   - Saving: location + suspend data + session time are committed after every page change, scenario choice,
     quiz answer and submission, and on pagehide / visibilitychange; the session is terminated on pagehide.
     Never on unload/beforeunload (Moodle 4.5 in Chrome blocks unload inside its SCORM frame).
   - cmi.exit is "suspend" until the quiz is passed, then normal ("" in 1.2), so an unfinished module
     resumes and a passed one starts afresh. On entry other than "ab-initio" the suspend data is restored.
   - With no LMS API the module runs in preview mode: everything works, nothing is saved. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("sco-data").textContent);
  var T = DATA.messages;
  var IS12 = DATA.standard === "scorm12";
  var SUSPEND_LIMIT = IS12 ? 4096 : 64000;
  var LOCATION_LIMIT = IS12 ? 255 : 1000;
  var STATE_FORMAT = 2;
  var SECTION_IDS = DATA.sections.map(function (s) { return s.id; });
  var BANK = (DATA.quiz && DATA.quiz.questions) || [];
  var PER_ATTEMPT = Math.min((DATA.quiz && DATA.quiz.per_attempt) || BANK.length, BANK.length);
  var BY_ID = {};
  BANK.forEach(function (q) { BY_ID[q.id] = q; });
  var SEED_MAX = 4294967295;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function one(selector, root) { return (root || document).querySelector(selector); }

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  function longest(items) {
    return items.reduce(function (a, b) { return b.length > a.length ? b : a; }, "");
  }

  /* ------------------------------------------------------------------ the question draw
     Each try shows PER_ATTEMPT questions of the bank: one per learning objective first, then others, in a
     random order with the options shuffled. Everything follows from the try's seed (kept in the suspend
     data), so a resumed try shows the same questions in the same order. A retry gets a new seed and prefers
     the questions the previous try did not ask ("avoid"). */

  function newSeed() {
    var seed = 0;
    try {
      var cell = new Uint32Array(1);
      window.crypto.getRandomValues(cell);
      seed = cell[0];
    } catch (e) {
      seed = Math.floor(Math.random() * SEED_MAX);
    }
    return seed || 1;
  }

  function randomFrom(seed) { // mulberry32: small, fast, and the same in every browser
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(items, random) {
    var out = items.slice();
    for (var i = out.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = out[i];
      out[i] = out[j];
      out[j] = swap;
    }
    return out;
  }

  function draw(seed, avoid) {
    var random = randomFrom(seed);
    function fresh(q) { return avoid.indexOf(q.id) < 0; }
    var objectives = [];
    BANK.forEach(function (q) { if (q.objective >= 0 && objectives.indexOf(q.objective) < 0) objectives.push(q.objective); });
    objectives.sort(function (a, b) { return a - b; });
    var chosen = objectives.map(function (k) {
      var pool = BANK.filter(function (q) { return q.objective === k; });
      var unseen = pool.filter(fresh);
      var from = unseen.length ? unseen : pool;
      return from[Math.floor(random() * from.length)];
    });
    var rest = shuffled(BANK.filter(function (q) { return chosen.indexOf(q) < 0; }), random);
    rest = rest.filter(fresh).concat(rest.filter(function (q) { return !fresh(q); }));
    chosen = shuffled(chosen.concat(rest.slice(0, Math.max(0, PER_ATTEMPT - chosen.length))), random);
    var options = {};
    chosen.forEach(function (q) { options[q.id] = shuffled(q.options, random); });
    return { ids: chosen.map(function (q) { return q.id; }), options: options };
  }

  var drawCache = { key: null, value: null };

  function drawOf(seed, avoid) {
    var key = seed + "|" + avoid.join(",");
    if (drawCache.key !== key) drawCache = { key: key, value: draw(seed, avoid) };
    return drawCache.value;
  }

  /* ------------------------------------------------------------------ learner state and suspend data
     Compact JSON with a fixed key order, ids as in the course sources:
       {"f":2,                                   format
        "c":"<section id>",                      current section (also the cmi location)
        "v":["<section id>",...],                sections visited, in sequence order
        "s":{"<scenario>":{"<step>":"<choice>"}}, the choice last made in each scenario step
        "q":{"a":{"<question>":["<option>",...]},"d":0|1,"b":-1..100,"r":<seed>,"x":["<question>",...]}
                                                 answers to this try's questions, submitted, best score,
                                                 this try's seed, the previous try's questions
        "h":{"<house>":["<part>",...]}}          house parts opened at least once
     canonical() rebuilds a state in course order and drops whatever the course no longer has, so old
     suspend data from an earlier version of the module cannot break the page. */

  function emptyState() {
    return { c: SECTION_IDS[0], v: [SECTION_IDS[0]], s: {}, q: { a: {}, d: 0, b: -1, r: 0, x: [] }, h: {} };
  }

  function allAnswered(answers, ids) {
    return ids.every(function (id) { return answers[id] && answers[id].length > 0; });
  }

  function canonical(raw) {
    var st = emptyState();
    if (!isObject(raw)) return st;
    if (SECTION_IDS.indexOf(raw.c) >= 0) st.c = raw.c;
    var visited = Array.isArray(raw.v) ? raw.v : [];
    st.v = SECTION_IDS.filter(function (id) { return visited.indexOf(id) >= 0 || id === st.c; });

    var scenarios = isObject(raw.s) ? raw.s : {};
    Object.keys(DATA.scenarios).sort().forEach(function (sid) {
      var chosen = isObject(scenarios[sid]) ? scenarios[sid] : {};
      var out = {};
      DATA.scenarios[sid].steps.forEach(function (step) {
        var choice = chosen[step.id];
        if (typeof choice === "string" && has(step.choices, choice)) out[step.id] = choice;
      });
      if (Object.keys(out).length) st.s[sid] = out;
    });

    var quiz = isObject(raw.q) ? raw.q : {};
    var seed = quiz.r;
    st.q.r = typeof seed === "number" && seed >= 1 && seed <= SEED_MAX && Math.floor(seed) === seed ? seed : 0;
    var avoid = Array.isArray(quiz.x) ? quiz.x : [];
    st.q.x = BANK.filter(function (q) { return avoid.indexOf(q.id) >= 0; }).map(function (q) { return q.id; });
    var drawn = st.q.r ? drawOf(st.q.r, st.q.x).ids : [];
    var answers = isObject(quiz.a) ? quiz.a : {};
    drawn.forEach(function (id) {
      var q = BY_ID[id];
      var given = Array.isArray(answers[id]) ? answers[id] : [];
      var picked = q.options.filter(function (o) { return given.indexOf(o) >= 0; });
      if (q.type === "single") picked = picked.slice(0, 1);
      if (picked.length) st.q.a[id] = picked;
    });
    st.q.d = quiz.d === 1 && drawn.length && allAnswered(st.q.a, drawn) ? 1 : 0;
    st.q.b = typeof quiz.b === "number" && quiz.b >= 0 && quiz.b <= 100 ? Math.round(quiz.b) : -1;

    var houses = isObject(raw.h) ? raw.h : {};
    Object.keys(DATA.houses).sort().forEach(function (hid) {
      var opened = Array.isArray(houses[hid]) ? houses[hid] : [];
      var parts = DATA.houses[hid].filter(function (p) { return opened.indexOf(p) >= 0; });
      if (parts.length) st.h[hid] = parts;
    });
    return st;
  }

  /* JSON of a state as it is, in the fixed key order (serialize() canonicalizes first). */
  function encode(st) {
    return JSON.stringify({
      f: STATE_FORMAT, c: st.c, v: st.v, s: st.s,
      q: { a: st.q.a, d: st.q.d, b: st.q.b, r: st.q.r, x: st.q.x }, h: st.h
    });
  }

  function serialize(st) { return encode(canonical(st)); }

  /* A state at least as long as any this module can reach: every section visited, the longest ids current,
     a choice in every scenario step, the longest possible answers to PER_ATTEMPT questions (every option of
     a multiple-choice question), the longest seed and the longest ids as the previous try's questions,
     every house part opened. Its answers need not be one draw's, so it is measured with encode(); the
     browser tests and bench/sco_bytes.py hold it against the suspend_data limits. */
  function longestState() {
    var st = emptyState();
    st.c = longest(SECTION_IDS);
    st.v = SECTION_IDS.slice();
    Object.keys(DATA.scenarios).forEach(function (sid) {
      st.s[sid] = {};
      DATA.scenarios[sid].steps.forEach(function (step) {
        st.s[sid][step.id] = longest(Object.keys(step.choices));
      });
    });
    var answers = BANK.map(function (q) {
      return { id: q.id, given: q.type === "multiple" ? q.options.slice() : [longest(q.options)] };
    });
    function size(entry) { return JSON.stringify(entry.id).length + JSON.stringify(entry.given).length; }
    answers.sort(function (a, b) { return size(b) - size(a); });
    answers.slice(0, PER_ATTEMPT).forEach(function (entry) { st.q.a[entry.id] = entry.given; });
    st.q.d = 1;
    st.q.b = 100;
    st.q.r = SEED_MAX;
    st.q.x = BANK.map(function (q) { return q.id; })
      .sort(function (a, b) { return JSON.stringify(b).length - JSON.stringify(a).length; })
      .slice(0, PER_ATTEMPT);
    Object.keys(DATA.houses).forEach(function (hid) { st.h[hid] = DATA.houses[hid].slice(); });
    return st;
  }

  var state = emptyState();

  function drawnQuestions() {
    return drawOf(state.q.r, state.q.x).ids.map(function (id) { return BY_ID[id]; });
  }

  function suspendData() {
    var text = serialize(state);
    if (text.length > SUSPEND_LIMIT) {
      // Never expected (the tests measure the longest state); keep what resuming needs most.
      text = serialize({ c: state.c, v: [], s: {}, q: state.q, h: {} });
    }
    return text;
  }

  /* ------------------------------------------------------------------ SCORM run-time */

  var CMI = IS12 ? {
    entry: "cmi.core.entry", mode: "cmi.core.lesson_mode", location: "cmi.core.lesson_location",
    suspend: "cmi.suspend_data", exit: "cmi.core.exit", time: "cmi.core.session_time",
    raw: "cmi.core.score.raw", min: "cmi.core.score.min", max: "cmi.core.score.max",
    mastery: "cmi.student_data.mastery_score", count: "cmi.interactions._count",
    status: "cmi.core.lesson_status"
  } : {
    entry: "cmi.entry", mode: "cmi.mode", location: "cmi.location",
    suspend: "cmi.suspend_data", exit: "cmi.exit", time: "cmi.session_time",
    raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max",
    mastery: "cmi.scaled_passing_score", count: "cmi.interactions._count",
    status: "cmi.completion_status"
  };

  var lms = {
    api: null,
    mode: "preview", // "lms" | "review" | "preview" | "error"
    live: false,
    terminated: false,
    startedAt: Date.now(),
    nextInteraction: 0,
    mastery: null,
    errors: []
  };

  /* The standard discovery algorithm: this window and its parents (a few levels more than the
     specification's 7, for LMS players that nest frames deeply), then the opener and its parents. */
  function scanForApi(win, name) {
    for (var tries = 0; win && tries < 10; tries++) {
      try {
        if (win[name]) return win[name];
      } catch (e) { /* a cross-origin frame: look further up */ }
      var parent = null;
      try { parent = win.parent; } catch (e) { parent = null; }
      if (!parent || parent === win) break;
      win = parent;
    }
    return null;
  }

  function findApi(name) {
    var api = scanForApi(window, name);
    if (!api) {
      try { if (window.opener) api = scanForApi(window.opener, name); } catch (e) { api = null; }
    }
    if (!api) {
      try { if (window.top && window.top.opener) api = scanForApi(window.top.opener, name); } catch (e) { api = null; }
    }
    return api;
  }

  function fn(name12, name2004) { return IS12 ? name12 : name2004; }

  function call(name, args) {
    try {
      return String(lms.api[name].apply(lms.api, args));
    } catch (e) {
      lms.errors.push(name + ": " + e);
      return "false";
    }
  }

  function noteError(what) {
    var code = call(fn("LMSGetLastError", "GetLastError"), []);
    var text = call(fn("LMSGetErrorString", "GetErrorString"), [code]);
    lms.errors.push(what + ": " + code + " " + text);
    if (window.console) window.console.warn("SCORM " + what + ": " + code + " " + text);
  }

  function getValue(element) { return call(fn("LMSGetValue", "GetValue"), [element]); }

  function setValue(element, value) {
    var ok = call(fn("LMSSetValue", "SetValue"), [element, String(value)]) === "true";
    if (!ok) noteError("SetValue(" + element + ")");
    return ok;
  }

  function commit() {
    if (call(fn("LMSCommit", "Commit"), [""]) !== "true") noteError("Commit");
  }

  function writable() { return lms.live && !lms.terminated && lms.mode === "lms"; }

  function mastery() { return lms.mastery === null ? DATA.mastery : lms.mastery; }

  function passed() { return state.q.b >= 0 && state.q.b >= mastery(); }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) text = "0" + text;
    return text;
  }

  function sessionTime() {
    var cs = Math.max(0, Math.round((Date.now() - lms.startedAt) / 10));
    var hours = Math.floor(cs / 360000);
    var minutes = Math.floor(cs / 6000) % 60;
    var seconds = (cs % 6000) / 100;
    if (IS12) {
      // CMITimespan HHHH:MM:SS.SS
      return pad(Math.min(hours, 9999), 4) + ":" + pad(minutes, 2) + ":" + (seconds < 10 ? "0" : "") + seconds.toFixed(2);
    }
    return "PT" + hours + "H" + minutes + "M" + seconds.toFixed(2) + "S"; // ISO 8601 duration
  }

  function clockTime(date) { // CMITime HH:MM:SS (1.2)
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  function timestamp(date) { // time (second,10,0) with two fraction digits and UTC (2004)
    return date.toISOString().slice(0, 22) + "Z";
  }

  function banner(text) { one("#sco-status").textContent = text; }

  /* Initialize, read what the LMS knows, and return the state to resume (or null). */
  function startLms() {
    lms.api = findApi(IS12 ? "API" : "API_1484_11");
    if (!lms.api) {
      banner(T.preview_banner);
      return null;
    }
    if (call(fn("LMSInitialize", "Initialize"), [""]) !== "true") {
      noteError("Initialize");
      lms.api = null;
      lms.mode = "error";
      banner(T.lms_error_banner);
      return null;
    }
    lms.live = true;
    lms.mode = "lms";
    lms.startedAt = Date.now();
    var mode = getValue(CMI.mode);
    if (mode === "review" || mode === "browse") {
      lms.mode = "review";
      banner(T.review_banner);
    }
    var lmsMastery = parseFloat(getValue(CMI.mastery));
    if (!isNaN(lmsMastery)) {
      var percent = IS12 ? lmsMastery : lmsMastery * 100;
      if (percent >= 0 && percent <= 100) lms.mastery = percent;
    }
    lms.nextInteraction = parseInt(getValue(CMI.count), 10) || 0;

    var restored = null;
    var entry = getValue(CMI.entry);
    var saved = getValue(CMI.suspend);
    if (entry !== "ab-initio" && saved) {
      try {
        restored = canonical(JSON.parse(saved));
      } catch (e) {
        lms.errors.push("suspend data not readable: " + e);
      }
    }
    var location = getValue(CMI.location);
    if (restored && SECTION_IDS.indexOf(location) >= 0) restored.c = location;

    if (writable()) {
      var status = getValue(CMI.status);
      if (status === "" || status === "not attempted" || status === "unknown") setValue(CMI.status, "incomplete");
    }
    return restored;
  }

  /* Location, suspend data, session time and exit, then commit: after every meaningful change. */
  function save() {
    if (!writable()) return;
    setValue(CMI.location, state.c.slice(0, LOCATION_LIMIT));
    setValue(CMI.suspend, suspendData());
    setValue(CMI.time, sessionTime());
    setValue(CMI.exit, passed() ? (IS12 ? "" : "normal") : "suspend");
    commit();
  }

  function reportQuiz(result) {
    if (!writable()) return;
    var now = new Date();
    var sep = IS12 ? "," : "[,]";
    drawnQuestions().forEach(function (q) {
      var n = "cmi.interactions." + lms.nextInteraction++ + ".";
      setValue(n + "id", q.id);
      setValue(n + "type", "choice");
      if (!IS12) setValue(n + "description", q.text);
      setValue(n + "weighting", "1");
      setValue(n + "correct_responses.0.pattern", q.correct.join(sep));
      setValue(n + (IS12 ? "student_response" : "learner_response"), (state.q.a[q.id] || []).join(sep));
      setValue(n + "result", result.perQuestion[q.id] ? "correct" : (IS12 ? "wrong" : "incorrect"));
      if (IS12) setValue(n + "time", clockTime(now));
      else setValue(n + "timestamp", timestamp(now));
    });
    // The final status is committed before the score and once more after it. Moodle 4.3 recomputes
    // completion when a score arrives but not when the status changes from "incomplete" to "passed", and its
    // SCORM 1.2 player posts the score elements of a commit before the status: with both in one commit, a
    // passed module never became complete there. Status first, then score (+ status again) completes it in
    // Moodle, and an LMS that acts on the last status written sees it after the score too.
    setStatus();
    save();
    var best = state.q.b;
    setValue(CMI.min, "0");
    setValue(CMI.max, "100");
    setValue(CMI.raw, String(best));
    if (!IS12) setValue("cmi.score.scaled", String(best / 100));
    setStatus();
    save();
  }

  function setStatus() {
    if (IS12) {
      setValue("cmi.core.lesson_status", passed() ? "passed" : "failed");
    } else {
      setValue("cmi.completion_status", "completed");
      setValue("cmi.success_status", passed() ? "passed" : "failed");
    }
  }

  function terminate() {
    if (!lms.live || lms.terminated) return;
    save();
    if (call(fn("LMSFinish", "Terminate"), [""]) !== "true") noteError("Terminate");
    lms.terminated = true;
  }

  /* ------------------------------------------------------------------ navigation */

  var sectionEls = all(".sco-section");
  var prevButton = one("#sco-prev");
  var nextButton = one("#sco-next");
  var progress = one("#sco-progress");
  var current = 0;

  function showSection(index, moveFocus) {
    index = Math.max(0, Math.min(index, sectionEls.length - 1));
    current = index;
    sectionEls.forEach(function (el, i) { el.hidden = i !== index; });
    state.c = SECTION_IDS[index];
    if (state.v.indexOf(state.c) < 0) state.v.push(state.c);
    prevButton.disabled = index === 0;
    nextButton.disabled = index === sectionEls.length - 1;
    progress.textContent = fmt(T.progress, { current: index + 1, total: sectionEls.length });
    if (moveFocus) {
      window.scrollTo(0, 0);
      one("h1", sectionEls[index]).focus();
    }
  }

  function go(index) {
    showSection(index, true);
    save();
  }

  prevButton.addEventListener("click", function () { go(current - 1); });
  nextButton.addEventListener("click", function () { go(current + 1); });

  /* ------------------------------------------------------------------ scenario (not graded) */

  var refreshers = [];

  function setupScenario(el) {
    var sid = el.getAttribute("data-id");
    var steps = DATA.scenarios[sid].steps;
    var endEl = one(".scn-end", el);
    var stepEls = {};
    all(".scn-step", el).forEach(function (stepEl) { stepEls[stepEl.getAttribute("data-step")] = stepEl; });

    function refresh() {
      var chosen = state.s[sid] || {};
      var byId = {};
      steps.forEach(function (step) { byId[step.id] = step; });
      // The path: from the first step, follow each choice made to its next step, until a step without a
      // choice or the end. (The authoring check guarantees every branch can reach the end.)
      var onPath = {};
      var ended = false;
      var at = steps[0].id;
      while (at && !onPath[at]) {
        onPath[at] = true;
        var choice = chosen[at];
        if (!choice) break;
        var next = byId[at].choices[choice];
        if (next === "end") {
          ended = true;
          break;
        }
        at = next;
      }
      steps.forEach(function (step) {
        var stepEl = stepEls[step.id];
        stepEl.hidden = !onPath[step.id];
        all(".scn-choice", stepEl).forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.getAttribute("data-choice") === chosen[step.id]));
        });
        all(".scn-fb", stepEl).forEach(function (fb) { fb.hidden = fb.getAttribute("data-for") !== chosen[step.id]; });
      });
      endEl.hidden = !ended;
    }

    el.addEventListener("click", function (event) {
      var button = event.target.closest(".scn-choice");
      if (!button) return;
      var stepId = button.closest(".scn-step").getAttribute("data-step");
      if (!state.s[sid]) state.s[sid] = {};
      state.s[sid][stepId] = button.getAttribute("data-choice");
      refresh();
      save();
    });
    refreshers.push(refresh);
  }

  /* ------------------------------------------------------------------ quiz */

  function sameSet(a, b) {
    return a.length === b.length && a.every(function (x) { return b.indexOf(x) >= 0; });
  }

  function grade() {
    var questions = drawnQuestions();
    var perQuestion = {};
    var correct = 0;
    questions.forEach(function (q) {
      var ok = sameSet(state.q.a[q.id] || [], q.correct);
      perQuestion[q.id] = ok;
      if (ok) correct += 1;
    });
    var score = questions.length ? Math.round((correct / questions.length) * 100) : 0;
    return { correct: correct, total: questions.length, score: score, passed: score >= mastery(), perQuestion: perQuestion };
  }

  function setupQuiz(el) {
    var form = one(".quiz-form", el);
    var error = one(".quiz-error", el);
    var submit = one(".quiz-submit", el);
    var resultEl = one(".quiz-result", el);
    var objectivesEl = one(".quiz-objectives", resultEl);
    var fieldsets = {};
    all(".quiz-q", form).forEach(function (fieldset) { fieldsets[fieldset.getAttribute("data-question")] = fieldset; });

    /* Show this try's questions in their drawn order, options in their shuffled order; hide the rest. */
    function layout() {
      var drawn = drawOf(state.q.r, state.q.x);
      BANK.forEach(function (q) {
        var shown = drawn.ids.indexOf(q.id) >= 0;
        fieldsets[q.id].hidden = !shown;
        all("input", fieldsets[q.id]).forEach(function (input) { input.disabled = !shown; });
      });
      drawn.ids.forEach(function (id, index) {
        var fieldset = fieldsets[id];
        form.insertBefore(fieldset, error);
        one(".quiz-num", fieldset).textContent = fmt(T.quiz_question, { n: index + 1, total: drawn.ids.length });
        var feedback = one(".quiz-feedback", fieldset);
        drawn.options[id].forEach(function (optionId) {
          fieldset.insertBefore(document.getElementById("q-" + id + "-" + optionId).parentNode, feedback);
        });
      });
    }

    function readAnswer(questionId) {
      var checked = all("input", fieldsets[questionId])
        .filter(function (input) { return input.checked; })
        .map(function (input) { return input.value; });
      // In the authored order, whatever order the options are shown in (the interactions report it so).
      var picked = BY_ID[questionId].options.filter(function (o) { return checked.indexOf(o) >= 0; });
      if (picked.length) state.q.a[questionId] = picked;
      else delete state.q.a[questionId];
    }

    /* After checking. A wrong answer shows why the chosen option is wrong and the page to revisit, never
       the correct option: that, and the explanation of questions answered wrong, only once the learner has
       passed (the register trusts a pass; a failed try must not hand out the answers for the next). */
    function showResult(result) {
      var questions = drawnQuestions();
      var reveal = !!result && passed();
      var wrongObjectives = {};
      var wrongPages = {};
      submit.hidden = !!result;
      resultEl.hidden = !result;
      questions.forEach(function (q) {
        var fieldset = fieldsets[q.id];
        var given = state.q.a[q.id] || [];
        var ok = !!result && result.perQuestion[q.id];
        all("input", fieldset).forEach(function (input) {
          input.disabled = !!result;
          // Disabled controls look pale: after checking, the learner's own choices are also said in words.
          var label = one('label[for="' + input.id + '"]', fieldset);
          if (result && input.checked) label.setAttribute("data-note", T.quiz_your_choice);
          else label.removeAttribute("data-note");
        });
        var feedback = one(".quiz-feedback", fieldset);
        feedback.hidden = !result;
        feedback.classList.toggle("is-correct", ok);
        var verdict = one(".quiz-verdict", fieldset);
        verdict.textContent = "";
        if (result) {
          var mark = document.createElement("span");
          mark.setAttribute("aria-hidden", "true");
          mark.textContent = ok ? "✓ " : "✗ ";
          verdict.appendChild(mark);
          verdict.appendChild(document.createTextNode(ok ? T.quiz_correct : T.quiz_incorrect));
        }
        var chosenWrong = given.filter(function (o) { return q.correct.indexOf(o) < 0; });
        all(".quiz-opt-fb", fieldset).forEach(function (p) {
          p.hidden = !result || ok || chosenWrong.indexOf(p.getAttribute("data-for")) < 0;
        });
        var missed = one(".quiz-missed", fieldset);
        if (missed) missed.hidden = !result || ok || chosenWrong.length > 0;
        var revisit = one(".quiz-revisit", fieldset);
        if (revisit) revisit.hidden = !result || ok;
        one(".quiz-answer", fieldset).hidden = !reveal || ok;
        one(".quiz-why", fieldset).hidden = !(ok || reveal);
        if (result && !ok && q.objective >= 0) {
          wrongObjectives[q.objective] = true;
          wrongPages[q.objective + ":" + q.revisit] = true;
        }
      });
      if (objectivesEl) {
        var any = false;
        all("li[data-objective]", objectivesEl).forEach(function (li) {
          var k = li.getAttribute("data-objective");
          li.hidden = !wrongObjectives[k];
          any = any || !li.hidden;
          all(".quiz-goto", li).forEach(function (button) {
            button.hidden = !wrongPages[k + ":" + button.getAttribute("data-goto")];
          });
        });
        objectivesEl.hidden = !any;
      }
      if (!result) return;
      one(".quiz-score", resultEl).textContent = fmt(T.quiz_result_score, result);
      one(".quiz-outcome", resultEl).textContent = fmt(result.passed ? T.quiz_passed : T.quiz_failed, { mastery: mastery() });
      var best = one(".quiz-best", resultEl);
      best.hidden = state.q.b <= result.score;
      best.textContent = fmt(T.quiz_best, { score: state.q.b });
    }

    function refresh() {
      layout();
      BANK.forEach(function (q) { // questions of an earlier try keep no ticks either
        all("input", fieldsets[q.id]).forEach(function (input) {
          input.checked = (state.q.a[q.id] || []).indexOf(input.value) >= 0;
        });
      });
      error.hidden = true;
      showResult(state.q.d ? grade() : null);
    }

    form.addEventListener("change", function (event) {
      if (state.q.d) return;
      readAnswer(event.target.closest(".quiz-q").getAttribute("data-question"));
      save();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state.q.d) return;
      var missing = [];
      drawnQuestions().forEach(function (q, i) { if (!state.q.a[q.id]) missing.push(i + 1); });
      if (missing.length) {
        error.textContent = fmt(T.quiz_unanswered, { list: missing.join(", ") });
        error.hidden = false;
        error.focus();
        return;
      }
      error.hidden = true;
      state.q.d = 1;
      var result = grade();
      state.q.b = Math.max(state.q.b, result.score);
      showResult(result);
      reportQuiz(result);
      one(".quiz-result-heading", resultEl).focus();
    });

    // A retry draws again: a new seed, and the questions just asked are avoided where the bank allows.
    one(".quiz-retry", resultEl).addEventListener("click", function () {
      state.q.x = drawOf(state.q.r, state.q.x).ids.slice();
      state.q.r = newSeed();
      state.q.a = {};
      state.q.d = 0;
      refresh();
      save();
      one("input:not([disabled])", form).focus();
    });

    // "Revisit the page" buttons go to that page of the module.
    el.addEventListener("click", function (event) {
      var button = event.target.closest(".quiz-goto");
      if (button) go(SECTION_IDS.indexOf(button.getAttribute("data-goto")));
    });
    refreshers.push(refresh);
  }

  /* ------------------------------------------------------------------ the participation house */

  function setupHouse(el) {
    var hid = el.getAttribute("data-id");
    var buttons = all(".house-part", el);
    var count = one(".house-count", el);

    function panelOf(button) { return document.getElementById(button.getAttribute("aria-controls")); }

    function buttonOf(partId) {
      return buttons.filter(function (b) { return b.getAttribute("data-part") === partId; })[0];
    }

    function setOpen(button, open) {
      button.setAttribute("aria-expanded", String(open));
      panelOf(button).hidden = !open;
    }

    function refresh() {
      count.textContent = fmt(T.house_opened, { opened: (state.h[hid] || []).length, total: buttons.length });
    }

    function open(button) {
      buttons.forEach(function (b) { if (b !== button) setOpen(b, false); });
      setOpen(button, true);
      var opened = state.h[hid] || (state.h[hid] = []);
      var partId = button.getAttribute("data-part");
      if (opened.indexOf(partId) < 0) opened.push(partId);
      refresh();
      save();
    }

    el.addEventListener("click", function (event) {
      var button = event.target.closest(".house-part");
      if (button) {
        if (button.getAttribute("aria-expanded") === "true") setOpen(button, false);
        else open(button);
        return;
      }
      var close = event.target.closest(".house-close");
      if (close) {
        var owner = buttonOf(close.getAttribute("data-part"));
        setOpen(owner, false);
        owner.focus();
      }
    });

    // Escape closes the open explanation and returns focus to its part of the picture.
    el.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") return;
      var openButton = buttons.filter(function (b) { return b.getAttribute("aria-expanded") === "true"; })[0];
      if (!openButton) return;
      event.preventDefault();
      setOpen(openButton, false);
      openButton.focus();
    });
    refreshers.push(refresh);
  }

  /* ------------------------------------------------------------------ start */

  sectionEls.forEach(function (el) {
    var kind = el.getAttribute("data-kind");
    if (kind === "scenario") setupScenario(el);
    else if (kind === "quiz") setupQuiz(el);
    else if (kind === "house") setupHouse(el);
  });

  var restored = startLms();
  if (restored) state = restored;
  if (!state.q.r) state.q.r = newSeed(); // this try's questions are fixed from here on, also on resume
  refreshers.forEach(function (refresh) { refresh(); });
  showSection(Math.max(0, SECTION_IDS.indexOf(state.c)), false);
  save();

  window.addEventListener("pagehide", terminate);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && lms.terminated) banner(T.session_ended_banner);
  });

  // For the browser tests and for support: read-only views of the state; nothing here changes it.
  window.SCO = {
    standard: DATA.standard,
    suspendLimit: SUSPEND_LIMIT,
    mode: function () { return lms.mode; },
    errors: function () { return lms.errors.slice(); },
    state: function () { return JSON.parse(serialize(state)); },
    serialize: function (st) { return serialize(st || state); },
    encode: encode,
    longestState: longestState,
    draw: function (seed, avoid) { return draw(seed, avoid || []); },
    drawn: function () { return drawOf(state.q.r, state.q.x).ids.slice(); }
  };
})();
