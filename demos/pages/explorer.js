// The Loss Function Explorer's script: it looks numbers up and draws them; it computes no loss.
//
// The page's data (the "page-data" element) is what `lossgrad explore` computed with the engine:
//   p, z            the sampled probabilities and their logits;
//   initial_index, initial_label   where the page starts; wrong_zone[label], the interval of p
//                   where the model is confidently wrong;
//   losses          [{key, title, colour}] for the post's two losses, MSE first;
//   curves[label]   their KEY_loss, KEY_grad_p and KEY_grad_z, one number per p;
//   ratio[label]    |cross-entropy's dL/dz| / |MSE's|, one number per p (null: infinite);
//   zoo             [{key, name, title, colour, dashed, formula, takes_logits, knobs, curves}]:
//                   knobs [{name, symbol, values, initial}], and curves[label][quantity] nested
//                   by each knob's position, then one number per p (no "grad_p" for a loss of
//                   the logit).
// Every number is stored with the digits it is shown with. Element ids: KEY-row, KEY-toggle,
// KEY-name, KEY-loss, KEY-grad-p, KEY-grad-z, and KEY-NAME-slider, KEY-NAME-value for each knob.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var slider = document.getElementById("p-slider");
  var toggle = document.getElementById("label-toggle");
  var rows = document.getElementById("loss-rows");
  var label = data.initial_label;
  var gradient = "grad_z";

  // Where each chart's vertical axis runs, a little past its ticks so a line on a tick is whole.
  var AXES = {
    loss: { min: -0.15, max: 5.15, ticks: [0, 1, 2, 3, 4, 5], title: "L" },
    grad_z: { min: -1.1, max: 1.1, ticks: [-1, -0.5, 0, 0.5, 1], title: "\u2202L/\u2202z" },
    grad_p: { min: -10.5, max: 10.5, ticks: [-10, -5, 0, 5, 10], title: "\u2202L/\u2202p" }
  };
  var CELLS = [["loss", "L"], ["grad-p", "\u2202L/\u2202p"], ["grad-z", "\u2202L/\u2202z"]];

  // One record per loss, the post's two first: where its numbers are, and what the page shows.
  var losses = data.losses.map(function (loss) {
    return { key: loss.key, name: loss.title, colour: loss.colour, headline: true,
             dashed: false, takesLogits: false, knobs: [], positions: [], shown: true };
  }).concat(data.zoo.map(function (loss) {
    return { key: loss.key, name: loss.name, title: loss.title, colour: loss.colour,
             headline: false, dashed: loss.dashed, takesLogits: loss.takes_logits,
             formula: loss.formula, knobs: loss.knobs, curves: loss.curves, shown: false,
             positions: loss.knobs.map(function (knob) { return knob.initial; }) };
  }));

  function svgElement(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (text !== undefined) { node.textContent = text; }
    parent.appendChild(node);
    return node;
  }
  function htmlElement(name, attrs, parent, text) {
    var node = document.createElement(name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (text !== undefined) { node.textContent = text; }
    parent.appendChild(node);
    return node;
  }
  function byId(id) {
    return document.getElementById(id);
  }
  function show(id, text) {
    byId(id).textContent = text;
  }
  // A number as it was stored: 6 significant digits (exponent form below 0.001), exactly 0 as "0".
  function number(x) {
    if (x === 0) { return "0"; }
    return Math.abs(x) < 1e-3 ? x.toExponential(5) : x.toPrecision(6);
  }

  // The curve of one quantity ("loss", "grad_p", "grad_z") of a loss at the current label and
  // knob positions, or null where the loss has none (no dL/dp for a loss of the logit).
  function curve(loss, quantity) {
    if (loss.headline) { return data.curves[String(label)][loss.key + "_" + quantity]; }
    var values = loss.curves[String(label)][quantity];
    if (!values) { return null; }
    loss.positions.forEach(function (position) { values = values[position]; });
    return values;
  }

  function nameOf(loss) {
    if (!loss.knobs.length) { return loss.name; }
    var settings = loss.knobs.map(function (knob, k) {
      return knob.symbol + " = " + knob.values[loss.positions[k]];
    });
    return loss.name + " (" + settings.join(", ") + ")";
  }

  // A zoo loss's row, after the post's two (which the HTML has): tick, colour, name, formula,
  // one slider per knob, and its three numbers.
  function addRow(loss) {
    var row = htmlElement("tr", { "class": "loss-row", id: loss.key + "-row" }, rows);
    var key = htmlElement("th", { scope: "row", "class": "key" }, row);
    var tick = htmlElement("label", { "class": "toggle" }, key);
    htmlElement("input", { type: "checkbox", id: loss.key + "-toggle" }, tick);
    htmlElement("span", { "class": "swatch" }, tick);
    htmlElement("span", { "class": "name", id: loss.key + "-name", title: loss.title }, tick);
    htmlElement("span", { "class": "formula" }, key, loss.formula);
    if (loss.knobs.length) {
      var knobs = htmlElement("div", { "class": "knobs", id: loss.key + "-knobs" }, key);
      loss.knobs.forEach(function (knob, k) {
        var id = loss.key + "-" + knob.name;
        var group = htmlElement("span", { "class": "knob" }, knobs);
        htmlElement("label", { "for": id + "-slider" }, group, knob.symbol);
        var range = htmlElement("input", {
          type: "range", id: id + "-slider", min: 0, max: knob.values.length - 1, step: 1,
          value: knob.initial, "aria-label": loss.name + " " + knob.symbol
        }, group);
        htmlElement("span", { "class": "num", id: id + "-value" }, group);
        range.addEventListener("input", function () {
          loss.positions[k] = Number(range.value);
          update();
        });
      });
    }
    CELLS.forEach(function (cell) {
      htmlElement("td", { id: loss.key + "-" + cell[0], "data-label": cell[1] }, row);
    });
  }

  function drawChart(svg, quantity) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var axis = AXES[quantity];
    // Drawn at the size it is shown, so its text stays 11 px on a phone.
    var W = Math.max(260, Math.round(svg.getBoundingClientRect().width) || 460);
    var H = Math.round(Math.min(330, Math.max(230, W * 0.62)));
    var M = { left: 44, right: 10, top: 10, bottom: 36 };
    var plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var sx = function (p) { return p * plotW; };
    var sy = function (v) { return (axis.max - v) / (axis.max - axis.min) * plotH; };

    axis.ticks.forEach(function (t) {
      var y = M.top + sy(t);
      svgElement("line", { x1: M.left, x2: W - M.right, y1: y, y2: y, stroke: "#d0d7de",
                           "stroke-width": t === 0 ? 1.2 : 0.6 }, svg);
      svgElement("text", { x: M.left - 6, y: y + 4, "text-anchor": "end" }, svg, String(t));
    });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      var x = M.left + sx(t), y = H - M.bottom;
      svgElement("line", { x1: x, x2: x, y1: y, y2: y + 4, stroke: "#8c959f" }, svg);
      svgElement("text", { x: x, y: y + 16, "text-anchor": "middle" }, svg, String(t));
    });
    svgElement("text", { x: M.left + plotW / 2, y: H - 4, "text-anchor": "middle" }, svg,
               "predicted probability p");
    var middle = M.top + plotH / 2;
    svgElement("text", { x: 12, y: middle, "text-anchor": "middle",
                         transform: "rotate(-90 12 " + middle + ")" }, svg, axis.title);

    // The plot area is an svg of its own, which clips what runs past the axis's range.
    var plot = svgElement("svg", { x: M.left, y: M.top, width: plotW, height: plotH,
                                   viewBox: "0 0 " + plotW + " " + plotH, "class": "plot" }, svg);
    var zone = data.wrong_zone[String(label)], atLeft = zone[0] === 0;
    svgElement("rect", { x: sx(zone[0]), y: 0, width: sx(zone[1]) - sx(zone[0]), height: plotH,
                         fill: "#fff8c5", "class": "wrong-zone" }, plot);
    svgElement("text", {
      x: atLeft ? sx(zone[1]) + 4 : sx(zone[0]) - 4,
      y: quantity === "loss" || label === 1 ? 14 : plotH - 8,
      "text-anchor": atLeft ? "start" : "end",
      "class": "zone"
    }, plot, atLeft ? "\u2190 confidently wrong" : "confidently wrong \u2192");
    var i = Number(slider.value), x = sx(data.p[i]);
    svgElement("line", { x1: x, x2: x, y1: 0, y2: plotH, stroke: "#8c959f",
                         "stroke-dasharray": "3 3", "class": "cursor" }, plot);

    // The zoo under the post's two, and thinner, so the post's story stays on top.
    var drawn = losses.filter(function (loss) { return loss.shown && curve(loss, quantity); });
    drawn.sort(function (a, b) { return (a.headline ? 1 : 0) - (b.headline ? 1 : 0); });
    drawn.forEach(function (loss) {
      var values = curve(loss, quantity), d = "";
      for (var j = 0; j < data.p.length; j++) {
        d += (j ? "L" : "M") + sx(data.p[j]).toFixed(1) + "," + sy(values[j]).toFixed(1);
      }
      var attrs = { d: d, fill: "none", stroke: loss.colour, "stroke-linejoin": "round",
                    "stroke-width": loss.headline ? 2.6 : 1.9, "class": "curve " + loss.key };
      if (loss.dashed) { attrs["stroke-dasharray"] = "7 4"; }
      svgElement("path", attrs, plot);
    });
    drawn.forEach(function (loss) {
      svgElement("circle", { cx: x.toFixed(1), cy: sy(curve(loss, quantity)[i]).toFixed(1), r: 4.5,
                             fill: loss.colour, stroke: "#fff", "stroke-width": 1.5,
                             "class": "marker " + loss.key }, plot);
    });
  }

  function updateRow(loss, i) {
    var row = byId(loss.key + "-row");
    row.classList.toggle("off", !loss.shown);
    row.classList.toggle("dashed", loss.dashed);
    row.style.setProperty("--c", loss.colour);
    byId(loss.key + "-toggle").checked = loss.shown;
    show(loss.key + "-name", nameOf(loss));
    loss.knobs.forEach(function (knob, k) {
      show(loss.key + "-" + knob.name + "-value", String(knob.values[loss.positions[k]]));
    });
    var knobs = byId(loss.key + "-knobs");
    if (knobs) { knobs.hidden = !loss.shown; }
    var gradP = curve(loss, "grad_p");
    show(loss.key + "-loss", loss.shown ? number(curve(loss, "loss")[i]) : "");
    show(loss.key + "-grad-p", loss.shown ? (gradP ? number(gradP[i]) : "\u2014") : "");
    show(loss.key + "-grad-z", loss.shown ? number(curve(loss, "grad_z")[i]) : "");
    byId(loss.key + "-grad-p").title = gradP ? "" : "a loss of the logit z: p is not its input";
  }

  function update() {
    var i = Number(slider.value);
    show("p-value", String(data.p[i]));
    show("z-value", number(data.z[i]));
    show("label-value", String(label));
    losses.forEach(function (loss) { updateRow(loss, i); });
    var ratio = data.ratio[String(label)][i];
    show("grad-ratio", ratio === null ? "\u221e" : ratio.toPrecision(3));
    slider.setAttribute("aria-valuetext", "p = " + data.p[i]);
    toggle.setAttribute("aria-pressed", label === 1 ? "true" : "false");
    toggle.textContent = "Toggle label (y = " + label + " \u2192 " + (1 - label) + ")";
    byId("grad-z-button").setAttribute("aria-pressed", String(gradient === "grad_z"));
    byId("grad-p-button").setAttribute("aria-pressed", String(gradient === "grad_p"));
    var ofLogit = losses.filter(function (loss) { return loss.shown && loss.takesLogits; });
    var names = ofLogit.map(function (loss) { return loss.name; }).join(", ");
    show("grad-note", gradient === "grad_p" && ofLogit.length
      ? names + ": a loss of the logit z, so no \u2202L/\u2202p to draw." : "");
    drawChart(byId("loss-chart"), "loss");
    drawChart(byId("grad-chart"), gradient);
  }

  data.losses.forEach(function (loss) {
    document.documentElement.style.setProperty("--" + loss.key, loss.colour);
  });
  losses.forEach(function (loss) {
    if (!loss.headline) { addRow(loss); }
    byId(loss.key + "-toggle").addEventListener("change", function (event) {
      loss.shown = event.target.checked;
      update();
    });
  });
  slider.max = String(data.p.length - 1);
  slider.value = String(data.initial_index);
  slider.addEventListener("input", update);
  toggle.addEventListener("click", function () {
    label = 1 - label;
    update();
  });
  ["grad_z", "grad_p"].forEach(function (quantity) {
    byId(quantity.replace("_", "-") + "-button").addEventListener("click", function () {
      gradient = quantity;
      update();
    });
  });
  window.addEventListener("resize", update);
  update();
  document.body.setAttribute("data-ready", "true");
})();
