// The OKR pages' charts, drawn from the series the server embeds (#okr-chart-data): each
// <canvas data-chart="name"> gets that series. Nothing is computed here, only drawn.
(function () {
  "use strict";
  const source = document.getElementById("okr-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#98a2b3", "#2563eb", "#f79009", "#12b76a", "#d92d20", "#7a5af8", "#0ba5ec"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const series = data[canvas.dataset.chart];
    if (!series) return;
    const kind = canvas.dataset.kind || "line";
    const percent = canvas.dataset.percent === "1";
    const y = { beginAtZero: true };
    if (percent) { y.suggestedMax = 100; y.ticks = { callback: (v) => v + "%" }; }
    if (canvas.dataset.max) { y.max = Number(canvas.dataset.max); }
    if (kind === "bar") { y.ticks = { precision: 0 }; }
    new Chart(canvas, {
      type: kind,
      data: {
        labels: series.labels,
        datasets: series.datasets.map((d, i) => ({
          ...d,
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          borderDash: kind === "line" && i === 0 && percent ? [6, 4] : undefined,
          pointRadius: kind === "line" ? 0 : undefined,
          spanGaps: false,
          stepped: percent && i === 1 ? "before" : false,
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y } },
    });
  });
})();
