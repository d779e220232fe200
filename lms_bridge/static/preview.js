/* The admin's preview: scorm-again answers the package's API calls in this page only; nothing is sent.

   The package runs on the content origin (lms_bridge/packages/content.py) in a frame page that gives it
   the API with scorm-again's CrossFrameAPI; here CrossFrameLMS passes its calls to a run-time of this
   page, a fresh one for each part opened. Messages are taken only from the content origin and this
   page's own frame. */
(function () {
  "use strict";
  var script = document.getElementById("preview-script");
  var standard = script.getAttribute("data-standard");
  var contentOrigin = script.getAttribute("data-content-origin");
  var frame = document.getElementById("preview-frame");
  var bridge = null;
  var sizeFrame = window.lmsbFrameSizer(frame); // static/frame-size.js

  window.addEventListener("message", function (event) {
    if (event.origin !== contentOrigin || !event.source || event.source !== frame.contentWindow) {
      event.stopImmediatePropagation();
      return;
    }
    // The frame page's own notices: its page's height sizes the frame; loaded, unloaded and blocked say
    // nothing the preview shows.
    var data = event.data;
    if (!data || data.type !== "lmsb:content") return; // an API call: CrossFrameLMS's
    event.stopImmediatePropagation();
    if (data.event === "size") sizeFrame(Number(data.height));
  }, true);

  function show(url) {
    if (bridge) bridge.destroy();
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
    var api = standard === "scorm12" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    if (standard === "scorm12") window.API = api;
    else window.API_1484_11 = api;
    bridge = new window.CrossFrameLMS(api, contentOrigin, { rateLimit: 10000 });
    frame.src = url;
  }

  Array.prototype.forEach.call(document.querySelectorAll("#preview-toc a[href]"), function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      show(link.href);
    });
  });
  show(frame.getAttribute("data-src"));
})();
