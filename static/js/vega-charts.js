// Vega-Lite charts (docs/adr/0005-charts-vega-lite.md). The server writes each
// chart's spec with json_script (the CSP forbids inline scripts) beside
// <div data-vega-spec="ID-of-the-json-script">, and what every spec shares once
// (id "vega-shared"); vega-embed draws each, with the shared part, as SVG. Vega's
// expressions run through its interpreter (ast: true), never eval or new Function,
// and vega-embed's own stylesheet is left out (no inline styles under the CSP).
// The drawing is hidden from screen readers: the figure's title, its summary in
// words and its table say the same (templates/includes/chart.html).
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") { return; }
  // What every spec shares (the schema, the fit, the house look: agencies.charts
  // SHARED), written once on the page; a chart's own keys win.
  var sharedSource = document.getElementById("vega-shared");
  var shared = sharedSource ? JSON.parse(sharedSource.textContent) : {};
  document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-vega-spec"));
    if (!source) { return; }
    var spec = Object.assign({}, shared, JSON.parse(source.textContent));
    vegaEmbed(el, spec, {
      renderer: "svg",
      actions: false,
      ast: true,
      defaultStyle: false,
      tooltip: false
    }).then(function () {
      el.setAttribute("data-vega-drawn", "true");
    }).catch(function (error) {
      el.setAttribute("data-vega-drawn", "failed");
      el.textContent = "The chart could not be drawn; its figures are in the table.";
      if (window.console) { window.console.error(error); }
    });
  });
})();
