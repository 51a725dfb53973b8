// Widgets' own behaviour. Loaded from a file: the CSP forbids inline scripts.
(function () {
  "use strict";
  // Move focus to a form's error summary so screen-reader users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Show a progress indicator while a large upload is checked or saved.
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var progress = form.querySelector(".upload-progress");
      if (progress) { progress.hidden = false; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
})();
