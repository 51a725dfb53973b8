// Run charts of outcomes: the series, the target trajectory, the mean and the
// natural process limits, with signals drawn as large diamonds (and listed in
// text beside the chart). Data comes from json_script (the CSP forbids inline
// scripts). Markup: <canvas data-run-chart="ID-of-json-script">.
// The data: {title, unit, labels, values, target, signals, mean, upper, lower}.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var INK = "#1b1b1b", BLUE = "#005ea2", RED = "#b50909", GREY = "#71767a", GREEN = "#00a91c";

  function flat(value, count) {
    var line = [];
    for (var i = 0; i < count; i += 1) { line.push(value); }
    return line;
  }

  document.querySelectorAll("canvas[data-run-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-run-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var n = data.values.length;
    var signals = data.signals || [];
    var datasets = [{
      label: data.title,
      data: data.values,
      borderColor: BLUE,
      backgroundColor: data.values.map(function (_, i) { return signals[i] ? RED : BLUE; }),
      pointStyle: data.values.map(function (_, i) { return signals[i] ? "rectRot" : "circle"; }),
      pointRadius: data.values.map(function (_, i) { return signals[i] ? 8 : 4; }),
      spanGaps: false
    }, {
      label: "Target trajectory",
      data: data.target,
      borderColor: GREEN,
      borderDash: [8, 4],
      pointRadius: 0,
      fill: false
    }];
    if (data.mean !== null) {
      datasets.push(
        { label: "Mean", data: flat(data.mean, n), borderColor: GREY, pointRadius: 0, borderWidth: 1 },
        { label: "Upper process limit", data: flat(data.upper, n), borderColor: GREY, borderDash: [2, 3], pointRadius: 0, borderWidth: 1 },
        { label: "Lower process limit", data: flat(data.lower, n), borderColor: GREY, borderDash: [2, 3], pointRadius: 0, borderWidth: 1 }
      );
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        scales: { y: { title: { display: true, text: data.unit, color: INK } } },
        plugins: {
          legend: { labels: { color: INK } },
          tooltip: {
            callbacks: {
              afterLabel: function (ctx) { return ctx.datasetIndex === 0 && signals[ctx.dataIndex] ? "Signal" : ""; }
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
