// The page of a queued import (widgets/interop/import_job.html): while the job runs,
// ask the page again every two seconds and put its new state in place of the old,
// without reloading (a timed reload is an accessibility failure). Stops when done.
(function () {
  "use strict";
  var state = document.getElementById("job-state");
  if (!state || !window.fetch || !window.DOMParser) { return; }
  function poll() {
    if (!state.hasAttribute("data-poll")) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-state");
          if (fresh) {
            state.innerHTML = fresh.innerHTML;
            if (!fresh.hasAttribute("data-poll")) { state.removeAttribute("data-poll"); }
          }
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
