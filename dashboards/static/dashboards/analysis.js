/* The years and hotspots pages' charts (ECharts). */
(function () {
  "use strict";
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function chart(id) { var el = document.getElementById(id); if (!el || !window.echarts) return null; var c = echarts.init(el); window.addEventListener("resize", function () { c.resize(); }); return c; }

  var months = data("history-months"), history = chart("history-chart");
  if (months && history) {
    var years = Array.from(new Set(months.map(function (r) { return r.year; })));
    history.setOption({
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 36, right: 8, top: 30, bottom: 24 },
      xAxis: { type: "category", data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }, yAxis: { type: "value" },
      series: years.map(function (y) {
        var row = {}; months.forEach(function (r) { if (r.year === y) row[r.month] = r.count; });
        return { name: String(y), type: "line", data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(function (m) { return row[m] || 0; }) };
      })
    });
  }

  var heat = data("heat-data"), outline = data("outline-data"), map = chart("heatmap");
  if (heat && map) {
    var max = heat.reduce(function (m, p) { return Math.max(m, p[2]); }, 1);
    var option = { tooltip: {}, visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#ffffb2", "#fd8d3c", "#bd0026"] } } };
    if (outline && outline.features.length) {
      var name = "hl-outline-" + outline.features.map(function (f) { return f.properties.id; }).join("-");
      echarts.registerMap(name, outline);
      option.geo = { map: name, roam: true, itemStyle: { areaColor: "#eef2f7", borderColor: "#6c757d" }, label: { show: false } };
      option.series = [{ type: "heatmap", coordinateSystem: "geo", data: heat, pointSize: 12, blurSize: 16 }];
    } else {
      option.xAxis = { type: "value", scale: true }; option.yAxis = { type: "value", scale: true };
      option.series = [{ type: "scatter", data: heat, symbolSize: function (v) { return 6 + 14 * v[2] / max; } }];
    }
    map.setOption(option);
  }
})();
