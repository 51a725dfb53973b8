// Line charts drawn from data a template hands over with json_script (the CSP
// forbids inline scripts). Markup: <canvas data-chart="ID-of-json-script">.
// The data: {title, labels, values (null is a gap), low_sample (booleans)}.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var low = data.low_sample || [];
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.title,
          data: data.values,
          borderColor: "#005ea2",
          backgroundColor: "#005ea2",
          spanGaps: false,
          pointRadius: 5,
          // Low samples are hollow points (and labelled so in the table beside).
          pointBackgroundColor: data.values.map(function (_, i) { return low[i] ? "#ffffff" : "#005ea2"; })
        }]
      },
      options: {
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "Percent satisfied" } } },
        plugins: {
          tooltip: {
            callbacks: {
              afterLabel: function (ctx) { return low[ctx.dataIndex] ? "Low sample" : ""; }
            }
          }
        }
      }
    });
  });
})();
