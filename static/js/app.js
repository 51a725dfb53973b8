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

// Tables that fit: a frame whose table is wider than it is marked
// data-overflowing (styles: a fixed first column and a shadow on the cut edge),
// gets the hint above it, and stays a tab stop so the keyboard can scroll it; a
// frame that fits is no tab stop. Checked again when the window is resized.
(function () {
  "use strict";
  var frames = document.querySelectorAll(".table-frame");
  if (!frames.length) { return; }
  frames.forEach(function (frame) {
    var hint = document.createElement("p");
    hint.className = "table-frame__hint";
    hint.setAttribute("aria-hidden", "true");
    hint.textContent = "Scroll sideways in the table for more columns \u2192";
    hint.hidden = true;
    frame.parentNode.insertBefore(hint, frame);
    frame.tableHint = hint;
  });
  function check() {
    frames.forEach(function (frame) {
      var over = frame.scrollWidth > frame.clientWidth + 1;
      frame.setAttribute("data-overflowing", over ? "true" : "false");
      frame.tableHint.hidden = !over;
      if (over) { frame.setAttribute("tabindex", "0"); } else { frame.removeAttribute("tabindex"); }
    });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(check);
  });
  document.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", check); });
  check();
})();
