// The fairness page's stacked bar chart, from the page's JSON data block (no inline script:
// the Content-Security-Policy allows scripts from this site only).
(function () {
  const data = JSON.parse(document.getElementById("fairness-data").textContent);
  const colors = ["#2563eb", "#f59e0b", "#dc2626"];
  data.datasets.forEach((d, i) => { d.backgroundColor = colors[i]; });
  if (window.Chart) {
    new Chart(document.getElementById("fairness-chart"), {
      type: "bar", data: data,
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
