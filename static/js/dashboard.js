// Process behaviour charts of outcomes (outcomes/spc): the series, the target
// trajectory, the centre line and the process limits of each period (they restart
// at a step change, so the lines break there), with signals drawn by shape: a
// triangle improving, a diamond concerning, a square a change in a measure with no
// better direction (and listed in words beside the chart). Data comes from
// json_script (the CSP forbids inline scripts). Markup: <canvas data-run-chart="ID">.
// The data: {title, unit, labels, values, target, signals, centre, upper, lower,
// periodStarts}; signals, centre, upper and lower have one entry per point.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var INK = "#1b1b1b", LINE = "#3d4551", GREY = "#71767a", GREEN = "#008817";
  var SIGNAL = {
    improving: { color: "#005ea2", shape: "triangle" },
    concerning: { color: "#c05600", shape: "rectRot" },
    neutral: { color: "#54278f", shape: "rect" }
  };

  document.querySelectorAll("canvas[data-run-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-run-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var signals = data.signals || [];
    var starts = data.periodStarts || [];
    // No line from the last point of one period to the first of the next.
    var breakAtSteps = {
      borderColor: function (ctx) {
        return starts.indexOf(ctx.p1DataIndex) >= 0 ? "rgba(0, 0, 0, 0)" : undefined;
      }
    };
    function marker(i, key, plain) {
      return signals[i] ? SIGNAL[signals[i]][key] : plain;
    }
    var datasets = [{
      label: data.title,
      data: data.values,
      borderColor: LINE,
      backgroundColor: data.values.map(function (_, i) { return marker(i, "color", LINE); }),
      pointBorderColor: data.values.map(function (_, i) { return marker(i, "color", LINE); }),
      pointStyle: data.values.map(function (_, i) { return marker(i, "shape", "circle"); }),
      pointRadius: data.values.map(function (_, i) { return signals[i] ? 8 : 3; }),
      spanGaps: false
    }, {
      label: "Target trajectory",
      data: data.target,
      borderColor: GREEN,
      borderDash: [8, 4],
      pointRadius: 0,
      fill: false
    }];
    if ((data.centre || []).some(function (v) { return v !== null; })) {
      datasets.push(
        { label: "Centre line", data: data.centre, borderColor: GREY, pointRadius: 0, borderWidth: 1, segment: breakAtSteps },
        { label: "Upper process limit", data: data.upper, borderColor: GREY, borderDash: [2, 3], pointRadius: 0, borderWidth: 1, segment: breakAtSteps },
        { label: "Lower process limit", data: data.lower, borderColor: GREY, borderDash: [2, 3], pointRadius: 0, borderWidth: 1, segment: breakAtSteps }
      );
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { title: { display: true, text: data.unit, color: INK } } },
        plugins: {
          legend: { position: "bottom", labels: { color: INK, boxWidth: 24 } },
          tooltip: {
            callbacks: {
              afterLabel: function (ctx) {
                var s = ctx.datasetIndex === 0 ? signals[ctx.dataIndex] : null;
                return s ? "Signal: " + (s === "neutral" ? "a change" : s) : "";
              }
            }
          }
        }
      }
    });
  });
})();

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
