// LTI launch pages: the cookie check (a new window when the frame may keep no cookie), the platform's
// postMessage storage (1EdTech lti-cs-oidc: state and nonce kept by the platform instead of a cookie),
// the deep-linking response's auto-post and the dynamic registration's close message.
(function () {
  "use strict";

  function storageFrame(target) {
    if (target === "_parent" || !target) { return window.parent; }
    try { return window.parent.frames[target] || window.parent; } catch (e) { return window.parent; }
  }

  // One request to the platform's storage; resolves with the answer or rejects after a timeout.
  function ask(target, origin, message) {
    return new Promise(function (resolve, reject) {
      var id = "lmsb-" + Math.random().toString(36).slice(2);
      message.message_id = id;
      function listen(event) {
        if (event.origin !== origin || !event.data || event.data.message_id !== id) { return; }
        window.removeEventListener("message", listen);
        if (event.data.error) { reject(event.data.error); } else { resolve(event.data); }
      }
      window.addEventListener("message", listen);
      storageFrame(target).postMessage(message, origin);
      setTimeout(function () { window.removeEventListener("message", listen); reject("timeout"); }, 5000);
    });
  }

  var check = document.getElementById("lti-cookie-check");
  if (check) {
    var next = check.getAttribute("data-continue");
    if (window.top === window) { window.location.replace(next); return; }
    var attributes = "; path=/lti/";
    if (check.getAttribute("data-secure") === "true") {
      attributes += "; SameSite=None; Secure";
      if (check.getAttribute("data-partitioned") === "true") { attributes += "; Partitioned"; }
    }
    document.cookie = "lmsb_cookie_check=1" + attributes;
    if (document.cookie.indexOf("lmsb_cookie_check=1") !== -1) {
      document.cookie = "lmsb_cookie_check=; max-age=0" + attributes;
      window.location.replace(next);
    } else {
      document.getElementById("lti-checking").hidden = true;
      document.getElementById("lti-blocked").hidden = false;
    }
  }

  var login = document.getElementById("lti-storage-login");
  if (login) {
    var target = login.getAttribute("data-target"), origin = login.getAttribute("data-origin");
    var state = login.getAttribute("data-state"), nonce = login.getAttribute("data-nonce");
    Promise.all([
      ask(target, origin, { subject: "lti.put_data", key: "state_" + state, value: state }),
      ask(target, origin, { subject: "lti.put_data", key: "nonce_" + nonce, value: nonce })
    ]).then(function () { window.location.replace(login.getAttribute("data-auth-url")); },
            function () { window.location.replace(login.getAttribute("data-auth-url")); });
  }

  var launch = document.getElementById("lti-storage-launch");
  if (launch) {
    var t = launch.getAttribute("data-target"), o = launch.getAttribute("data-origin");
    var s = launch.getAttribute("data-state"), n = launch.getAttribute("data-nonce");
    Promise.all([
      ask(t, o, { subject: "lti.get_data", key: "state_" + s }),
      ask(t, o, { subject: "lti.get_data", key: "nonce_" + n })
    ]).then(function (answers) {
      if (answers[0].value === s && answers[1].value === n) { launch.submit(); } else { throw "mismatch"; }
    }).catch(function () { document.getElementById("lti-storage-failed").hidden = false; });
  }

  var post = document.getElementById("lti-auto-post");
  if (post) { post.submit(); }

  if (document.getElementById("lti-registered")) {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
