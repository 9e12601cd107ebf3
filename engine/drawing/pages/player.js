// The backprop step-through page's script: it looks the engine's numbers up, writes them and
// draws the highlights; it does no arithmetic on data or gradients.
//
// The "page-data" element holds what engine.drawing.step_through computed:
//   precision, small   how numbers are written: `precision` decimals, scientific below `small`
//   reset_grad         the gradient backward gives a node before adding into it (0)
//   roles              the drawing's box colours, for the legend
//   panels[p]          per graph: title, note, and layouts, one per structure the graph takes
//                      on the grid (usually one), each with highlight (a node number or null),
//                      watch (the inputs whose gradient the summary shows), nodes[i] = {label,
//                      op, role, children, args}, forward (the operation nodes in the order the
//                      engine computed them) and svg: the drawing, its boxes marked data-node,
//                      its operations data-op, its operand edges data-edge="node:slot", the edge
//                      from an operation to its result data-out, and the boxes' texts data-field
//   axes, start        the slider and the toggle (name, values, shown, kind) and where they start
//   positions[k][p]    per point of the grid (row-major over the axes) and graph: layout, data[i]
//                      and grad[i] (after the whole pass), stops [[step, reason]], factor (the
//                      highlighted node's local derivatives), and steps[s], one backward step:
//                      [node, grad, local derivatives, contributions, the operands' running
//                      sums after it, added]
//
// Time is one index t shared by every graph. With F the most operations any graph has,
// t = 0..F is the forward pass (t operations computed), t = F + 1 starts the backward pass at the
// root, t = F + 1 + k shows backward step k, and the last t, one past the most steps, is "done".
// A graph with fewer operations or steps waits at its end for the others.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var NODE = 0, GRAD = 1, LOCAL = 2, CONTRIBUTIONS = 3, SUMS = 4, ADDED = 5;  // a step's fields
  var UNSET = "\u00b7";
  var INFIX = { "+": "+", "-": "\u2212", "*": "\u00d7", "/": "/", "**": "**" };
  var SVG = null;  // the SVG namespace, read from the first drawing
  var axes = data.axes;
  var at = data.start.slice();
  var panels = [];
  var t = 0;
  var timer = null;
  var maxForward = 0;

  var stepButton = document.getElementById("step");
  var backButton = document.getElementById("back");
  var resetButton = document.getElementById("reset");
  var playButton = document.getElementById("play");
  var speed = document.getElementById("speed");
  var zoomButton = document.getElementById("zoom");
  var progress = document.getElementById("progress");
  var progressBar = document.getElementById("progress-bar");
  var slider = document.getElementById("slider");
  var toggle = document.getElementById("toggle");

  // ------------------------------------------------------------------ numbers, names, elements

  // Written as draw_graph writes numbers, exponent included (2.150e-07), so page and drawing agree.
  function fmt(x) {
    if (typeof x === "string") { return x; }  // "inf": a non-finite number, as the engine gave it
    if (x === 0) { return (0).toFixed(data.precision); }
    var size = Math.abs(x);
    if (size < data.small || size >= 1e9) {
      var text = x.toExponential(Math.max(data.precision - 1, 0));
      return text.replace(/e([+-])(\d)$/, "e$10$2");
    }
    return x.toFixed(data.precision);
  }

  // A node's name in a formula (its label, or its operation in brackets) and in a sentence.
  function nodeName(panel, i) {
    var node = current(panel).lay.info.nodes[i];
    if (node.label) { return node.label; }
    if (node.role === "constant") { return fmt(current(panel).pos.data[i]); }
    return node.op ? "(" + (INFIX[node.op] || node.op) + ")" : "input " + i;
  }

  function nodeTitle(panel, i) {
    var node = current(panel).lay.info.nodes[i];
    if (node.label) { return node.label; }
    if (node.role === "constant") { return "the constant " + fmt(current(panel).pos.data[i]); }
    return node.op ? "the " + (INFIX[node.op] || node.op) + " node" : "input " + i;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function span(className, text) { return el("span", className, text); }

  function line(box, className, text) { return box.appendChild(el("div", className, text)); }

  function svgEl(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function positionIndex() {
    var k = 0;
    for (var a = 0; a < axes.length; a++) { k = k * axes[a].values.length + at[a]; }
    return k;
  }

  // ------------------------------------------------------------------ setting up each panel

  function setUp(info, index) {
    var template = document.getElementById("panel-template").content.firstElementChild;
    var section = template.cloneNode(true);
    section.dataset.panel = String(index);
    section.querySelector(".panel-title").textContent = info.title;
    document.getElementById("panels").appendChild(section);
    var panel = {
      index: index, info: info, section: section, box: section.querySelector(".graph-box"),
      layouts: [], picked: null, now: null
    };
    info.layouts.forEach(function (layout) { panel.layouts.push(setUpLayout(panel, layout)); });
    // Measured while every drawing is shown; then only the current position's stays.
    panel.layouts.forEach(function (lay) { lay.holder.hidden = true; });
    return panel;
  }

  function setUpLayout(panel, info) {
    var holder = panel.box.appendChild(el("div", "layout"));
    holder.innerHTML = info.svg;
    var svg = holder.querySelector("svg");
    SVG = svg.namespaceURI;
    var layer = svg.querySelector("g.graph") || svg;
    var lay = {
      info: info, holder: holder, svg: svg,
      halos: svgEl("g", { "class": "halos" }, layer),
      labels: svgEl("g", { "class": "edge-labels" }, layer),
      boxes: {}, ops: {}, outs: {}, edges: {}, fields: {}, shapes: [], forwardRank: {}
    };
    svg.querySelectorAll("g[data-node]").forEach(function (g) {
      var i = Number(g.dataset.node);
      lay.boxes[i] = g;
      lay.fields[i] = {};
      g.querySelectorAll("text[data-field]").forEach(function (text) {
        // Laid out with about the widest text this box shows: a wider one is squeezed, not cut.
        text.dataset.room = String(text.getComputedTextLength());
        lay.fields[i][text.dataset.field] = text;
      });
    });
    svg.querySelectorAll("g[data-op]").forEach(function (g) { lay.ops[g.dataset.op] = g; });
    svg.querySelectorAll("g[data-out]").forEach(function (g) { lay.outs[g.dataset.out] = g; });
    svg.querySelectorAll("g[data-edge]").forEach(function (g) { lay.edges[g.dataset.edge] = g; });
    // Where the boxes are, for placing edge labels clear of them; and the drawing's own page.
    Object.values(lay.boxes).concat(Object.values(lay.ops)).forEach(function (g) {
      lay.shapes.push(g.getBBox());
    });
    var background = layer.querySelector("polygon");
    lay.bounds = background ? background.getBBox() : svg.getBBox();
    info.forward.forEach(function (node, rank) { lay.forwardRank[node] = rank; });
    lay.root = info.nodes.findIndex(function (node) { return node.role === "root"; });
    svg.addEventListener("click", function (event) {
      var g = event.target.closest("g[data-node], g[data-op]");
      if (!g) { return; }
      var i = Number(g.dataset.node !== undefined ? g.dataset.node : g.dataset.op);
      panel.picked = panel.picked === i ? null : i;
      render();
    });
    maxForward = Math.max(maxForward, info.forward.length);
    return lay;
  }

  // The panel's numbers at the current position, its drawing for them, and lookups: for each
  // node, the (step, slot) pairs that added into it in the engine's order, the steps that
  // reached it, and the steps that passed no gradient.
  function current(panel) {
    var k = positionIndex();
    if (panel.now && panel.now.k === k) { return panel.now; }
    var pos = data.positions[k][panel.index];
    var lay = panel.layouts[pos.layout];
    if (panel.now && panel.now.lay !== lay) {
      panel.now.lay.holder.hidden = true;
      panel.picked = null;  // a node of another drawing
    }
    lay.holder.hidden = false;
    var into = lay.info.nodes.map(function () { return []; });
    var reached = {};
    pos.steps.forEach(function (step, s) {
      reached[step[NODE]] = s;
      lay.info.nodes[step[NODE]].children.forEach(function (child, slot) {
        into[child].push([s, slot]);
      });
    });
    var stops = {};
    pos.stops.forEach(function (stop) { stops[stop[0]] = stop[1]; });
    panel.now = { k: k, pos: pos, lay: lay, into: into, reached: reached, stops: stops };
    return panel.now;
  }

  // ------------------------------------------------------------------ time

  function lastT() {
    var most = 0;
    panels.forEach(function (panel) { most = Math.max(most, current(panel).pos.steps.length); });
    return maxForward + 2 + most;  // the forward pass, the root, every step, and "done"
  }

  // Where a panel stands at time t: operations computed, backward steps done, the node shown.
  function stage(panel) {
    var lay = current(panel).lay;
    var steps = current(panel).pos.steps;
    var forward = lay.info.forward;
    if (t <= maxForward) {
      return { phase: "forward", computed: Math.min(t, forward.length), done: -1,
               current: t >= 1 && t <= forward.length ? forward[t - 1] : null, step: null };
    }
    var k = t - maxForward - 1;
    var shown = k >= 1 && k <= steps.length ? k - 1 : null;
    return { phase: k > steps.length ? "done" : "backward", computed: forward.length,
             done: Math.min(k, steps.length), step: shown, seed: k === 0,
             current: k === 0 ? lay.root : shown === null ? null : steps[shown][NODE] };
  }

  // ------------------------------------------------------------------ the drawing

  // Writes a box's text; returns it if it changed, for fitFields to measure.
  function setField(text, shown, state) {
    if (!text) { return null; }
    text.classList.remove("is-unset", "is-zero", "is-fresh");
    if (state) { text.classList.add(state); }
    if (text.textContent === shown) { return null; }
    text.textContent = shown;
    text.removeAttribute("textLength");
    text.removeAttribute("lengthAdjust");
    return text;
  }

  // Squeezes each text that came out wider than the room its box was laid out with. All are
  // measured first and changed after, so the browser lays the drawing out once, not per text.
  function fitFields(texts) {
    var tooWide = texts.filter(function (text) {
      return text.getComputedTextLength() > Number(text.dataset.room) + 0.5;
    });
    tooWide.forEach(function (text) {
      text.setAttribute("textLength", text.dataset.room);
      text.setAttribute("lengthAdjust", "spacingAndGlyphs");
    });
  }

  // A node's gradient so far: the running sum after the last contribution added into it.
  function gradSoFar(panel, i, st) {
    var lay = current(panel).lay;
    var now = current(panel);
    if (i === lay.root) { return { value: now.pos.grad[i], fresh: st.seed }; }
    var value = null, fresh = false;
    now.into[i].forEach(function (pair) {
      if (pair[0] < st.done) {
        value = now.pos.steps[pair[0]][SUMS][pair[1]];
        fresh = pair[0] === st.done - 1;
      }
    });
    return { value: value, fresh: fresh };
  }

  function halo(panel, g, kind) {
    var lay = current(panel).lay;
    if (!g) { return; }
    var box = g.getBBox();
    svgEl("rect", { "class": "halo " + kind, x: box.x - 3, y: box.y - 3,
                    width: box.width + 6, height: box.height + 6 }, lay.halos);
  }

  function overlap(a, b) {
    var w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    var h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
  }

  // Labels an operand edge where the label covers the fewest boxes and labels: points along the
  // edge, then the same points just above and below it; the first that covers nothing wins.
  function edgeLabel(panel, key, words, kind, placed) {
    var lay = current(panel).lay;
    var edge = lay.edges[key];
    var path = edge && edge.querySelector("path");
    if (!path) { return; }
    var group = svgEl("g", { "class": "edge-label " + kind, "data-edge": key }, lay.labels);
    var rect = svgEl("rect", {}, group);
    var text = svgEl("text", { "text-anchor": "middle", "dominant-baseline": "central" }, group);
    text.textContent = words;
    var length = path.getTotalLength();
    var size = text.getBBox();
    var best = null;
    function covered(area) {
      var sum = 10 * (area.width * area.height - overlap(area, lay.bounds));  // off the drawing
      lay.shapes.concat(placed).forEach(function (other) { sum += overlap(area, other); });
      return sum;
    }
    [0, -(size.height + 4), size.height + 4].some(function (shift) {
      return [0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85].some(function (along) {
        var point = path.getPointAtLength(length * along);
        var area = { x: point.x - size.width / 2 - 3, y: point.y + shift - size.height / 2 - 1.5,
                     width: size.width + 6, height: size.height + 3 };
        var cost = covered(area);
        if (best === null || cost < best.cost) { best = { cost: cost, area: area }; }
        return cost === 0;
      });
    });
    text.setAttribute("x", best.area.x + best.area.width / 2);
    text.setAttribute("y", best.area.y + best.area.height / 2);
    ["x", "y", "width", "height"].forEach(function (key) {
      rect.setAttribute(key, best.area[key]);
    });
    placed.push(best.area);
  }

  function renderDrawing(panel, st) {
    var lay = current(panel).lay;
    var now = current(panel);
    var pos = now.pos;
    var nodes = lay.info.nodes;
    var stopped = {};  // the nodes whose step, done already, passed no gradient
    pos.stops.forEach(function (stop) {
      if (st.done > stop[0]) { stopped[pos.steps[stop[0]][NODE]] = true; }
    });
    var anyStopped = Object.keys(stopped).length > 0;
    var written = [];
    nodes.forEach(function (node, i) {
      var computed = !node.children.length || lay.forwardRank[i] < st.computed;
      [lay.boxes[i], lay.ops[i], lay.outs[i]].forEach(function (g) {
        if (g) { g.classList.toggle("is-pending", !computed); }
      });
      var unreached = node.children.length && now.reached[i] === undefined;
      node.children.forEach(function (child, slot) {
        var edge = lay.edges[i + ":" + slot];
        if (!edge) { return; }
        edge.classList.toggle("is-pending", !computed);
        edge.classList.toggle("is-blocked", anyStopped && Boolean(stopped[i] || unreached));
        edge.classList.toggle("is-active", st.current === i && !st.seed);
        edge.classList.toggle("is-factor", lay.info.highlight === i);
      });
      var fields = lay.fields[i] || {};
      var value = computed ? fmt(pos.data[i]) : UNSET;
      written.push(setField(fields.data, "data " + value, computed ? null : "is-unset"));
      if (st.phase === "forward") {
        written.push(setField(fields.grad, "grad " + UNSET, "is-unset"));
        return;
      }
      var grad = gradSoFar(panel, i, st);
      if (grad.value === null) {
        written.push(setField(fields.grad, "grad " + fmt(data.reset_grad), "is-zero"));
      } else {
        var state = grad.fresh ? "is-fresh" : null;
        written.push(setField(fields.grad, "grad " + fmt(grad.value), state));
      }
    });
    fitFields(written.filter(Boolean));

    lay.halos.textContent = "";
    lay.labels.textContent = "";
    if (lay.info.highlight !== null) { halo(panel, lay.boxes[lay.info.highlight], "factor"); }
    Object.keys(stopped).forEach(function (i) { halo(panel, lay.boxes[i], "stop"); });
    if (st.current !== null) {
      halo(panel, lay.boxes[st.current], "now");
      halo(panel, lay.ops[st.current], "now");
      nodes[st.current].children.forEach(function (child) {
        halo(panel, lay.boxes[child], "operand");
      });
    }
    if (st.step !== null) {
      var step = pos.steps[st.step];
      var placed = [];
      var kind = lay.info.highlight === step[NODE] ? "factor" : "now";
      nodes[step[NODE]].children.forEach(function (child, slot) {
        var words = fmt(step[LOCAL][slot]) + " \u00d7 " + fmt(step[GRAD]) + " = "
          + fmt(step[CONTRIBUTIONS][slot]);
        edgeLabel(panel, step[NODE] + ":" + slot, words, kind, placed);
      });
    }
    if (panel.picked !== null) { halo(panel, lay.boxes[panel.picked], "picked"); }
    panel.section.dataset.phase = st.phase;
    panel.section.dataset.current = st.current === null ? "" : String(st.current);
    panel.section.dataset.step = st.step === null ? "" : String(st.step);
    if (st.current !== null && !panel.section.classList.contains("fit")) {
      reveal(panel, lay.boxes[st.current]);
    }
  }

  // Scrolls a full-size drawing's box so that g is in view (the page itself does not move).
  function reveal(panel, g) {
    if (!g) { return; }
    var box = panel.box.getBoundingClientRect();
    var target = g.getBoundingClientRect();
    if (target.left < box.left || target.right > box.right) {
      panel.box.scrollLeft += target.left - box.left - (box.width - target.width) / 2;
    }
    if (target.top < box.top || target.bottom > box.bottom) {
      panel.box.scrollTop += target.top - box.top - (box.height - target.height) / 2;
    }
  }

  // ------------------------------------------------------------------ the words

  function operandText(panel, i) {
    var lay = current(panel).lay;
    var label = lay.info.nodes[i].label;
    var value = fmt(current(panel).pos.data[i]);
    return label ? label + " = " + value : value;
  }

  // "p = sigmoid(z = -4.5000) = 0.0110": what one forward step computed.
  function forwardSentence(panel, i) {
    var lay = current(panel).lay;
    var node = lay.info.nodes[i];
    var kids = node.children;
    var body;
    if (INFIX[node.op] && kids.length === 2) {
      body = "(" + operandText(panel, kids[0]) + ") " + INFIX[node.op] + " ("
        + operandText(panel, kids[1]) + ")";
    } else if (node.op === "neg") {
      body = "\u2212(" + operandText(panel, kids[0]) + ")";
    } else if (node.op === "sum") {
      body = "the sum of its " + kids.length + " operands";
    } else if (node.op === "dot") {
      body = "the dot product of " + kids.length / 2 + " pairs";  // children: a_1..a_n, b_1..b_n
    } else {
      body = node.op + "(" + [operandText(panel, kids[0])].concat(node.args).join(", ") + ")";
    }
    return (node.label ? node.label + " = " : "") + body + " = " + fmt(current(panel).pos.data[i]);
  }

  function ordinal(n) {
    var words = ["first", "second", "third", "fourth", "fifth", "sixth"];
    return n <= words.length ? words[n - 1] : n + "th";
  }

  function renderExplain(panel, st) {
    var lay = current(panel).lay;
    var box = panel.section.querySelector(".explain");
    box.textContent = "";
    var now = current(panel);
    var pos = now.pos;
    var rootName = nodeName(panel, lay.root);
    var count = lay.info.forward.length;
    if (st.phase === "forward") {
      if (st.computed === 0) {
        line(box, "head", "Forward pass: the inputs and constants are given.");
        line(box, "rule", "Step \u25B6 computes each operation, in the order the engine did.");
      } else if (st.current !== null) {
        line(box, "head", "Forward " + st.computed + " of " + count + ": "
          + forwardSentence(panel, st.current));
      } else {
        line(box, "head", "Forward pass done: " + rootName + " = "
          + fmt(pos.data[lay.root]) + ".");
      }
      return;
    }
    if (st.seed) {
      line(box, "head", "Backward pass: it starts at the root with \u2202" + rootName + "/\u2202"
        + rootName + " = " + fmt(pos.grad[lay.root]) + ".");
      line(box, "rule", "Each step takes one node, latest computed first, and sends its "
        + "gradient on to its operands: local derivative \u00d7 upstream gradient.");
      return;
    }
    if (st.step === null) {
      line(box, "head", "Backward pass done after " + pos.steps.length
        + " steps: every gradient is in.");
      if (lay.info.watch.length) {
        line(box, "rule", lay.info.watch.map(function (w) {
          return "\u2202" + rootName + "/\u2202" + nodeName(panel, w) + " = " + fmt(pos.grad[w]);
        }).join(" \u00b7 "));
      }
      return;
    }
    var step = pos.steps[st.step];
    var i = step[NODE];
    var node = lay.info.nodes[i];
    var name = nodeName(panel, i);
    var head = line(box, "head", "Backward " + (st.step + 1) + " of " + pos.steps.length + ": "
      + nodeTitle(panel, i) + " (" + (node.label ? node.op + ", " : "") + "value "
      + fmt(pos.data[i]) + ") has \u2202" + rootName + "/\u2202" + name + " = ");
    head.appendChild(span("upstream", fmt(step[GRAD])));
    var reason = now.stops[st.step];
    if (reason) {
      line(box, "warn", reason.charAt(0).toUpperCase() + reason.slice(1) + ".");
    } else if (!step[ADDED]) {
      line(box, "quiet", "Its gradient is 0 here, so it has nothing to send on: "
        + "backward skips it.");
    }
    line(box, "rule", step[ADDED]
      ? "Chain rule: each operand gets its local derivative \u2202" + name
        + "/\u2202operand \u00d7 " + fmt(step[GRAD]) + "."
      : "Local derivative \u00d7 upstream, for each operand (nothing is added):");
    var list = box.appendChild(el("ol"));
    node.children.forEach(function (child, slot) {
      var item = list.appendChild(el("li"));
      item.dataset.slot = String(slot);
      item.appendChild(span("who", nodeTitle(panel, child)));
      item.append(": ");
      item.appendChild(span("local", fmt(step[LOCAL][slot])));
      item.append(" \u00d7 ");
      item.appendChild(span("upstream", fmt(step[GRAD])));
      item.append(" = ");
      item.appendChild(span("contribution", fmt(step[CONTRIBUTIONS][slot])));
      if (!step[ADDED]) { return; }
      var into = now.into[child];
      item.append(into.length > 1 ? "; running sum " : "; its gradient is now ");
      item.appendChild(span("running", fmt(step[SUMS][slot])));
      if (into.length > 1) {
        var n = 1 + into.findIndex(function (pair) {
          return pair[0] === st.step && pair[1] === slot;
        });
        item.append(" (" + ordinal(n) + " of " + into.length + " contributions)");
      }
    });
  }

  // The clicked node's chain-rule sum: every contribution into it, done or still to come.
  function renderDetails(panel, st) {
    var lay = current(panel).lay;
    var box = panel.section.querySelector(".details");
    var i = panel.picked;
    box.hidden = i === null;
    box.textContent = "";
    if (i === null) { return; }
    // The card covers a corner of the drawing: the one away from the node it is about.
    var node = lay.boxes[i].getBoundingClientRect();
    var area = panel.box.getBoundingClientRect();
    box.classList.toggle("left", node.left + node.width / 2 > area.left + area.width / 2);
    var now = current(panel);
    var pos = now.pos;
    var rootName = nodeName(panel, lay.root);
    var close = box.appendChild(el("button", "", "close"));
    close.type = "button";
    close.addEventListener("click", function () { panel.picked = null; render(); });
    line(box, "head").appendChild(el("b", "", "\u2202" + rootName + "/\u2202" + nodeName(panel, i)
      + " = " + fmt(pos.grad[i])));
    if (i === lay.root) {
      line(box, "", "The root: backward starts here, with \u2202" + rootName + "/\u2202" + rootName
        + " = " + fmt(pos.grad[i]) + ".");
      return;
    }
    var into = now.into[i];
    if (!into.length) {
      line(box, "", "No gradient reaches this node here: it is below a node that passes none.");
      return;
    }
    line(box, "", "The chain rule sums what every use of it sends back (" + into.length
      + (into.length > 1 ? " contributions" : " contribution") + ", in the engine's order):");
    var list = box.appendChild(el("ol"));
    into.forEach(function (pair) {
      var step = pos.steps[pair[0]];
      var item = list.appendChild(el("li", pair[0] < st.done ? "" : "later"));
      item.append("from " + nodeTitle(panel, step[NODE]) + " (step " + (pair[0] + 1) + "): ");
      item.appendChild(span("local", fmt(step[LOCAL][pair[1]])));
      item.append(" \u00d7 " + fmt(step[GRAD]) + " = ");
      item.appendChild(span("contribution", fmt(step[CONTRIBUTIONS][pair[1]])));
      if (!step[ADDED]) {
        item.append(now.stops[pair[0]] ? " (not added: it passes no gradient)" : " (not added: 0)");
      }
    });
    var waiting = into.some(function (pair) { return pair[0] >= st.done; });
    line(box, "", "Sum: " + fmt(pos.grad[i])
      + (waiting ? " (the greyed terms are still to come)" : ""));
  }

  function renderText(panel) {
    var lay = current(panel).lay;
    var pos = current(panel).pos;
    var rootName = nodeName(panel, lay.root);
    var summary = panel.section.querySelector(".summary");
    summary.textContent = "";
    summary.appendChild(el("b", "", rootName + " = " + fmt(pos.data[lay.root])));
    lay.info.watch.forEach(function (w) {
      summary.append(" \u00b7 \u2202" + rootName + "/\u2202" + nodeName(panel, w) + " = ");
      summary.appendChild(el("b", "", fmt(pos.grad[w])));
    });
    var note = panel.section.querySelector(".note");
    note.hidden = !panel.info.note;
    note.textContent = "";
    panel.info.note.split("{factor}").forEach(function (piece, n) {
      if (n > 0) { note.appendChild(el("b", "", pos.factor ? fmt(pos.factor[0]) : "")); }
      note.append(piece);
    });
    var stops = panel.section.querySelector(".stops");
    stops.hidden = !pos.stops.length;
    stops.textContent = "";
    pos.stops.forEach(function (stop) {
      line(stops, "", "Backward step " + (stop[0] + 1) + ": " + stop[1] + ".");
    });
  }

  function render() {
    var end = lastT();
    if (t > end) { t = end; }
    panels.forEach(function (panel) {
      var st = stage(panel);
      renderText(panel);
      renderDrawing(panel, st);
      renderExplain(panel, st);
      renderDetails(panel, st);
    });
    var most = end - maxForward - 2;
    if (t <= maxForward) {
      progress.textContent = "Forward pass \u00b7 " + t + " of " + maxForward
        + " operations computed";
    } else if (t === maxForward + 1) {
      progress.textContent = "Backward pass \u00b7 starts at the root";
    } else if (t < end) {
      progress.textContent = "Backward pass \u00b7 step " + (t - maxForward - 1) + " of " + most;
    } else {
      progress.textContent = "Done \u00b7 " + most + " backward steps: every gradient is in";
    }
    progressBar.style.width = (end ? 100 * t / end : 100) + "%";
    progressBar.classList.toggle("backward", t > maxForward);
    backButton.disabled = t === 0;
    resetButton.disabled = t === 0;
    stepButton.disabled = t === end;
    if (t === end && timer !== null) { pause(); }
    document.body.dataset.t = String(t);
  }

  // ------------------------------------------------------------------ controls

  function go(to) {
    t = Math.max(0, Math.min(to, lastT()));
    render();
  }

  function pause() {
    if (timer !== null) { clearTimeout(timer); }
    timer = null;
    playButton.textContent = "Play";
    playButton.setAttribute("aria-pressed", "false");
  }

  function tick() {
    go(t + 1);
    if (timer !== null) { timer = setTimeout(tick, Number(speed.value)); }
  }

  function play() {
    if (t >= lastT()) { t = 0; }
    playButton.textContent = "Pause";
    playButton.setAttribute("aria-pressed", "true");
    timer = setTimeout(tick, Math.min(250, Number(speed.value)));
  }

  function togglePlay() {
    if (timer === null) { play(); } else { pause(); }
  }

  function anyFit() {
    return panels.some(function (panel) { return panel.section.classList.contains("fit"); });
  }

  stepButton.addEventListener("click", function () { pause(); go(t + 1); });
  backButton.addEventListener("click", function () { pause(); go(t - 1); });
  resetButton.addEventListener("click", function () { pause(); go(0); });
  playButton.addEventListener("click", togglePlay);
  zoomButton.addEventListener("click", function () {
    var fit = !anyFit();
    panels.forEach(function (panel) { panel.section.classList.toggle("fit", fit); });
    zoomButton.textContent = fit ? "Full size" : "Fit to page";
    render();
  });

  // Arrows step and Home resets, except where a control uses them (the slider, the speed menu).
  function usesKeys(target) {
    return target && (target.tagName === "SELECT" || target.type === "range"
      || target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var free = !usesKeys(event.target);
    if (event.key === "ArrowRight" && free) {
      pause(); go(t + 1); event.preventDefault();
    } else if (event.key === "ArrowLeft" && free) {
      pause(); go(t - 1); event.preventDefault();
    } else if (event.key === "Home" && free) {
      pause(); go(0); event.preventDefault();
    } else if (event.key === " " && (free || event.target.type === "range")) {
      // Taken here on a focused button too, so that space never also clicks it.
      event.preventDefault();
      if (!event.repeat) { togglePlay(); }
    }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && event.target.tagName === "BUTTON") { event.preventDefault(); }
  });

  function showAxes() {
    axes.forEach(function (axis, a) {
      var shown = axis.name + " = " + axis.shown[at[a]];
      if (axis.kind === "slider") {
        document.getElementById("slider-name").textContent = axis.name;
        document.getElementById("slider-value").textContent = axis.shown[at[a]];
        slider.setAttribute("aria-valuetext", shown);
      } else {
        toggle.textContent = shown;
        toggle.setAttribute("aria-pressed", at[a] === axis.values.length - 1 ? "true" : "false");
        toggle.title = "Switch " + axis.name + " (" + axis.shown.join(", ") + ")";
      }
    });
  }

  axes.forEach(function (axis, a) {
    document.getElementById("point").hidden = false;
    if (axis.kind === "slider") {
      document.getElementById("slider-box").hidden = false;
      slider.max = String(axis.values.length - 1);
      slider.value = String(at[a]);
      slider.addEventListener("input", function () {
        at[a] = Number(slider.value);
        showAxes();
        render();
      });
    } else {
      document.getElementById("toggle-box").hidden = false;
      toggle.addEventListener("click", function () {
        at[a] = (at[a] + 1) % axis.values.length;
        showAxes();
        render();
      });
    }
  });

  function legend() {
    var box = document.getElementById("legend");
    function item(fill, border, words) {
      var entry = box.appendChild(el("span"));
      var swatch = entry.appendChild(span("swatch"));
      swatch.style.background = fill;
      swatch.style.borderColor = border;
      entry.append(words);
    }
    Object.keys(data.roles).forEach(function (role) {
      var colours = data.roles[role];
      item(colours.fill, colours.border, colours.name);
    });
    item("", "var(--now)", "the node at this step");
    item("", "var(--operand)", "its operands");
    item("", "var(--factor)", "the factor pointed out");
    item("", "var(--stop)", "no gradient passes below");
  }

  data.panels.forEach(function (info, index) { panels.push(setUp(info, index)); });
  panels.forEach(function (panel) {
    // Fitted to its box, a drawing much wider than the box would have unreadably small text:
    // that one is shown full size, and its box scrolls to follow the current node.
    var widest = Math.max.apply(null, panel.layouts.map(function (lay) {
      return Number(lay.svg.getAttribute("width"));
    }));
    panel.section.classList.toggle("fit", widest <= 1.6 * panel.box.clientWidth);
  });
  zoomButton.textContent = anyFit() ? "Full size" : "Fit to page";
  legend();
  showAxes();
  render();
  document.body.dataset.ready = "true";
})();
