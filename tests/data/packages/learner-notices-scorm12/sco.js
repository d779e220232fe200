/* The least a SCO does: find the API, initialise, say it is under way, commit. */
(function () {
  var w = window, api = null;
  for (var i = 0; i < 10 && w; i++) {
    if (w.API) { api = w.API; break; }
    if (w === w.parent) break;
    w = w.parent;
  }
  if (!api) return;
  api.LMSInitialize("");
  api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  api.LMSSetValue("cmi.core.lesson_location", document.title);
  api.LMSCommit("");
  window.scoApi = api;
})();
