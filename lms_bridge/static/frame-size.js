/* A frame of package content as tall as the page inside it, so the page around it has the only scroll
   bar (the player, the admin's preview, the LTI guest page). The content origin's frame page reports the
   SCO page's height ("size" messages, static/content-frame.js); the page that owns the frame passes them
   here after checking where they came from.

   A page that grows with its frame (100vh plus a margin) would grow without end: after a burst of growth
   the frame stays as it is and scrolls inside itself. */
(function () {
  "use strict";
  var MIN_FRAME_PX = 384;
  var MAX_FRAME_PX = 50000;

  window.lmsbFrameSizer = function (frame) {
    var growth = [];
    var sizing = true;
    return function sizeFrame(height) {
      if (!sizing || !isFinite(height) || height <= 0) return;
      var wanted = Math.min(MAX_FRAME_PX, Math.max(MIN_FRAME_PX, Math.ceil(height)));
      var current = frame.clientHeight; // inside the frame's border
      if (Math.abs(wanted - current) < 2) return;
      if (wanted > current) {
        var now = Date.now();
        growth = growth.filter(function (t) { return now - t < 2000; });
        growth.push(now);
        if (growth.length > 10) { sizing = false; return; }
      }
      frame.style.height = wanted + (frame.offsetHeight - frame.clientHeight) + "px"; // plus the border
      frame.classList.add("is-sized");
    };
  };
})();
