// The feedback report's charts, drawn from the JSON the page embeds (#report-data).
(function () {
  "use strict";
  const source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { bug: "#d92d20", suggestion: "#444ce7" };
  const base = { responsive: true, maintainAspectRatio: false, animation: false };

  new Chart(document.getElementById("chart-per-day"), {
    type: "bar",
    data: {
      labels: data.days,
      datasets: data.per_day.map((s) => ({
        label: s.label, data: s.counts, backgroundColor: colours[s.kind] || "#888", stack: "kind",
      })),
    },
    options: { ...base, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });

  new Chart(document.getElementById("chart-medians"), {
    type: "bar",
    data: {
      labels: data.medians.labels,
      datasets: [
        { label: data.medians.wall_label, data: data.medians.wall, backgroundColor: "#2563eb" },
        { label: data.medians.work_label, data: data.medians.work, backgroundColor: "#93c5fd" },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true } } },
  });

  new Chart(document.getElementById("chart-load"), {
    type: "bar",
    data: {
      labels: data.load.names,
      datasets: [
        { label: data.load.labels.open, data: data.load.open, backgroundColor: "#f79009" },
        { label: data.load.labels.resolved, data: data.load.resolved, backgroundColor: "#12b76a" },
        { label: data.load.labels.other, data: data.load.other, backgroundColor: "#98a2b3" },
      ],
    },
    options: {
      ...base, indexAxis: "y",
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
    },
  });
})();
