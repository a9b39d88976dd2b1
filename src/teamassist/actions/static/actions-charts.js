// The action-item page's charts, drawn from the series the server embeds (#actions-chart-data):
// each <canvas data-chart="name"> gets that series; the bars stack on time / overdue. Nothing
// is computed here, only drawn; the dataset names come from the page (#actions-chart-labels).
(function () {
  "use strict";
  const source = document.getElementById("actions-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const names = JSON.parse(document.getElementById("actions-chart-labels").textContent);
  const colours = { on_time: "#2563eb", overdue: "#d92d20" };
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const series = data[canvas.dataset.chart];
    if (!series) return;
    const kind = canvas.dataset.kind || "line";
    const stacked = kind === "bar";
    new Chart(canvas, {
      type: kind,
      data: {
        labels: series.labels,
        datasets: series.datasets.map((d) => ({
          label: names[d.key] || d.key,
          data: d.data,
          borderColor: colours[d.key],
          backgroundColor: colours[d.key],
          pointRadius: kind === "line" ? 2 : undefined,
          stepped: kind === "line" ? "middle" : false,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked },
          y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
})();
