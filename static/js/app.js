// Widgets' own behaviour. Loaded from a file: the CSP forbids inline scripts.
(function () {
  "use strict";
  // Move focus to a form's error summary so screen-reader users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
