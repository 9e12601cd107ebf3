// The training replay's script: it draws and looks up the recorded numbers. The one number it
// works out is ŷ_k − y_k of the K-class view, from the recorded ŷ_k and the label, the formula
// set beside the push dL/dz_k that backprop recorded.
//
// The page's data (nn.replay.replay_page) holds:
//   epochs           each snapshot's epoch (epochs completed): the slider's stops;
//   outputs          1 for one output per example (two classes), K for K class scores;
//   points, classes  the data: [x0, x1] and the class (0/1, or 0 .. K-1) per point; labels,
//                    the labels as given;
//   box              [x0 min, x0 max, x1 min, x1 max] of the plots;
//   grid             {columns, rows} of each run's boundary images (row 0 at the top);
//   runs[r]          title, colour; loss and accuracy per epoch; reached (the target's epoch);
//                    per snapshot: parameters, gradients, z, dL_dz (and p, dL_dp, dp_dz when
//                    story), mean_abs_dL_dz, wrong (point indices), boundary (base64 of
//                    16-bit numbers, high byte first: 32768 and above where the model says
//                    class 1); labels of the parameters;
//                    network {sizes, edges [layer, input, neuron, index], biases} or null;
//                    for K outputs instead: p and dL_dz, a list of K numbers per point;
//                    regions (base64 of 16-bit numbers, K per grid point: 65535 · (1 +
//                    log ŷ_k / log_floor)); parameter_grid {columns, rows of indices} or null;
//   story            whether the runs have p (a sigmoid output), so the chain rule is shown;
//   selected         the point shown first; push_scale, the largest |dL/dz| (a full bar);
//   typical          for K outputs, each class's typical point (an index, or null);
//   target           an accuracy to mark, or null; wrong_name and wrong_rule, what "wrong" is.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const SVG = document.getElementById("svg-namespace").namespaceURI;
  const last = data.epochs.length - 1;
  const n = data.points.length;
  const K = data.outputs > 1 ? data.outputs : 2;  // classes
  const multi = data.outputs > 1;
  const state = { index: 0, point: data.selected, playing: false, timer: null };
  const cards = [];

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);
  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const key in attrs) { node.setAttribute(key, attrs[key]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  // A recorded number with 4 significant digits (exponent form for the very small or large).
  function num(x) {
    if (x === null || x === undefined) { return "\u2013"; }
    if (x === 0) { return "0"; }
    const size = Math.abs(x);
    return size >= 1e-3 && size < 1e4 ? x.toPrecision(4) : x.toExponential(3);
  }
  const fraction = (x) => (x === null || x === undefined ? "\u2013" : x.toFixed(3));
  const show = (id, text) => { $(id).textContent = text; };
  // A round number at or above x, for the top of an axis.
  function roundUp(x) {
    if (!(x > 0)) { return 1; }
    const step = Math.pow(10, Math.floor(Math.log10(x)));
    for (const m of [1, 2, 2.5, 5]) { if (m * step >= x) { return m * step; } }
    return 10 * step;
  }
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const css = getComputedStyle(document.documentElement);
  const colour = {};
  for (const name of ["wrong", "positive", "negative"]) {
    colour[name] = css.getPropertyValue("--" + name).trim();
  }
  const classColour = Array.from({ length: K },
                                 (_, k) => css.getPropertyValue("--class" + (k % 10)).trim());
  const tint = classColour.map(rgb);

  // ---------------------------------------------------------------- one run's card

  function buildCard(run, r) {
    const card = $("run-template").content.firstElementChild.cloneNode(true);
    card.id = "run-" + r;
    card.style.setProperty("--run", run.colour);
    card.querySelector(".name").textContent = run.title;
    card.querySelectorAll("[data-field]").forEach((node) => {
      node.id = "run-" + r + "-" + node.dataset.field;
    });
    $("runs").appendChild(card);
    const field = (name) => card.querySelector("[data-field=" + name + "]");
    field("wrong-name").textContent = data.wrong_name;
    field("wrong-legend").textContent = data.wrong_rule;
    field("z-name").textContent = data.story || multi ? "logit" : "score";
    field("push-scale").textContent = num(data.push_scale);
    if (multi) {
      field("bars-what").innerHTML = "The push on the logit of each point's own class, " +
        "|dL/dz<sub>y</sub>|";
      field("bars-order").textContent = "classes " +
        Array.from({ length: K }, (_, k) => k).join(" | ");
      field("boundary-legend").textContent = "region edges";
      const legend = card.querySelector(".legend");
      legend.querySelectorAll(".class-key").forEach((node) => node.remove());
      for (let k = K - 1; k >= 0; k--) {
        const key = document.createElement("span");
        key.className = "class-key";
        key.innerHTML = '<i class="dot"></i>class ' + k;
        key.firstChild.style.background = classColour[k];
        legend.insertBefore(key, legend.firstChild);
      }
    }
    const view = {
      run: run,
      r: r,
      card: card,
      canvas: card.querySelector("canvas.boundary"),
      images: [],
      parameter: run.selected_parameter === undefined ? 0 : run.selected_parameter,
    };
    view.canvas.setAttribute("aria-label", run.title + ": the points and the decision boundary");
    view.canvas.addEventListener("click", (event) => pickPoint(view, event));
    buildBars(view, card.querySelector("svg.bars"));
    buildParameters(view, card.querySelector(".param-table"));
    if (run.parameter_grid) { buildParameterGrid(view, card.querySelector(".param-grid")); }
    if (run.network) { buildNetwork(view, card.querySelector("svg.network")); }
    return view;
  }

  function buildParameters(view, table) {
    const run = view.run;
    if (!run.parameter_table) { table.hidden = true; return; }
    const body = table.querySelector("tbody");
    run.labels.forEach((label, k) => {
      const row = document.createElement("tr");
      row.innerHTML = "<td></td><td></td><td></td>";
      row.children[0].textContent = label;
      row.children[1].id = "run-" + view.r + "-param-" + k;
      row.children[2].id = "run-" + view.r + "-grad-" + k;
      body.appendChild(row);
    });
  }

  // A layer of K neurons: one row per class's neuron, each cell a parameter and its gradient.
  function buildParameterGrid(view, table) {
    const grid = view.run.parameter_grid, r = view.r;
    table.hidden = false;
    const head = table.querySelector("thead tr");
    for (const name of grid.columns) {
      const cell = document.createElement("th");
      cell.textContent = name;
      head.appendChild(cell);
    }
    const body = table.querySelector("tbody");
    grid.rows.forEach((indices, k) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.innerHTML = '<i class="dot"></i>z<sub></sub>';
      name.firstChild.style.background = classColour[k];
      name.querySelector("sub").textContent = String(k);
      name.scope = "row";
      row.appendChild(name);
      for (const index of indices) {
        const cell = document.createElement("td");
        cell.title = view.run.labels[index];
        cell.innerHTML = '<span class="value"></span><span class="grad"></span>';
        cell.children[0].id = "run-" + r + "-param-" + index;
        cell.children[1].id = "run-" + r + "-grad-" + index;
        row.appendChild(cell);
      }
      body.appendChild(row);
    });
  }

  // The bars: one per point, class by class, as tall as |dL/dz| (push_scale: full height); for
  // K classes, the push on the logit of the point's own class.
  const BARS = { left: 2, right: 318, top: 4, bottom: 99 };
  const order = data.classes.map((c, i) => [c, i])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map((pair) => pair[1]);

  function buildBars(view, svg) {
    const width = (BARS.right - BARS.left) / n, height = BARS.bottom - BARS.top;
    view.barBacks = [];
    view.barRects = [];
    order.forEach((i, k) => {
      const x = BARS.left + k * width;
      view.barBacks[i] = el("rect", { x: x, y: BARS.top, width: width, height: height,
                                      fill: "transparent", "data-point": i }, svg);
      view.barRects[i] = el("rect", { x: x + width * 0.12, width: Math.max(width * 0.76, 0.8),
                                      y: BARS.bottom, height: 0, fill: view.run.colour,
                                      "data-point": i, "class": "bar" }, svg);
    });
    for (let c = 1; c < K; c++) {
      const split = BARS.left + width * data.classes.filter((k) => k < c).length;
      el("line", { x1: split, x2: split, y1: 0, y2: BARS.bottom, stroke: "#8c959f",
                   "stroke-dasharray": "3 2" }, svg);
    }
    el("line", { x1: BARS.left, x2: BARS.right, y1: BARS.bottom, y2: BARS.bottom,
                 stroke: "#8c959f" }, svg);
    view.barSelected = el("rect", { fill: "none", stroke: "#1f2328", "stroke-width": 1.5,
                                    "vector-effect": "non-scaling-stroke", y: BARS.top - 3,
                                    height: height + 3, width: width }, svg);
    svg.addEventListener("click", (event) => {
      const i = event.target.getAttribute("data-point");
      if (i !== null) { selectPoint(Number(i)); }
    });
  }

  // ---------------------------------------------------------------- the network

  function buildNetwork(view, svg) {
    const net = view.run.network, layers = net.sizes.length, W = 320, H = 240;
    view.card.querySelector(".network-figure").hidden = false;
    const xs = net.sizes.map((_, l) => 22 + l * (W - 44) / (layers - 1));
    const ys = net.sizes.map((size) => {
      const gap = Math.min(26, (H - 24) / size);
      return Array.from({ length: size }, (_, j) => H / 2 + (j - (size - 1) / 2) * gap);
    });
    const ends = (edge) => ({ x1: xs[edge[0]], y1: ys[edge[0]][edge[1]],
                              x2: xs[edge[0] + 1], y2: ys[edge[0] + 1][edge[2]] });
    view.edges = net.edges.map((edge) => ({
      line: el("line", Object.assign(ends(edge), { "stroke-linecap": "round", "class": "edge",
                                                   "data-parameter": edge[3] }), svg),
      index: edge[3],
    }));
    // Wide invisible copies on top, so that a thin edge is easy to click.
    net.edges.forEach((edge) => {
      el("line", Object.assign(ends(edge), { stroke: "transparent", "stroke-width": 5,
                                             "class": "hit", "data-parameter": edge[3] }), svg);
    });
    view.edgeSelected = el("line", { stroke: "#1f2328", "stroke-width": 1,
                                     "stroke-dasharray": "2 2", "pointer-events": "none" }, svg);
    const nodes = net.sizes.map((size, l) => {
      el("text", { x: xs[l], y: H - 2, "text-anchor": "middle" }, svg).textContent =
        l === 0 ? "inputs" : (l === layers - 1 ? "output" : "layer " + l);
      return ys[l].map((y) => el("circle", { cx: xs[l], cy: y, r: l === 0 ? 5 : 4.5,
                                             fill: l === 0 ? "#8c959f" : "#fff",
                                             stroke: "#57606a", "stroke-width": 1 }, svg));
    });
    // A neuron's bias is the fill of its node (layer k's neurons are column k + 1).
    view.biasNodes = net.biases.map((bias) => ({ node: nodes[bias[0] + 1][bias[1]],
                                                 index: bias[2] }));
    svg.addEventListener("click", (event) => {
      const k = event.target.getAttribute("data-parameter");
      if (k !== null) { view.parameter = Number(k); drawNetwork(view); }
    });
  }

  function drawNetwork(view) {
    const run = view.run, i = state.index, r = view.r;
    const weights = run.parameters[i], grads = run.gradients[i];
    let largest = 0;
    for (const edge of view.edges) { largest = Math.max(largest, Math.abs(grads[edge.index])); }
    for (const edge of view.edges) {
      const share = largest > 0 ? Math.abs(grads[edge.index]) / largest : 0;
      const sign = weights[edge.index] >= 0 ? colour.positive : colour.negative;
      edge.line.setAttribute("stroke", sign);
      edge.line.setAttribute("stroke-width", (0.3 + 4.2 * share).toFixed(2));
      edge.line.setAttribute("stroke-opacity", (0.25 + 0.7 * share).toFixed(2));
      if (edge.index === view.parameter) {
        for (const a of ["x1", "y1", "x2", "y2"]) {
          view.edgeSelected.setAttribute(a, edge.line.getAttribute(a));
        }
      }
    }
    for (const bias of view.biasNodes) {
      const b = weights[bias.index];
      bias.node.setAttribute("fill", b > 0 ? colour.positive : (b < 0 ? colour.negative : "#fff"));
      bias.node.setAttribute("fill-opacity", "0.6");
    }
    show("run-" + r + "-edge-label", run.labels[view.parameter]);
    show("run-" + r + "-edge-value", num(weights[view.parameter]));
    show("run-" + r + "-edge-grad", num(grads[view.parameter]));
  }

  // ---------------------------------------------------------------- the boundary plot

  function sizeCanvas(view) {
    const box = data.box, canvas = view.canvas;
    const width = Math.min(canvas.parentNode.clientWidth, 460);
    const height = width * (box[3] - box[2]) / (box[1] - box[0]);
    const ratio = window.devicePixelRatio || 1;
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    view.scale = ratio;
  }

  function toCanvas(view, point) {
    const box = data.box, W = view.canvas.width, H = view.canvas.height;
    return [(point[0] - box[0]) / (box[1] - box[0]) * W,
            (box[3] - point[1]) / (box[3] - box[2]) * H];
  }

  // Snapshot i's boundary image: white on the boundary, tinted by class as the model is sure.
  const HALF = 32768;  // a grid number at or above it: class 1
  function image(view, i) {
    if (view.images[i]) { return view.images[i]; }
    const text = atob(view.run.boundary[i]);
    const levels = Array.from({ length: text.length / 2 },
                              (_, k) => 256 * text.charCodeAt(2 * k) + text.charCodeAt(2 * k + 1));
    const picture = document.createElement("canvas");
    picture.width = data.grid.columns;
    picture.height = data.grid.rows;
    const ctx = picture.getContext("2d");
    const pixels = ctx.createImageData(picture.width, picture.height);
    levels.forEach((level, k) => {
      const sure = Math.abs(level - HALF) / HALF, side = tint[level >= HALF ? 1 : 0];
      for (let c = 0; c < 3; c++) {
        pixels.data[4 * k + c] = Math.round(255 + 0.4 * sure * (side[c] - 255));
      }
      pixels.data[4 * k + 3] = 255;
    });
    ctx.putImageData(pixels, 0, 0);
    view.images[i] = { canvas: picture, levels: levels };
    return view.images[i];
  }

  // The boundary line: where the grid crosses from class 0 to class 1 (marching squares).
  function contour(ctx, levels, W, H) {
    const columns = data.grid.columns, rows = data.grid.rows;
    const dx = W / (columns - 1), dy = H / (rows - 1);
    const at = (corner) => levels[corner[1] * columns + corner[0]];
    ctx.beginPath();
    for (let j = 0; j < rows - 1; j++) {
      for (let i = 0; i < columns - 1; i++) {
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        const crossings = [];
        corners.forEach((a, e) => {
          const b = corners[(e + 1) % 4], va = at(a), vb = at(b);
          if ((va >= HALF) !== (vb >= HALF)) {
            const t = (HALF - va) / (vb - va);
            crossings.push([(a[0] + t * (b[0] - a[0])) * dx, (a[1] + t * (b[1] - a[1])) * dy]);
          }
        });
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          ctx.moveTo(crossings[k][0], crossings[k][1]);
          ctx.lineTo(crossings[k + 1][0], crossings[k + 1][1]);
        }
      }
    }
    ctx.stroke();
  }

  // K classes: snapshot i's regions, drawn into a canvas of w x h pixels. Each pixel takes the
  // class whose log-probability, interpolated between the four grid points around it, is the
  // largest; it is tinted by the margin m over the second largest, tanh(m / 2) (for two classes
  // that is |2p − 1|, the two-class page's tint), and painted in the run's colour where the class
  // changes. Differences of log-probabilities are differences of scores, which a linear layer's
  // interpolate exactly: the edges and the tint are its own.
  function logProbabilities(view, i) {
    view.logs = view.logs || [];
    if (!view.logs[i]) {
      const text = atob(view.run.regions[i]), floor = data.log_floor;
      const values = new Float32Array(text.length / 2);
      for (let k = 0; k < values.length; k++) {
        const level = 256 * text.charCodeAt(2 * k) + text.charCodeAt(2 * k + 1);
        values[k] = (level / 65535 - 1) * floor;
      }
      view.logs[i] = values;
    }
    return view.logs[i];
  }

  // Each class's tint by margin m, tabulated at steps of 1 / RAMP_SCALE up to m = 8 (where
  // tanh(m / 2) is 0.9993): a table look-up per pixel instead of tanh and three roundings.
  const RAMP_SCALE = 64, RAMP_STEPS = 8 * RAMP_SCALE;
  const RAMPS = tint.map((colour) => {
    const ramp = new Uint8ClampedArray(3 * RAMP_STEPS);
    for (let s = 0; s < RAMP_STEPS; s++) {
      const sure = 0.4 * Math.tanh(s / RAMP_SCALE / 2);
      for (let ch = 0; ch < 3; ch++) {
        ramp[3 * s + ch] = Math.round(255 + sure * (colour[ch] - 255));
      }
    }
    return ramp;
  });

  function regionCanvas(view, i, w, h) {
    const key = i + ":" + w + "x" + h;
    if (view.regionKey === key) { return view.regionCanvas; }
    const logs = logProbabilities(view, i), columns = data.grid.columns, rows = data.grid.rows;
    const picture = view.regionCanvas || document.createElement("canvas");
    picture.width = w;
    picture.height = h;
    const ctx = picture.getContext("2d"), pixels = ctx.createImageData(w, h), rgba = pixels.data;
    const owner = new Uint8Array(w * h);
    // Each pixel column's grid cell and place in it, and each pixel row's values interpolated
    // between its two grid rows once: a pixel then interpolates along its row only.
    const cells = new Int32Array(w), across = new Float32Array(w);
    for (let px = 0; px < w; px++) {
      const gx = Math.min((px + 0.5) / w * (columns - 1), columns - 1);
      cells[px] = Math.min(Math.floor(gx), columns - 2);
      across[px] = gx - cells[px];
    }
    const line = new Float32Array(columns * K);
    for (let py = 0; py < h; py++) {
      const gy = Math.min((py + 0.5) / h * (rows - 1), rows - 1);
      const j = Math.min(Math.floor(gy), rows - 2), fy = gy - j;
      for (let q = 0, above = j * columns * K, below = above + columns * K; q < columns * K; q++) {
        line[q] = (1 - fy) * logs[above + q] + fy * logs[below + q];
      }
      for (let px = 0; px < w; px++) {
        const a = cells[px] * K, fx = across[px];
        let best = 0, top = -Infinity, second = -Infinity;
        for (let k = 0; k < K; k++) {
          const v = line[a + k] + fx * (line[a + K + k] - line[a + k]);
          if (v > top) { second = top; top = v; best = k; } else if (v > second) { second = v; }
        }
        const p = py * w + px, ramp = RAMPS[best];
        const step = 3 * Math.min(RAMP_STEPS - 1, Math.floor((top - second) * RAMP_SCALE + 0.5));
        owner[p] = best;
        rgba[4 * p] = ramp[step];
        rgba[4 * p + 1] = ramp[step + 1];
        rgba[4 * p + 2] = ramp[step + 2];
        rgba[4 * p + 3] = 255;
      }
    }
    const edge = rgb(view.run.colour);
    const paint = (p) => {
      for (let ch = 0; ch < 3; ch++) { rgba[4 * p + ch] = edge[ch]; }
    };
    for (let py = 0; py < h; py++) {
      for (let px = 0; px < w; px++) {
        const p = py * w + px;
        if (px > 0 && owner[p] !== owner[p - 1]) { paint(p); paint(p - 1); }
        if (py > 0 && owner[p] !== owner[p - w]) { paint(p); paint(p - w); }
      }
    }
    ctx.putImageData(pixels, 0, 0);
    view.regionCanvas = picture;
    view.regionKey = key;
    return picture;
  }

  function circle(ctx, at, radius) {
    ctx.beginPath();
    ctx.arc(at[0], at[1], radius, 0, 2 * Math.PI);
  }

  function drawPlot(view) {
    const canvas = view.canvas, ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    const s = view.scale, run = view.run, i = state.index;
    ctx.clearRect(0, 0, W, H);
    if (run.boundary) {
      const picture = image(view, i);
      const cw = W / (data.grid.columns - 1), ch = H / (data.grid.rows - 1);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(picture.canvas, -cw / 2, -ch / 2, W + cw, H + ch);  // pixel centres on the grid
      ctx.strokeStyle = run.colour;
      ctx.lineWidth = 3 * s;
      ctx.lineJoin = "round";
      contour(ctx, picture.levels, W, H);
    } else if (run.regions) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(regionCanvas(view, i, Math.round(W / s), Math.round(H / s)), 0, 0, W, H);
    }
    const wrong = new Set(run.wrong[i]);
    const radius = Math.max(3.2, Math.min(6, 55 / Math.sqrt(n))) * s;
    data.points.forEach((point, k) => {
      const at = toCanvas(view, point);
      if (wrong.has(k)) {
        circle(ctx, at, radius + 3.2 * s);
        ctx.strokeStyle = colour.wrong;
        ctx.lineWidth = 2.4 * s;
        ctx.stroke();
      }
      circle(ctx, at, radius);
      ctx.fillStyle = classColour[data.classes[k]];
      ctx.fill();
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.2 * s;
      ctx.stroke();
    });
    circle(ctx, toCanvas(view, data.points[state.point]), radius + 7 * s);
    ctx.strokeStyle = "#1f2328";
    ctx.lineWidth = 1.5 * s;
    ctx.setLineDash([4 * s, 3 * s]);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  function pickPoint(view, event) {
    const rect = view.canvas.getBoundingClientRect(), s = view.scale;
    const x = (event.clientX - rect.left) * s, y = (event.clientY - rect.top) * s;
    let best = -1, bestDistance = Infinity;
    data.points.forEach((point, k) => {
      const at = toCanvas(view, point), d = Math.hypot(at[0] - x, at[1] - y);
      if (d < bestDistance) { best = k; bestDistance = d; }
    });
    if (best >= 0 && bestDistance < 24 * s) { selectPoint(best); }
  }

  // ---------------------------------------------------------------- the numbers of a card

  function drawCard(view) {
    const run = view.run, i = state.index, epoch = data.epochs[i], id = "run-" + view.r + "-";
    show(id + "loss", num(run.loss[epoch]));
    show(id + "accuracy", fraction(run.accuracy[epoch]));
    show(id + "push", num(run.mean_abs_dL_dz[i]));
    show(id + "wrong", run.wrong[i].length + " / " + n);
    if (run.parameter_table || run.parameter_grid) {
      run.labels.forEach((_, k) => {
        show(id + "param-" + k, num(run.parameters[i][k]));
        show(id + "grad-" + k, num(run.gradients[i][k]));
      });
    }
    const wrong = new Set(run.wrong[i]), full = BARS.bottom - BARS.top;
    for (let k = 0; k < n; k++) {
      const push = Math.abs(multi ? run.dL_dz[i][k][data.classes[k]] : run.dL_dz[i][k]);
      const height = data.push_scale > 0 ? full * push / data.push_scale : 0;
      view.barRects[k].setAttribute("y", (BARS.bottom - height).toFixed(2));
      view.barRects[k].setAttribute("height", height.toFixed(2));
      view.barBacks[k].setAttribute("fill", wrong.has(k) ? "#ffe6f2" : "transparent");
    }
    view.barSelected.setAttribute("x", view.barBacks[state.point].getAttribute("x"));
    drawPlot(view);
    if (run.network) { drawNetwork(view); }
  }

  // ---------------------------------------------------------------- the story of one point

  const term = (what, id, extra) =>
    '<span class="term ' + (extra || "") + '"><span class="what">' + what +
    '</span><span class="num" id="' + id + '"></span></span>';

  function buildStory() {
    if (multi) { buildClassView(); return; }
    if (!data.story) { return; }
    $("story").hidden = false;
    data.runs.forEach((run, r) => {
      const row = document.createElement("div"), id = "story-" + r + "-";
      row.className = "story-row";
      row.style.setProperty("--run", run.colour);
      // A loss of z never reads p: its push has no dL/dp factor, so no split is shown.
      const split = run.dL_dp.some((column) => column !== null);
      row.innerHTML = '<span class="who"></span>' +
        term("z", id + "z") + term("p = \u03c3(z)", id + "p") +
        (split ? term("dL/dp", id + "dL_dp") + '<span class="op">\u00d7</span>' +
                 term("\u03c3\u2032(z) = dp/dz", id + "dp_dz") + '<span class="op">=</span>'
               : '<span class="op small">a loss of z, no dL/dp:</span>') +
        term("dL/dz", id + "dL_dz", "result") +
        '<div class="meter" aria-hidden="true"><div id="' + id + 'meter"></div></div>';
      row.querySelector(".who").textContent = run.title;
      $("story-rows").appendChild(row);
    });
    $("point-prev").addEventListener("click", () => selectPoint((state.point + n - 1) % n));
    $("point-next").addEventListener("click", () => selectPoint((state.point + 1) % n));
  }

  function drawStory() {
    const k = state.point, i = state.index;
    const wrongUnder = data.runs.filter((run) => run.wrong[i].indexOf(k) >= 0)
      .map((run) => run.title);
    const typical = multi && data.typical[data.classes[k]] === k ?
      ", the typical point of class " + data.classes[k] : "";
    show("selected-point", "point " + k + " (y = " + data.labels[k] + typical + ")" +
      (wrongUnder.length ? " \u2014 " + data.wrong_rule + " under " + wrongUnder.join(", ") : ""));
    if (multi) { drawClassView(); return; }
    if (!data.story) { return; }
    data.runs.forEach((run, r) => {
      const id = "story-" + r + "-";
      for (const name of ["z", "p", "dL_dp", "dp_dz", "dL_dz"]) {
        const cell = $(id + name), column = run[name][i];
        if (cell) { cell.textContent = num(column === null ? null : column[k]); }
      }
      const share = data.push_scale > 0 ? Math.abs(run.dL_dz[i][k]) / data.push_scale : 0;
      $(id + "meter").style.width = (100 * share).toFixed(1) + "%";
    });
  }

  // ---------------------------------------------------------------- K classes: one point's pushes

  // A table per run: for each class k, y_k, the recorded ŷ_k, ŷ_k − y_k (cross-entropy's push,
  // the outlined bar) and the recorded dL/dz_k (the filled bar), on the scale of push_scale.
  function buildClassView() {
    $("story").hidden = false;
    $("story-title").textContent = "One point's push on each class's logit";
    $("story-note").hidden = true;
    $("classes-note").hidden = false;
    $("typical-label").hidden = false;
    const select = $("typical");
    select.appendChild(document.createElement("option")).value = "";  // another point: blank
    data.typical.forEach((point, k) => {
      if (point === null) { return; }
      const option = document.createElement("option");
      option.value = String(point);
      option.textContent = "class " + k;
      select.appendChild(option);
    });
    select.addEventListener("change", () => selectPoint(Number(select.value)));
    const rows = $("story-rows");
    rows.classList.add("class-runs");
    data.runs.forEach((run, r) => {
      const block = document.createElement("div");
      block.className = "class-run";
      block.style.setProperty("--run", run.colour);
      block.innerHTML = '<h3 class="who"></h3><table class="class-table small"><thead><tr>' +
        "<th>class</th><th>y<sub>k</sub></th><th>\u0177<sub>k</sub></th>" +
        "<th>\u0177<sub>k</sub> \u2212 y<sub>k</sub></th><th>dL/dz<sub>k</sub></th>" +
        '<th class="meter-head">push</th></tr></thead><tbody></tbody></table>';
      block.querySelector(".who").textContent = run.title;
      const body = block.querySelector("tbody");
      for (let k = 0; k < K; k++) {
        const id = "class-" + r + "-" + k + "-", row = document.createElement("tr");
        row.id = id + "row";
        row.innerHTML = '<th scope="row"><i class="dot"></i>' + k + "</th>" +
          '<td id="' + id + 'y"></td><td id="' + id + 'p"></td>' +
          '<td id="' + id + 'difference"></td><td id="' + id + 'dL_dz" class="push"></td>' +
          '<td class="meter-cell"><div class="meter" aria-hidden="true">' +
          '<div class="formula" id="' + id + 'formula-bar"></div>' +
          '<div class="recorded" id="' + id + 'bar"></div></div></td>';
        row.querySelector(".dot").style.background = classColour[k];
        body.appendChild(row);
      }
      rows.appendChild(block);
    });
    $("point-prev").addEventListener("click", () => selectPoint((state.point + n - 1) % n));
    $("point-next").addEventListener("click", () => selectPoint((state.point + 1) % n));
  }

  function drawClassView() {
    const point = state.point, i = state.index, own = data.classes[point];
    const typical = data.typical[own] === point ? String(point) : "";
    if ($("typical").value !== typical) { $("typical").value = typical; }
    const scale = data.push_scale > 0 ? data.push_scale : 1;
    const width = (x) => (100 * Math.min(1, Math.abs(x) / scale)).toFixed(1) + "%";
    data.runs.forEach((run, r) => {
      const p = run.p[i][point], push = run.dL_dz[i][point];
      for (let k = 0; k < K; k++) {
        const id = "class-" + r + "-" + k + "-", y = k === own ? 1 : 0;
        $(id + "row").classList.toggle("own", k === own);
        show(id + "y", String(y));
        show(id + "p", num(p[k]));
        show(id + "difference", num(p[k] - y));
        show(id + "dL_dz", num(push[k]));
        $(id + "formula-bar").style.width = width(p[k] - y);
        $(id + "bar").style.width = width(push[k]);
      }
    });
  }

  function selectPoint(k) {
    state.point = k;
    cards.forEach(drawCard);
    drawStory();
  }

  // ---------------------------------------------------------------- the curves

  const CHART = { left: 40, right: 312, top: 10, bottom: 146, height: 170 };

  function buildChart(svg, series, xMax, yMax, target) {
    const sx = (x) => CHART.left + (xMax > 0 ? x / xMax : 0) * (CHART.right - CHART.left);
    const sy = (v) => CHART.bottom - Math.min(v / yMax, 1.05) * (CHART.bottom - CHART.top);
    const line = (y, attrs) => el("line", Object.assign({ x1: CHART.left, x2: CHART.right,
                                                          y1: y, y2: y }, attrs), svg);
    const label = (x, y, anchor, text) => {
      el("text", { x: x, y: y, "text-anchor": anchor }, svg).textContent = text;
    };
    for (const t of [0, 0.5, 1]) {
      line(sy(t * yMax), { stroke: "#d0d7de", "stroke-width": t === 0 ? 1 : 0.6 });
      label(CHART.left - 5, sy(t * yMax) + 3.5, "end", String(Number((t * yMax).toPrecision(3))));
    }
    label(sx(0), CHART.bottom + 13, "start", "0");
    label(sx(xMax), CHART.bottom + 13, "end", String(xMax));
    label((CHART.left + CHART.right) / 2, CHART.height - 2, "middle", "epoch");
    if (target !== null && target !== undefined) {
      line(sy(target), { stroke: "#57606a", "stroke-dasharray": "4 3" });
      label(CHART.left + 4, sy(target) + 12, "start", "target " + target);
    }
    const cursor = el("line", { y1: CHART.top, y2: CHART.bottom, stroke: "#1f2328",
                                "stroke-width": 1, "class": "cursor" }, svg);
    const dots = series.map((s) => {
      let d = "";
      s.values.forEach((v, k) => {
        if (v !== null) { d += (d ? "L" : "M") + sx(s.xs[k]).toFixed(2) + "," + sy(v).toFixed(2); }
      });
      el("path", { d: d, fill: "none", stroke: s.colour, "stroke-width": 2, "class": "curve" },
         svg);
      return el("circle", { r: 3.5, fill: s.colour, stroke: "#fff", "stroke-width": 1 }, svg);
    });
    return { cursor: cursor, dots: dots, series: series, sx: sx, sy: sy };
  }

  function moveCursor(chart, epoch) {
    const x = chart.sx(epoch);
    chart.cursor.setAttribute("x1", x);
    chart.cursor.setAttribute("x2", x);
    chart.series.forEach((s, r) => {
      const k = s.xs.indexOf(epoch), v = k >= 0 ? s.values[k] : null;
      chart.dots[r].setAttribute("visibility", v === null ? "hidden" : "visible");
      if (v !== null) {
        chart.dots[r].setAttribute("cx", x);
        chart.dots[r].setAttribute("cy", chart.sy(v));
      }
    });
  }

  function buildCharts() {
    const xMax = Math.max(data.epochs[last], ...data.runs.map((run) => run.loss.length - 1));
    const perEpoch = (name) => data.runs.map((run) => (
      { colour: run.colour, values: run[name], xs: run[name].map((_, k) => k) }));
    const top = (series) => roundUp(Math.max(0, ...series.map(
      (s) => Math.max(0, ...s.values.filter((v) => v !== null)))));
    const loss = perEpoch("loss"), accuracy = perEpoch("accuracy");
    const push = data.runs.map((run) => (
      { colour: run.colour, values: run.mean_abs_dL_dz, xs: data.epochs }));
    return [
      buildChart($("chart-loss"), loss, xMax, top(loss)),
      buildChart($("chart-accuracy"), accuracy, xMax, 1, data.target),
      buildChart($("chart-push"), push, xMax, top(push)),
    ];
  }

  // ---------------------------------------------------------------- playing

  function draw() {
    const epoch = data.epochs[state.index];
    $("scrub").value = String(state.index);
    show("epoch", String(epoch));
    cards.forEach(drawCard);
    drawStory();
    charts.forEach((chart) => moveCursor(chart, epoch));
  }

  function go(index) {
    state.index = Math.max(0, Math.min(last, index));
    draw();
  }

  const delay = () => 1000 / Number($("speed").value);
  function tick() {
    if (state.index >= last) { pause(); return; }
    go(state.index + 1);
    state.timer = setTimeout(tick, delay());
  }
  function play() {
    if (state.index >= last) { go(0); }
    state.playing = true;
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-pressed", "true");
    state.timer = setTimeout(tick, delay());
  }
  function pause() {
    state.playing = false;
    clearTimeout(state.timer);
    $("play").textContent = "Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  // ---------------------------------------------------------------- start

  show("description", data.description);
  $("description").hidden = !data.description;
  show("z-names", data.story || multi ? "logits" : "scores");
  $("scrub").max = String(last);
  show("last-epoch", String(data.epochs[last]));
  if (data.runs.length === 1) { $("runs").classList.add("single"); }
  data.runs.forEach((run, r) => cards.push(buildCard(run, r)));
  buildStory();
  const charts = buildCharts();
  if (data.target !== null) {
    const reached = data.runs.map((run) => run.title + ": " +
      (run.reached === null ? "not within the run" : "epoch " + run.reached));
    show("reached", "first at the target " + data.target + ": " + reached.join("; "));
  }

  $("scrub").addEventListener("input", () => { pause(); go(Number($("scrub").value)); });
  $("play").addEventListener("click", () => (state.playing ? pause() : play()));
  $("step").addEventListener("click", () => { pause(); go(state.index + 1); });
  $("step-back").addEventListener("click", () => { pause(); go(state.index - 1); });
  window.addEventListener("resize", () => { cards.forEach(sizeCanvas); draw(); });
  cards.forEach(sizeCanvas);
  draw();
  document.body.setAttribute("data-ready", "true");
})();
