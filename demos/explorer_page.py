"""The HTML of the Loss Function Explorer page: one self-contained file, no network access.

Script and styles are inline; there is no font, image or library to fetch. The curves are not
computed in the browser: ``demos.explore`` computes them with the engine and puts them in the
page as JSON (replacing ``__CURVES_JSON__``), and the script only draws and looks them up. So
every number the page shows is one backprop produced.

Elements the browser test reads, by id: ``p-slider`` (the range input), ``label-toggle`` (the
button that flips the true label), ``p-value``, ``z-value``, ``label-value``, ``mse-loss``,
``bce-loss``, ``mse-grad-p``, ``bce-grad-p``, ``mse-grad-z``, ``bce-grad-z``, ``grad-ratio``,
and ``loss-chart`` / ``grad-chart`` (the two SVG charts).
"""

from __future__ import annotations

__all__ = ["PAGE_TEMPLATE", "PLACEHOLDER"]

PLACEHOLDER = "__CURVES_JSON__"

PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>Loss Function Explorer: MSE vs cross-entropy - lossgrad</title>
<style>
  :root { --mse: #1f6feb; --bce: #d1242f; --ink: #1f2328; --muted: #656d76; --grid: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         color: var(--ink); background: var(--bg); line-height: 1.45; }
  main { max-width: 980px; margin: 0 auto; padding: 24px 20px 40px; }
  h1 { font-size: 1.6rem; margin: 0 0 4px; }
  p.lede { color: var(--muted); margin: 0 0 20px; }
  .controls { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: center; background: var(--panel);
              border: 1px solid var(--grid); border-radius: 8px; padding: 14px 18px; margin-bottom: 18px; }
  .controls label { font-weight: 600; }
  #p-slider { width: min(420px, 70vw); vertical-align: middle; accent-color: #57606a; }
  .pill { font-variant-numeric: tabular-nums; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  button#label-toggle { font: inherit; font-weight: 600; padding: 6px 14px; border-radius: 6px; cursor: pointer;
                        border: 1px solid #8c959f; background: #fff; }
  button#label-toggle:focus-visible, #p-slider:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
  .readout { width: 100%; border-collapse: collapse; margin-bottom: 18px; font-variant-numeric: tabular-nums; }
  .readout th, .readout td { padding: 6px 10px; border-bottom: 1px solid var(--grid); text-align: right; }
  .readout th:first-child, .readout td:first-child { text-align: left; }
  .readout td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  .mse { color: var(--mse); } .bce { color: var(--bce); }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 18px; }
  figure { margin: 0; border: 1px solid var(--grid); border-radius: 8px; padding: 8px 8px 4px; }
  figcaption { font-weight: 600; padding: 2px 6px 6px; }
  svg text { font-size: 11px; fill: var(--muted); }
  .note { color: var(--muted); font-size: 0.92rem; margin-top: 16px; }
  .verdict { font-weight: 600; }
</style>
</head>
<body>
<main>
  <h1>Loss Function Explorer</h1>
  <p class="lede">Move the slider to change the model's predicted probability <i>p</i> = &sigma;(<i>z</i>); toggle the true label.
  Watch how <span class="mse">MSE (blue)</span> and <span class="bce">cross-entropy (red)</span> respond, especially where the
  model is confidently wrong. Every number on this page was computed by backpropagation through lossgrad's engine.</p>

  <div class="controls">
    <div><label for="p-slider">Predicted probability p = <span id="p-value" class="pill">0.010</span></label><br>
      <input type="range" id="p-slider" min="1" max="999" step="1" value="10" aria-describedby="p-value"></div>
    <div><span>True label y = <span id="label-value" class="pill">1</span></span><br>
      <button type="button" id="label-toggle" aria-pressed="true">Toggle label (y = 1 &rarr; 0)</button></div>
    <div>Logit z = <span id="z-value" class="pill">-4.5951</span></div>
  </div>

  <table class="readout" aria-live="polite">
    <thead><tr><th>at the current point</th><th>loss</th><th>&part;L/&part;p</th><th>&part;L/&part;z (what the weights feel)</th></tr></thead>
    <tbody>
      <tr class="mse"><td>MSE (p &minus; y)&sup2;</td><td id="mse-loss"></td><td id="mse-grad-p"></td><td id="mse-grad-z"></td></tr>
      <tr class="bce"><td>Cross-entropy &minus;[y log p + (1&minus;y) log(1&minus;p)]</td><td id="bce-loss"></td><td id="bce-grad-p"></td><td id="bce-grad-z"></td></tr>
    </tbody>
  </table>
  <p class="verdict">Cross-entropy pushes the logit <span id="grad-ratio" class="pill"></span>&times; harder than MSE here.</p>

  <div class="charts">
    <figure><figcaption>Loss against p</figcaption><svg id="loss-chart" viewBox="0 0 460 300" role="img" aria-label="loss curves"></svg></figure>
    <figure><figcaption>Gradient &part;L/&part;z against p</figcaption><svg id="grad-chart" viewBox="0 0 460 300" role="img" aria-label="gradient curves"></svg></figure>
  </div>
  <p class="note">&part;L/&part;z of MSE through a sigmoid is 2(p &minus; y)&middot;p(1 &minus; p): the sigmoid's derivative p(1 &minus; p) strangles it
  when the model is confidently wrong. Cross-entropy's is p &minus; y: the log cancels the sigmoid's derivative.
  Curves sampled at p = 0.001, 0.002, &hellip;, 0.999.</p>
</main>
<script id="curves" type="application/json">__CURVES_JSON__</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("curves").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var slider = document.getElementById("p-slider");
  var toggle = document.getElementById("label-toggle");
  var label = data.initial_label;
  var W = 460, H = 300, M = { left: 48, right: 14, top: 14, bottom: 34 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function fmt(x, digits) {
    if (!isFinite(x)) { return String(x); }
    var text = x.toFixed(digits);
    return (text.charAt(0) === "-" && Number(text) === 0) ? text.slice(1) : text;
  }
  function gradText(x) {
    return Math.abs(x) >= 1e-4 || x === 0 ? fmt(x, 6) : x.toExponential(3);
  }

  function makeChart(svg, yMin, yMax, yTicks, series, zoneTextAtTop) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var sx = function (p) { return M.left + p * (W - M.left - M.right); };
    var sy = function (v) {
      var c = Math.max(yMin, Math.min(yMax, v));
      return M.top + (yMax - c) / (yMax - yMin) * (H - M.top - M.bottom);
    };
    // The confidently wrong zone: |p - y| > 0.9.
    var wrongFrom = label === 1 ? 0 : 0.9, wrongTo = label === 1 ? 0.1 : 1;
    el("rect", { x: sx(wrongFrom), y: M.top, width: sx(wrongTo) - sx(wrongFrom), height: H - M.top - M.bottom,
                 fill: "#fff8c5", "class": "wrong-zone" }, svg);
    var zoneText = label === 1
      ? { x: sx(wrongTo) + 4, "text-anchor": "start", text: "\u2190 confidently wrong" }
      : { x: sx(wrongFrom) - 4, "text-anchor": "end", text: "confidently wrong \u2192" };
    var zoneY = zoneTextAtTop ? M.top + 12 : H - M.bottom - 8;
    el("text", { x: zoneText.x, y: zoneY, "text-anchor": zoneText["text-anchor"] }, svg).textContent = zoneText.text;
    yTicks.forEach(function (t) {
      el("line", { x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t), stroke: "#d0d7de", "stroke-width": t === 0 ? 1.2 : 0.6 }, svg);
      el("text", { x: M.left - 6, y: sy(t) + 4, "text-anchor": "end" }, svg).textContent = String(t);
    });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      el("line", { x1: sx(t), x2: sx(t), y1: H - M.bottom, y2: H - M.bottom + 4, stroke: "#8c959f" }, svg);
      el("text", { x: sx(t), y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = String(t);
    });
    el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent = "predicted probability p";
    var markers = {};
    series.forEach(function (s) {
      var d = "";
      for (var i = 0; i < data.p.length; i++) {
        d += (i ? "L" : "M") + sx(data.p[i]).toFixed(2) + "," + sy(s.values[i]).toFixed(2);
      }
      el("path", { d: d, fill: "none", stroke: s.color, "stroke-width": 2.2, "class": "curve " + s.name }, svg);
      markers[s.name] = el("circle", { r: 5, fill: s.color, stroke: "#fff", "stroke-width": 1.5, "class": "marker " + s.name }, svg);
    });
    var legendY = M.top + 26;
    series.forEach(function (s, k) {
      var x = label === 1 ? W - M.right - 150 : M.left + 40, y = legendY + 16 * k;
      el("line", { x1: x, x2: x + 18, y1: y, y2: y, stroke: s.color, "stroke-width": 3 }, svg);
      el("text", { x: x + 24, y: y + 4 }, svg).textContent = s.title;
    });
    return function place(i) {
      series.forEach(function (s) {
        markers[s.name].setAttribute("cx", sx(data.p[i]).toFixed(2));
        markers[s.name].setAttribute("cy", sy(s.values[i]).toFixed(2));
      });
    };
  }

  var placeLoss, placeGrad;
  function drawCharts() {
    var c = data.curves[String(label)];
    placeLoss = makeChart(document.getElementById("loss-chart"), 0, 7, [0, 1, 2, 3, 4, 5, 6, 7], [
      { name: "mse", title: "MSE", color: "#1f6feb", values: c.mse_loss },
      { name: "bce", title: "cross-entropy", color: "#d1242f", values: c.bce_loss }], true);
    placeGrad = makeChart(document.getElementById("grad-chart"), -1, 1, [-1, -0.5, 0, 0.5, 1], [
      { name: "mse", title: "MSE", color: "#1f6feb", values: c.mse_grad_z },
      { name: "bce", title: "cross-entropy", color: "#d1242f", values: c.bce_grad_z }], label === 1);
  }

  function update() {
    var i = Number(slider.value) - 1;
    var c = data.curves[String(label)];
    document.getElementById("p-value").textContent = fmt(data.p[i], 3);
    document.getElementById("z-value").textContent = fmt(data.z[i], 4);
    document.getElementById("label-value").textContent = String(label);
    document.getElementById("mse-loss").textContent = fmt(c.mse_loss[i], 4);
    document.getElementById("bce-loss").textContent = fmt(c.bce_loss[i], 4);
    document.getElementById("mse-grad-p").textContent = gradText(c.mse_grad_p[i]);
    document.getElementById("bce-grad-p").textContent = gradText(c.bce_grad_p[i]);
    document.getElementById("mse-grad-z").textContent = gradText(c.mse_grad_z[i]);
    document.getElementById("bce-grad-z").textContent = gradText(c.bce_grad_z[i]);
    var ratio = Math.abs(c.bce_grad_z[i] / c.mse_grad_z[i]);
    document.getElementById("grad-ratio").textContent = isFinite(ratio) ? fmt(ratio, 1) : "\\u221e";
    slider.setAttribute("aria-valuetext", "p = " + fmt(data.p[i], 3));
    toggle.setAttribute("aria-pressed", label === 1 ? "true" : "false");
    toggle.textContent = "Toggle label (y = " + label + " \u2192 " + (1 - label) + ")";
    placeLoss(i);
    placeGrad(i);
  }

  slider.addEventListener("input", update);
  toggle.addEventListener("click", function () {
    label = 1 - label;
    drawCharts();
    update();
  });
  slider.value = String(data.initial_index + 1);
  drawCharts();
  update();
  document.body.setAttribute("data-ready", "true");
})();
</script>
</body>
</html>
"""
