/* Draws a report's chart with the vendored Apache ECharts, from the JSON the page embeds
   (the same document GET /api/v1/report/<name> returns). No network access. */
(function () {
  "use strict";
  var el = document.getElementById("report-chart");
  var src = document.getElementById("report-data");
  if (!el || !src || typeof echarts === "undefined") { return; }
  var data = JSON.parse(src.textContent);
  var spec = data.chart || {};
  var labels = spec.labels || {};
  var rows = data.rows || [];
  var chart = echarts.init(el, null, { locale: el.getAttribute("data-locale") || "ZH" });

  function uniq(values) {
    var seen = {}, out = [];
    values.forEach(function (v) { if (!seen[v]) { seen[v] = true; out.push(v); } });
    return out;
  }
  function nameOf(row) { return row.name || "—"; }
  var percent = {};
  (data.columns || []).forEach(function (c) { if (c.kind === "percent") { percent[c.key] = true; } });
  function value(row, key) {
    var v = row[key];
    if (v === null || v === undefined) { return null; }
    return percent[key] ? Math.round(v * 1000) / 10 : v;
  }

  var option;
  if (spec.kind === "pie") {
    var totals = {};
    rows.forEach(function (r) {
      var k = nameOf(r);
      totals[k] = (totals[k] || 0) + (r[spec.series[0]] || 0);
    });
    option = {
      tooltip: { trigger: "item" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie", radius: ["30%", "65%"], name: labels[spec.series[0]],
        data: Object.keys(totals).map(function (k) { return { name: k, value: totals[k] }; })
      }]
    };
  } else if (spec.kind === "heatmap") {
    var max = 0;
    var cells = rows.map(function (r) {
      var v = r[spec.series[0]] || 0;
      max = Math.max(max, v);
      return [r[spec.x], r[spec.y] - 1, v];
    });
    option = {
      tooltip: { position: "top" },
      grid: { left: 80, right: 30, top: 20, bottom: 80 },
      xAxis: { type: "category", data: spec.x_categories, name: labels[spec.x], splitArea: { show: true } },
      yAxis: { type: "category", data: spec.y_categories, splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 10 },
      series: [{ type: "heatmap", name: labels[spec.series[0]], data: cells, label: { show: false } }]
    };
  } else {
    var xs = uniq(rows.map(function (r) { return spec.x === "name" ? nameOf(r) : r[spec.x]; }));
    var series;
    if (spec.pivot) {
      var groups = uniq(rows.map(nameOf));
      series = groups.map(function (g) {
        var byX = {};
        rows.forEach(function (r) { if (nameOf(r) === g) { byX[r[spec.x]] = value(r, spec.series[0]); } });
        return {
          name: g, type: spec.kind, stack: spec.stack ? "total" : undefined,
          data: xs.map(function (x) { return byX[x] === undefined ? null : byX[x]; })
        };
      });
    } else {
      series = spec.series.map(function (key) {
        var byX = {};
        rows.forEach(function (r) {
          var x = spec.x === "name" ? nameOf(r) : r[spec.x];
          var v = value(r, key);
          byX[x] = (byX[x] || 0) + (v || 0);
        });
        return {
          name: labels[key] || key, type: spec.kind, stack: spec.stack ? "total" : undefined,
          data: xs.map(function (x) { return byX[x] === undefined ? null : byX[x]; })
        };
      });
    }
    option = {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 40 },
      toolbox: { feature: { saveAsImage: {} } },
      xAxis: { type: "category", data: xs },
      yAxis: { type: "value" },
      series: series
    };
  }
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
