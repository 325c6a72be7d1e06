/* evaluation trends: the share of excellent over the periods, from the page's JSON block. */
(function () {
  "use strict";
  var source = document.getElementById("share-data");
  var el = document.getElementById("share-chart");
  if (!source || !el) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 40, right: 10, top: 20, bottom: 60 },
    // drawn on the canvas: an HTML tooltip would carry style attributes the policy refuses
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "category", data: data.map(function (d) { return d[0]; }), axisLabel: { rotate: 45 } },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [{ type: "line", data: data.map(function (d) { return d[1]; }), color: "#b71c1c", smooth: true }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
