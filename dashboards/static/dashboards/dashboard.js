/* hlgrid dashboards: ECharts over data embedded in the page (json_script), no tiles, no CDN. */
(function () {
  "use strict";
  var charts = [];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
  // Content-Security-Policy refuses (and text on a canvas cannot inject markup either).
  function tip(options) {
    var merged = { renderMode: "richText" };
    Object.keys(options).forEach(function (key) { merged[key] = options[key]; });
    return merged;
  }

  function chartFor(el) {
    var existing = echarts.getInstanceByDom(el);
    if (existing) existing.dispose();
    var chart = echarts.init(el, document.documentElement.dataset.bsTheme === "dark" ? "dark" : null);
    charts.push(chart);
    return chart;
  }

  function drawMap(root, labels) {
    var el = root.querySelector('[data-chart="map"]');
    var geo = data("map-data");
    if (!el || !geo || !geo.features.length) return;
    var select = root.querySelector("[data-map-measure]");
    var mapName = "hlgrid-" + geo.features.map(function (f) { return f.properties.id; }).join("-");
    echarts.registerMap(mapName, geo);
    var chart = chartFor(el);

    function render() {
      var measure = select ? select.value : "red";
      var values = geo.features.map(function (f) {
        return { name: f.properties.name, value: f.properties[measure], url: f.properties.url, props: f.properties };
      });
      var numbers = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null && v !== undefined; });
      var max = numbers.length ? Math.max.apply(null, numbers) : 1;
      var higherIsWorse = measure === "red";
      chart.setOption({
        tooltip: tip({
          trigger: "item",
          formatter: function (p) {
            var d = p.data && p.data.props;
            if (!d) return p.name;
            return p.name + "\n" +
              labels.red + ": " + d.red + "\n" +
              labels.on_time_rate + ": " + (d.on_time_rate === null ? "—" : d.on_time_rate) + "\n" +
              labels.visit_rate + ": " + (d.visit_rate === null ? "—" : d.visit_rate);
          }
        }),
        visualMap: {
          min: 0, max: Math.max(max, measure === "red" ? 1 : 100), left: 8, bottom: 8, calculable: true,
          text: [labels[measure] || measure, ""],
          inRange: { color: higherIsWorse ? ["#e8f5e9", "#ffeb3b", "#d32f2f"] : ["#d32f2f", "#ffeb3b", "#2e7d32"] }
        },
        series: [{
          type: "map", map: mapName, roam: true, selectedMode: false,
          label: { show: true, fontSize: 11 },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#90caf9" } },
          data: values
        }]
      }, true);
    }
    render();
    if (select) select.onchange = render;
    chart.on("click", function (p) {
      if (p.data && p.data.url) window.location.href = p.data.url + window.location.search;
    });
  }

  function drawTrends(root, labels) {
    var t = data("trend-data");
    if (!t) return;
    var el = root.querySelector('[data-chart="received"]');
    if (el) {
      var series = Object.keys(t.received_by_category).map(function (name) {
        return { name: name, type: "bar", stack: "all", data: t.weeks.map(function (w) { return t.received_by_category[name][w]; }) };
      });
      chartFor(el).setOption({
        tooltip: tip({ trigger: "axis" }), legend: { type: "scroll", top: 0 },
        grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: "category", data: t.weeks.map(function (w) { return w.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 }, series: series
      });
    }
    el = root.querySelector('[data-chart="rates"]');
    if (el) {
      chartFor(el).setOption({
        tooltip: tip({ trigger: "axis" }), legend: { top: 0 },
        grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: "category", data: t.weeks.map(function (w) { return w.slice(5); }) },
        yAxis: { type: "value", min: 0, max: 100 },
        series: [
          { name: labels.on_time_rate, type: "line", data: t.on_time_rate, connectNulls: true },
          { name: labels.satisfaction_rate, type: "line", data: t.satisfaction_rate, connectNulls: true }
        ]
      });
    }
    el = root.querySelector('[data-chart="coverage"]');
    if (el) {
      var months = Object.keys(t.visit_coverage);
      chartFor(el).setOption({
        tooltip: tip({ trigger: "axis" }), grid: { left: 40, right: 10, top: 20, bottom: 30 },
        xAxis: { type: "category", data: months }, yAxis: { type: "value", min: 0, max: 100 },
        series: [{ name: labels.visit_rate, type: "line", areaStyle: {}, data: months.map(function (m) { return t.visit_coverage[m]; }) }]
      });
    }
    el = root.querySelector('[data-chart="excellent"]');
    if (el) {
      chartFor(el).setOption({
        tooltip: tip({ trigger: "axis" }), grid: { left: 40, right: 10, top: 20, bottom: 50 },
        xAxis: { type: "category", data: t.excellent_share.map(function (p) { return p.period; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: [{ name: labels.excellent, type: "line", data: t.excellent_share.map(function (p) { return p.share; }) }]
      });
    }
  }

  function init(root) {
    charts.forEach(function (c) { if (!c.isDisposed()) c.dispose(); });
    charts = [];
    var labels = data("chart-labels") || {};
    drawMap(root, labels);
    drawTrends(root, labels);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.body.addEventListener("htmx:afterSwap", function () { init(document); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
