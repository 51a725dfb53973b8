// The huddle board reloads itself: <main data-refresh-seconds="300">, with a
// button [data-refresh-toggle] to pause and resume (WCAG 2.2.1, timing adjustable).
(function () {
  "use strict";
  var board = document.querySelector("[data-refresh-seconds]");
  if (!board) { return; }
  var seconds = parseInt(board.getAttribute("data-refresh-seconds"), 10) || 300;
  var toggle = document.querySelector("[data-refresh-toggle]");
  var timer = null;
  function start() {
    timer = window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    if (toggle) { toggle.textContent = "Pause refreshing"; toggle.setAttribute("aria-pressed", "false"); }
  }
  function stop() {
    window.clearTimeout(timer);
    timer = null;
    if (toggle) { toggle.textContent = "Resume refreshing"; toggle.setAttribute("aria-pressed", "true"); }
  }
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () { if (timer) { stop(); } else { start(); } });
  }
  start();
})();
