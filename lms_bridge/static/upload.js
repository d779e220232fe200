// Progressive enhancement of the package upload: the form works without this script; with it the
// admin sees upload progress. The server's answer (a redirect or the page with an error) replaces the page.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files || !file.files.length) return; // let the server explain what is missing
    event.preventDefault();
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var percent = document.getElementById("upload-percent");
    box.hidden = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var value = Math.round((e.loaded / e.total) * 100);
      bar.value = value;
      percent.textContent = value + " %";
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
      if (request.responseURL) history.replaceState(null, "", request.responseURL);
    });
    request.addEventListener("error", function () { form.submit(); });
    request.send(new FormData(form));
  });
})();
