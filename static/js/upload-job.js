// The page of an upload the background worker saves (templates/uploads/job.html): while
// the job runs, ask its status (a small JSON answer, the URL in #job-state's data-poll)
// every two seconds and move the bar and its words; once the job is finished, or its
// worker stopped (data-stalled), or it runs again after that, ask for the page once and
// put its new #job-state in place. No timed reload: that is an accessibility failure.
// Without this script, "Check progress" does it.
(function () {
  "use strict";
  var state = document.getElementById("job-state");
  if (!state || !state.dataset.poll || !window.fetch || !window.DOMParser) { return; }
  var statusUrl = state.dataset.poll;
  var stalled = state.hasAttribute("data-stalled");
  var EVERY = 2000;

  function showResult() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("job-state");
        if (!fresh) { window.setTimeout(poll, EVERY); return; }
        state.innerHTML = fresh.innerHTML;
        if (fresh.dataset.poll) { window.setTimeout(poll, EVERY); } else { delete state.dataset.poll; }
      })
      .catch(function () { window.setTimeout(poll, EVERY); });
  }

  function show(job) {
    var bar = document.getElementById("job-progress");
    var label = document.getElementById("job-label");
    var text = document.getElementById("job-text");
    if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
    if (label && label.textContent !== job.label) { label.textContent = job.label; }
    if (text && text.textContent !== job.text) { text.textContent = job.text; }
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, EVERY); return; }
        if (job.finished || job.stalled !== stalled) { stalled = job.stalled; showResult(); return; }
        show(job);
        window.setTimeout(poll, EVERY);
      })
      .catch(function () { window.setTimeout(poll, EVERY); });
  }
  window.setTimeout(poll, EVERY);
})();
