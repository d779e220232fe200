/* Test LMS: the SCORM 1.2 API ("API") and SCORM 2004 API ("API_1484_11") with a strict data model.

   - Every call is recorded with its arguments, result and error code (window.lmsLog(), also kept in
     localStorage so the log survives a reload of this page).
   - The CMI state is kept in localStorage under the attempt key and written on Commit and on
     Finish/Terminate only, as a real LMS persists. A reload of this page resumes: entry = "resume" when the
     last committed cmi.exit was "suspend"; any other exit starts a new attempt (entry = "ab-initio").
   - Values are checked against the data model's types and vocabularies (SCORM 1.2 RTE section 3.4,
     SCORM 2004 4th ed. RTE section 4), so a SCO that writes a wrong value gets "false" and an error code,
     as from a strict LMS. Only the elements a SCO of this project may use are implemented. */
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var STD = params.get("std") || "scorm12";
  var KEY = "lms:" + (params.get("key") || "default") + ":" + STD;
  var LOG_KEY = KEY + ":log";

  function load(key, fallback) {
    try {
      var text = window.localStorage.getItem(key);
      return text ? JSON.parse(text) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function store(key, value) { window.localStorage.setItem(key, JSON.stringify(value)); }

  var log = load(LOG_KEY, []);

  function record(fn, args, result, error) {
    log.push({ fn: fn, args: args, result: result, error: error, session: session.number });
    store(LOG_KEY, log);
  }

  // ---------------------------------------------------------------- value types

  function re(pattern) { return function (v) { return pattern.test(v); }; }
  function maxLen(n) { return function (v) { return v.length <= n; }; }
  function vocab(words) { return function (v) { return words.indexOf(v) >= 0; }; }
  function decimal(low, high) {
    return function (v) {
      if (!/^-?\d+(\.\d+)?$/.test(v)) return false;
      var n = parseFloat(v);
      return (low === undefined || n >= low) && (high === undefined || n <= high);
    };
  }
  function both(a, b) { return function (v) { return a(v) && b(v); }; }
  function either(a, b) { return function (v) { return a(v) || b(v); }; }

  var T12 = {
    string255: maxLen(255),
    string4096: maxLen(4096),
    score: either(vocab([""]), decimal(0, 100)),
    timespan: re(/^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/),
    time: re(/^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$/),
    identifier: re(/^[^\s]{1,255}$/),
    status: vocab(["passed", "completed", "failed", "incomplete", "browsed"]),
    exit: vocab(["time-out", "suspend", "logout", ""]),
    itype: vocab(["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"]),
    // choice responses: single characters 0-9 a-z, comma separated (or an unordered set in braces)
    choice: re(/^[0-9a-z](,[0-9a-z])*$|^\{[0-9a-z](,[0-9a-z])*\}$/),
    result: either(vocab(["correct", "wrong", "unanticipated", "neutral"]), decimal()),
    decimal: decimal()
  };

  var TIME_2004 = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2}(Z|[+-]\d{2}(:\d{2})?)?)?)?)?)?)?)?$/;
  var DURATION_2004 = /^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/;
  var T04 = {
    location: maxLen(1000),
    suspend: maxLen(64000),
    completion: vocab(["completed", "incomplete", "not attempted", "unknown"]),
    success: vocab(["passed", "failed", "unknown"]),
    exit: vocab(["time-out", "suspend", "logout", "normal", ""]),
    real: decimal(),
    scaled: decimal(-1, 1),
    duration: re(DURATION_2004),
    time: re(TIME_2004),
    id: both(maxLen(4000), re(/^\S+$/)),
    itype: vocab(["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
      "likert", "numeric", "other"]),
    // choice responses: short identifiers separated by [,], each at most once
    choice: function (v) {
      if (v === "") return true;
      var parts = v.split("[,]");
      return parts.every(function (p) { return /^[^\s\[\]]{1,250}$/.test(p); }) &&
        parts.every(function (p, i) { return parts.indexOf(p) === i; });
    },
    result: either(vocab(["correct", "incorrect", "unanticipated", "neutral"]), decimal()),
    description: maxLen(250)
  };

  // ---------------------------------------------------------------- attempt state

  var saved = load(KEY, null);
  var session = { number: (saved && saved.sessions ? saved.sessions : 0) + 1 };
  var cmi;
  var entry;
  if (saved && saved.cmi && saved.exit === "suspend") {
    cmi = saved.cmi;
    entry = "resume";
  } else {
    cmi = {};
    entry = "ab-initio";
  }
  var attempt = (saved && saved.attempt ? saved.attempt : 0) + (entry === "ab-initio" ? 1 : 0);
  var exitValue = null;
  var sessionTime = null;
  var mastery = params.get("mastery");

  function persist(finished) {
    store(KEY, {
      cmi: cmi,
      exit: exitValue === null ? (saved ? saved.exit : "") : exitValue,
      attempt: attempt,
      sessions: session.number,
      lastSessionTime: sessionTime,
      finished: !!finished
    });
  }

  function interactionCount() { return (cmi.interactions || []).length; }

  // ---------------------------------------------------------------- the data model
  // Each element: r = readable, w = writable (with a type check), value = fixed read-only value.

  function model12(element) {
    var m;
    var fixed = {
      "cmi.core._children": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
      "cmi.core.score._children": "raw,min,max",
      "cmi.core.student_id": "test-learner",
      "cmi.core.student_name": "Testaaja, Tiina",
      "cmi.core.credit": "credit",
      "cmi.core.entry": entry,
      "cmi.core.lesson_mode": params.get("mode") || "normal",
      "cmi.core.total_time": cmi.total_time || "0000:00:00.00",
      "cmi.launch_data": "",
      "cmi.student_data.mastery_score": mastery || "",
      "cmi.interactions._children": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
      "cmi.interactions._count": String(interactionCount())
    };
    if (Object.prototype.hasOwnProperty.call(fixed, element)) return { r: true, value: fixed[element], keyword: /\._/.test(element) };
    var rw = {
      "cmi.core.lesson_location": T12.string255,
      "cmi.core.lesson_status": T12.status,
      "cmi.core.score.raw": T12.score,
      "cmi.core.score.min": T12.score,
      "cmi.core.score.max": T12.score,
      "cmi.suspend_data": T12.string4096
    };
    if (rw[element]) {
      var initial = { "cmi.core.lesson_status": "not attempted" }[element] || "";
      return { r: true, w: rw[element], get: function () { return element in cmi ? cmi[element] : initial; } };
    }
    if (element === "cmi.core.exit") return { w: T12.exit, store: function (v) { exitValue = v; } };
    if (element === "cmi.core.session_time") return { w: T12.timespan, store: function (v) { sessionTime = v; } };
    if ((m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(element))) {
      var n = parseInt(m[1], 10);
      var field = m[2];
      var types = {
        id: T12.identifier, type: T12.itype, student_response: null, result: T12.result,
        weighting: T12.decimal, time: T12.time, latency: T12.timespan, "correct_responses.0.pattern": null
      };
      if (!Object.prototype.hasOwnProperty.call(types, field)) return null;
      if (n > interactionCount()) return { gap: true };
      return {
        w: function (v, record_) {
          var check = types[field];
          if (check === null) check = (record_ && record_.type === "choice") ? T12.choice : T12.string255;
          return v.length <= 255 && check(v);
        },
        interaction: n,
        field: field
      };
    }
    return null;
  }

  function model2004(element) {
    var m;
    var fixed = {
      "cmi._version": "1.0",
      "cmi.learner_id": "test-learner",
      "cmi.learner_name": "Testaaja, Tiina",
      "cmi.credit": "credit",
      "cmi.entry": entry,
      "cmi.mode": params.get("mode") || "normal",
      "cmi.total_time": cmi.total_time || "PT0S",
      "cmi.launch_data": "",
      "cmi.completion_threshold": "",
      "cmi.interactions._children": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description",
      "cmi.interactions._count": String(interactionCount()),
      "cmi.score._children": "scaled,raw,min,max"
    };
    if (element === "cmi.scaled_passing_score") {
      return mastery ? { r: true, value: mastery } : { r: true, unset: true };
    }
    if (Object.prototype.hasOwnProperty.call(fixed, element)) return { r: true, value: fixed[element], keyword: /\._/.test(element) };
    var rw = {
      "cmi.location": T04.location,
      "cmi.suspend_data": T04.suspend,
      "cmi.completion_status": T04.completion,
      "cmi.success_status": T04.success,
      "cmi.score.scaled": T04.scaled,
      "cmi.score.raw": T04.real,
      "cmi.score.min": T04.real,
      "cmi.score.max": T04.real
    };
    if (rw[element]) {
      var initial = { "cmi.completion_status": "unknown", "cmi.success_status": "unknown" }[element];
      return {
        r: true,
        w: rw[element],
        get: function () { return element in cmi ? cmi[element] : initial; }
      };
    }
    if (element === "cmi.exit") return { w: T04.exit, store: function (v) { exitValue = v; } };
    if (element === "cmi.session_time") return { w: T04.duration, store: function (v) { sessionTime = v; } };
    if ((m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(element))) {
      var n = parseInt(m[1], 10);
      var field = m[2];
      var types = {
        id: T04.id, type: T04.itype, description: T04.description, weighting: T04.real,
        learner_response: null, result: T04.result, timestamp: T04.time, latency: T04.duration,
        "correct_responses.0.pattern": null
      };
      if (field === "correct_responses._count") {
        return { r: true, value: String(n < interactionCount() && cmi.interactions[n]["correct_responses.0.pattern"] !== undefined ? 1 : 0) };
      }
      if (!Object.prototype.hasOwnProperty.call(types, field)) return null;
      if (n > interactionCount()) return { gap: true };
      return {
        r: true,
        w: function (v, record_) {
          var check = types[field];
          if (check === null) check = record_.type === "choice" ? T04.choice : maxLen(4000);
          return check(v);
        },
        interaction: n,
        field: field,
        // id before anything else; type before responses and patterns (RTE 4.2.9 dependencies)
        needs: field === "id" ? null : (/response|pattern/.test(field) ? "type" : "id")
      };
    }
    return null;
  }

  // ---------------------------------------------------------------- the two API objects

  function makeApi(is12) {
    var state = "new"; // new | running | done
    var lastError = "0";
    var messages12 = {
      "0": "No error", "101": "General exception", "201": "Invalid argument error",
      "202": "Element cannot have children", "203": "Element not an array - cannot have count",
      "301": "Not initialized", "401": "Not implemented error", "402": "Invalid set value, element is a keyword",
      "403": "Element is read only", "404": "Element is write only", "405": "Incorrect data type"
    };
    var messages04 = {
      "0": "No Error", "101": "General Exception", "102": "General Initialization Failure",
      "103": "Already Initialized", "104": "Content Instance Terminated", "111": "General Termination Failure",
      "112": "Termination Before Initialization", "113": "Termination After Termination",
      "122": "Retrieve Data Before Initialization", "123": "Retrieve Data After Termination",
      "132": "Store Data Before Initialization", "133": "Store Data After Termination",
      "142": "Commit Before Initialization", "143": "Commit After Termination", "201": "General Argument Error",
      "301": "General Get Failure", "351": "General Set Failure", "391": "General Commit Failure",
      "401": "Undefined Data Model Element", "402": "Unimplemented Data Model Element",
      "403": "Data Model Element Value Not Initialized", "404": "Data Model Element Is Read Only",
      "405": "Data Model Element Is Write Only", "406": "Data Model Element Type Mismatch",
      "407": "Data Model Element Value Out Of Range", "408": "Data Model Dependency Not Established"
    };
    var model = is12 ? model12 : model2004;

    function done(fn, args, result, error) {
      lastError = error;
      record(fn, args, result, error);
      return result;
    }

    function initialize(fn, arg) {
      if (arg !== "") return done(fn, [arg], "false", "201");
      if (state === "running") return done(fn, [arg], "false", is12 ? "101" : "103");
      if (state === "done") return done(fn, [arg], "false", is12 ? "101" : "104");
      state = "running";
      return done(fn, [arg], "true", "0");
    }

    function finish(fn, arg) {
      if (arg !== "") return done(fn, [arg], "false", "201");
      if (state !== "running") return done(fn, [arg], "false", is12 ? "301" : (state === "new" ? "112" : "113"));
      state = "done";
      if (sessionTime) cmi.total_time = sessionTime; // one session per test is enough for the total
      persist(true);
      return done(fn, [arg], "true", "0");
    }

    function commit(fn, arg) {
      if (arg !== "") return done(fn, [arg], "false", "201");
      if (state !== "running") return done(fn, [arg], "false", is12 ? "301" : (state === "new" ? "142" : "143"));
      persist(false);
      return done(fn, [arg], "true", "0");
    }

    function getValue(fn, element) {
      if (state !== "running") return done(fn, [element], "", is12 ? "301" : (state === "new" ? "122" : "123"));
      var def = model(element);
      if (!def) return done(fn, [element], "", is12 ? "201" : "401");
      if (def.gap) return done(fn, [element], "", is12 ? "201" : "301");
      if (!def.r) return done(fn, [element], "", is12 ? "404" : "405");
      if (def.unset) return done(fn, [element], "", is12 ? "0" : "403");
      if (def.interaction !== undefined) {
        var rec = (cmi.interactions || [])[def.interaction];
        if (!rec || rec[def.field] === undefined) return done(fn, [element], "", "403");
        return done(fn, [element], rec[def.field], "0");
      }
      var value = def.get ? def.get() : def.value;
      if (!is12 && value === undefined) return done(fn, [element], "", "403");
      return done(fn, [element], value === undefined ? "" : value, "0");
    }

    function setValue(fn, element, value) {
      var args = [element, value];
      if (state !== "running") return done(fn, args, "false", is12 ? "301" : (state === "new" ? "132" : "133"));
      if (typeof value !== "string") value = String(value);
      var def = model(element);
      if (!def) return done(fn, args, "false", is12 ? "201" : "401");
      if (def.keyword) return done(fn, args, "false", is12 ? "402" : "404");
      if (def.gap) return done(fn, args, "false", is12 ? "201" : "351");
      if (!def.w) return done(fn, args, "false", is12 ? "403" : "404");
      if (def.interaction !== undefined) {
        var list = cmi.interactions || (cmi.interactions = []);
        var rec = list[def.interaction];
        if (!is12 && def.needs && (!rec || rec[def.needs] === undefined)) return done(fn, args, "false", "408");
        if (is12 && def.field !== "id" && !rec) return done(fn, args, "false", "201");
        if (!def.w(value, rec || {})) return done(fn, args, "false", is12 ? "405" : "406");
        if (!rec) rec = list[def.interaction] = {};
        rec[def.field] = value;
        return done(fn, args, "true", "0");
      }
      if (!def.w(value)) return done(fn, args, "false", is12 ? "405" : "406");
      if (def.store) def.store(value);
      else cmi[element] = value;
      return done(fn, args, "true", "0");
    }

    function lastErrorFn(fn) { record(fn, [], lastError, lastError); return lastError; }

    function errorString(fn, code) {
      var text = (is12 ? messages12 : messages04)[String(code)] || "";
      record(fn, [code], text, lastError);
      return text;
    }

    function diagnostic(fn, code) {
      var text = "test LMS: " + ((is12 ? messages12 : messages04)[String(code || lastError)] || "");
      record(fn, [code], text, lastError);
      return text;
    }

    if (is12) {
      return {
        LMSInitialize: function (a) { return initialize("LMSInitialize", a); },
        LMSFinish: function (a) { return finish("LMSFinish", a); },
        LMSGetValue: function (e) { return getValue("LMSGetValue", e); },
        LMSSetValue: function (e, v) { return setValue("LMSSetValue", e, v); },
        LMSCommit: function (a) { return commit("LMSCommit", a); },
        LMSGetLastError: function () { return lastErrorFn("LMSGetLastError"); },
        LMSGetErrorString: function (c) { return errorString("LMSGetErrorString", c); },
        LMSGetDiagnostic: function (c) { return diagnostic("LMSGetDiagnostic", c); }
      };
    }
    return {
      version: "1.0",
      Initialize: function (a) { return initialize("Initialize", a); },
      Terminate: function (a) { return finish("Terminate", a); },
      GetValue: function (e) { return getValue("GetValue", e); },
      SetValue: function (e, v) { return setValue("SetValue", e, v); },
      Commit: function (a) { return commit("Commit", a); },
      GetLastError: function () { return lastErrorFn("GetLastError"); },
      GetErrorString: function (c) { return errorString("GetErrorString", c); },
      GetDiagnostic: function (c) { return diagnostic("GetDiagnostic", c); }
    };
  }

  // ---------------------------------------------------------------- page

  window.TestLms = {
    start: function (frame) {
      if (STD === "scorm12") window.API = makeApi(true);
      else window.API_1484_11 = makeApi(false);
      var sco = params.get("sco");
      var nest = parseInt(params.get("nest") || "0", 10);
      if (params.get("popup")) {
        // As LMSs that open the SCO in a new window: the SCO finds the API through window.opener.
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "Open the module";
        button.addEventListener("click", function () { window.open(sco, "sco"); });
        frame.replaceWith(button);
        return;
      }
      frame.src = nest > 0 ? "frame.html?depth=" + (nest - 1) + "&sco=" + encodeURIComponent(sco) : sco;
    }
  };
  window.lmsLog = function () { return load(LOG_KEY, []); };
  window.lmsStored = function () { return load(KEY, null); };
  window.lmsLive = function () { return { cmi: cmi, entry: entry, exit: exitValue, sessionTime: sessionTime, attempt: attempt }; };
})();
