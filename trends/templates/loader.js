/* The one chart loader: every <div data-chart=NAME> is drawn from <script id="spec-NAME">.
 *
 * Figures whose layout.meta.papers is set (the paper map) are drawn once the explorer has
 * decoded the paper data and filled in their points. Clicks and ranges on the charts are
 * passed to the explorer as "trends:filter" events, read from plotly `meta` fields:
 *   trace.meta.theme_id            a click on the trace (or its legend entry) toggles it;
 *   trace.meta.filter == "theme"   a click toggles the theme in the point's customdata[k]
 *                                  (k = meta.customdata_index, default 0; a list of
 *                                  theme ids toggles them together, e.g. a field);
 *   layout.meta.brush == "date"    the x range (zoom, range slider) is the date filter.
 */
(function () {
  "use strict";
  var config = {responsive: true, displaylogo: false};
  var waiting = [];
  var firstDrawn = false;

  function filter(detail) {
    window.dispatchEvent(new CustomEvent("trends:filter", {detail: detail}));
  }

  function themeOf(point) {  /* a theme id, a list of them (a group), or null */
    var meta = (point.data && point.data.meta) || {};
    if (typeof meta.theme_id === "number") { return meta.theme_id; }
    if (meta.filter === "theme" && point.customdata != null) {
      var value = Array.isArray(point.customdata)
        ? point.customdata[meta.customdata_index || 0] : point.customdata;
      if (typeof value === "number" && value >= -1) { return value; }
      if (Array.isArray(value) && value.length && value.every(function (v) {
        return typeof v === "number";
      })) { return value; }
    }
    return null;
  }

  function listen(div, fig) {
    div.on("plotly_click", function (event) {
      var theme = event && event.points && event.points.length ? themeOf(event.points[0]) : null;
      if (theme !== null) { filter({kind: "theme", theme: theme, source: div.id}); }
    });
    div.on("plotly_legendclick", function (event) {
      var meta = (event.data[event.curveNumber] || {}).meta || {};
      if (typeof meta.theme_id !== "number") { return true; }
      filter({kind: "theme", theme: meta.theme_id, source: div.id});
      return false;  // filter instead of hiding the trace
    });
    if (fig.layout && fig.layout.meta && fig.layout.meta.brush === "date") {
      div.on("plotly_relayout", function (event) {
        if (div.__trendsSyncing) { return; }
        var a = event["xaxis.range[0]"], b = event["xaxis.range[1]"];
        if (event["xaxis.range"]) { a = event["xaxis.range"][0]; b = event["xaxis.range"][1]; }
        if (a !== undefined && b !== undefined) {
          filter({kind: "dates", from: a, to: b, source: div.id});
        } else if (event["xaxis.autorange"]) {
          filter({kind: "dates", from: null, to: null, source: div.id});
        }
      });
    }
  }

  function draw(div, fig) {
    return Plotly.newPlot(div, fig.data, fig.layout, config).then(function () {
      listen(div, fig);
      div.setAttribute("data-drawn", "true");
      if (!firstDrawn) {
        firstDrawn = true;
        performance.mark("trends:first-chart");
      }
    });
  }

  window.TrendsCharts = {
    /* Called by the explorer with a function that fills a figure's points. */
    papersReady: function (hydrate) {
      var jobs = waiting.map(function (w) { hydrate(w.fig); return draw(w.div, w.fig); });
      waiting = [];
      return Promise.all(jobs);
    }
  };

  window.TrendsBoot.then(function () {  /* plotly.js is unpacked */
    document.querySelectorAll("[data-chart]").forEach(function (div) {
      var spec = document.getElementById("spec-" + div.dataset.chart);
      if (!spec) { return; }
      var fig = JSON.parse(spec.textContent);
      if (fig.layout && fig.layout.meta && fig.layout.meta.papers) {
        waiting.push({div: div, fig: fig});
      } else {
        draw(div, fig);
      }
    });
  });
})();
