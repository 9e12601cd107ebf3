// The Loss Function Explorer's script: it draws and looks up, it computes nothing.
//
// The page's data (the "page-data" element) is what `lossgrad explore` computed with the engine:
//   p, z             the sampled probabilities and their logits;
//   losses           [{key, title, colour}] for each loss shown, MSE first, from the demos' registry;
//   curves["0"|"1"]  per true label, KEY_loss, KEY_grad_p and KEY_grad_z for each loss's key;
//   initial_index, initial_label   where the page starts.
// Each loss's readout cells have the ids KEY-loss, KEY-grad-p and KEY-grad-z.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var slider = document.getElementById("p-slider");
  var toggle = document.getElementById("label-toggle");
  var label = data.initial_label;
  var W = 460, H = 300, M = { left: 48, right: 14, top: 14, bottom: 34 };

  data.losses.forEach(function (loss) {
    document.documentElement.style.setProperty("--" + loss.key, loss.colour);
  });

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
  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  // One curve per loss of the quantity ("loss", "grad_z") at the current label.
  function series(quantity) {
    var c = data.curves[String(label)];
    return data.losses.map(function (loss) {
      return { name: loss.key, title: loss.title, color: loss.colour, values: c[loss.key + "_" + quantity] };
    });
  }

  function makeChart(svg, yMin, yMax, yTicks, lines, zoneTextAtTop) {
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
      el("line", { x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t), stroke: "#d0d7de",
                   "stroke-width": t === 0 ? 1.2 : 0.6 }, svg);
      el("text", { x: M.left - 6, y: sy(t) + 4, "text-anchor": "end" }, svg).textContent = String(t);
    });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      el("line", { x1: sx(t), x2: sx(t), y1: H - M.bottom, y2: H - M.bottom + 4, stroke: "#8c959f" }, svg);
      el("text", { x: sx(t), y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = String(t);
    });
    el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent =
      "predicted probability p";
    var markers = {};
    lines.forEach(function (s) {
      var d = "";
      for (var i = 0; i < data.p.length; i++) {
        d += (i ? "L" : "M") + sx(data.p[i]).toFixed(2) + "," + sy(s.values[i]).toFixed(2);
      }
      el("path", { d: d, fill: "none", stroke: s.color, "stroke-width": 2.2, "class": "curve " + s.name }, svg);
      markers[s.name] = el("circle", { r: 5, fill: s.color, stroke: "#fff", "stroke-width": 1.5,
                                       "class": "marker " + s.name }, svg);
    });
    var legendY = M.top + 26;
    lines.forEach(function (s, k) {
      var x = label === 1 ? W - M.right - 150 : M.left + 40, y = legendY + 16 * k;
      el("line", { x1: x, x2: x + 18, y1: y, y2: y, stroke: s.color, "stroke-width": 3 }, svg);
      el("text", { x: x + 24, y: y + 4 }, svg).textContent = s.title;
    });
    return function place(i) {
      lines.forEach(function (s) {
        markers[s.name].setAttribute("cx", sx(data.p[i]).toFixed(2));
        markers[s.name].setAttribute("cy", sy(s.values[i]).toFixed(2));
      });
    };
  }

  var placeLoss, placeGrad;
  function drawCharts() {
    placeLoss = makeChart(document.getElementById("loss-chart"), 0, 7, [0, 1, 2, 3, 4, 5, 6, 7],
                          series("loss"), true);
    placeGrad = makeChart(document.getElementById("grad-chart"), -1, 1, [-1, -0.5, 0, 0.5, 1],
                          series("grad_z"), label === 1);
  }

  function update() {
    var i = Number(slider.value) - 1;
    var c = data.curves[String(label)];
    show("p-value", fmt(data.p[i], 3));
    show("z-value", fmt(data.z[i], 4));
    show("label-value", String(label));
    data.losses.forEach(function (loss) {
      show(loss.key + "-loss", fmt(c[loss.key + "_loss"][i], 4));
      show(loss.key + "-grad-p", gradText(c[loss.key + "_grad_p"][i]));
      show(loss.key + "-grad-z", gradText(c[loss.key + "_grad_z"][i]));
    });
    // How many times harder the second loss (cross-entropy) pushes the logit than the first (MSE).
    var first = data.losses[0].key, second = data.losses[1].key;
    var ratio = Math.abs(c[second + "_grad_z"][i] / c[first + "_grad_z"][i]);
    show("grad-ratio", isFinite(ratio) ? fmt(ratio, 1) : "\u221e");
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
