// Preview run-time: scorm-again answers the package's API calls in the browser only; nothing is sent.
(function () {
  "use strict";
  var standard = document.getElementById("preview-script").getAttribute("data-standard");
  var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
  if (standard === "scorm12") {
    window.API = new window.Scorm12API(settings);
  } else {
    window.API_1484_11 = new window.Scorm2004API(settings);
  }
})();
