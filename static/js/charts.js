// Report charts: draws every <canvas data-chart="ID"> from the JSON in <script id="ID">
// (Django's json_script). Loaded only on pages with charts, after Chart.js (both defer).
// No inline script or style (CSP): colours come from the page's CSS custom properties,
// read when drawing, so a chart follows the light or dark theme and is redrawn when the
// theme changes, after an HTMX swap, and for printing (dark text on white paper).
"use strict";

(function () {
  if (!window.Chart) return; // the tables under each chart still carry the numbers

  const darkScheme = window.matchMedia("(prefers-color-scheme: dark)");
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  let printing = false;
  const MAX_LEGEND = 16;
  const BAR_HEIGHT = 26; // px per horizontal bar
  const MIN_BARS_HEIGHT = 160;

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    if (printing) {
      return { text: "#111", muted: "#555", grid: "#ccc", primary: "#0172ad", none: "#777" };
    }
    return {
      text: cssVar("--pico-color", "#373c44"),
      muted: cssVar("--pico-muted-color", "#646b79"),
      grid: cssVar("--pico-muted-border-color", "#e7eaf0"),
      primary: cssVar("--pico-primary", "#0172ad"),
      none: cssVar("--pico-muted-color", "#646b79"),
    };
  }

  // An Asana colour name ("blue", "none") as a colour of the current theme.
  function asanaColor(name, colors) {
    if (!name || name === "none") return colors.none;
    return cssVar("--swatch-" + name, colors.none);
  }

  function readPayload(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function hoursText(value) {
    return Number(value).toFixed(2) + " h";
  }

  // Weekly labels are "Week of 2026-09-07": the axis has room for the date only.
  function shortLabel(label) {
    return String(label).replace(/^Week of /, "");
  }

  function datasetsFor(payload, colors) {
    const single = payload.datasets.length === 1;
    const perBar = payload.barColorNames || [];
    return payload.datasets.map(function (dataset) {
      let color = single ? colors.primary : asanaColor(dataset.colorName, colors);
      if (single && perBar.length === dataset.data.length) {
        color = perBar.map(function (name) { return asanaColor(name, colors); });
      }
      const line = payload.kind === "line";
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: color,
        borderColor: color,
        borderWidth: line ? 2 : 0,
        pointRadius: line && dataset.data.length > 60 ? 0 : 2,
        tension: 0.2,
        fill: false,
      };
    });
  }

  function optionsFor(payload, colors) {
    const stacked = Boolean(payload.stacked);
    const labelAxis = payload.horizontal ? "y" : "x";
    const valueAxis = payload.horizontal ? "x" : "y";
    const scales = {};
    scales[labelAxis] = {
      stacked: stacked,
      grid: { display: false },
      ticks: {
        color: payload.horizontal ? colors.text : colors.muted,
        autoSkip: !payload.horizontal, // every category name, however many
        maxRotation: 0,
        callback: function (value) { return shortLabel(this.getLabelForValue(value)); },
      },
    };
    scales[valueAxis] = {
      stacked: stacked,
      beginAtZero: true,
      grid: { color: colors.grid },
      border: { display: false },
      ticks: { color: colors.muted },
      title: { display: true, text: "Hours", color: colors.muted },
    };
    return {
      indexAxis: labelAxis,
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion.matches || printing ? false : { duration: 250 },
      interaction: { mode: "index", axis: labelAxis, intersect: false },
      scales: scales,
      plugins: {
        legend: {
          // A legend of dozens of categories would crowd out the chart: tooltips name them.
          display: payload.datasets.length > 1 && payload.datasets.length <= MAX_LEGEND,
          position: "bottom",
          labels: { color: colors.text, boxWidth: 12, boxHeight: 12 },
        },
        tooltip: {
          callbacks: {
            label: function (item) {
              return item.dataset.label + ": " + hoursText(item.parsed[valueAxis]);
            },
          },
        },
      },
    };
  }

  // Horizontal bars (one per category) get the height their number needs.
  function sizeBox(canvas, payload) {
    if (!payload.horizontal || !canvas.parentElement) return;
    const height = Math.max(MIN_BARS_HEIGHT, payload.labels.length * BAR_HEIGHT + 60);
    canvas.parentElement.style.height = height + "px";
  }

  function draw(canvas) {
    const payload = readPayload(canvas);
    if (!payload) return;
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    const colors = palette();
    sizeBox(canvas, payload);
    window.Chart.defaults.color = colors.text;
    window.Chart.defaults.borderColor = colors.grid;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    new window.Chart(canvas, {
      type: payload.kind === "line" ? "line" : "bar",
      data: { labels: payload.labels, datasets: datasetsFor(payload, colors) },
      options: optionsFor(payload, colors),
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  function forget(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      const chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  }

  // Swapped-out charts let go of their observers; swapped-in ones are drawn.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target) forget(event.detail.target);
  });
  // An outerHTML swap replaces its target, so look through the page for new canvases.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (!window.Chart.getChart(canvas)) draw(canvas);
    });
  });

  darkScheme.addEventListener("change", function () { drawAll(document); });
  window.addEventListener("beforeprint", function () {
    printing = true;
    drawAll(document);
  });
  window.addEventListener("afterprint", function () {
    printing = false;
    drawAll(document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
