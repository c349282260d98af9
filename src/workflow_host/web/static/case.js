// The case diagram: bpmn-js draws the version's BPMN, elements are marked done / open / overdue. The box spans the
// content's width and takes the height the diagram needs at a readable size (within the window); a diagram too wide
// to read whole is shown at a readable size around its current step, and "Whole diagram" shows all of it.
(function () {
  "use strict";
  var holder = document.getElementById("diagram");
  var source = document.getElementById("diagram-states");
  if (!holder || !source || typeof window.BpmnJS !== "function") {
    if (holder) { holder.setAttribute("data-state", "unavailable"); }
    return;
  }
  var READABLE = 0.65; // the smallest scale whose labels (12px at scale 1) people still read without zooming
  var CLOSE = 0.8; // the scale around the current step of a diagram too wide to read whole
  var PAD = 24; // pixels kept clear around the diagram
  var MIN_HEIGHT = 320;
  var info = JSON.parse(source.textContent);
  var viewer = new window.BpmnJS({ container: holder });
  var marked = [];
  var current = [];
  var mode = "current";

  function clamp(value, low, high) { return Math.max(low, Math.min(value, high)); }

  /** The box around the shapes `ids` names, in diagram coordinates; null when none is drawn. */
  function boundsOf(ids) {
    var registry = viewer.get("elementRegistry");
    var box = null;
    ids.forEach(function (id) {
      var shape = registry.get(id);
      if (!shape || shape.waypoints || typeof shape.width !== "number") { return; }
      var right = shape.x + shape.width;
      var bottom = shape.y + shape.height;
      box = box ? { x: Math.min(box.x, shape.x), y: Math.min(box.y, shape.y), right: Math.max(box.right, right),
                    bottom: Math.max(box.bottom, bottom) }
                : { x: shape.x, y: shape.y, right: right, bottom: bottom };
    });
    return box && { x: box.x, y: box.y, width: box.right - box.x, height: box.bottom - box.y };
  }

  /** Where a view of `size` diagram units starts so that it shows `focus` centred, without running far past the
   *  diagram's edges; a diagram smaller than the view is centred. */
  function start(low, extent, size, focus, pad) {
    if (extent + 2 * pad <= size) { return low - (size - extent) / 2; }
    return clamp(focus - size / 2, low - pad, low + extent + pad - size);
  }

  function layout() {
    var canvas = viewer.get("canvas");
    var inner = canvas.viewbox().inner;
    if (!inner.width || !inner.height) { return; }
    var width = holder.clientWidth;
    var tallest = Math.max(MIN_HEIGHT, Math.round(window.innerHeight * 0.8));
    var fitWidth = Math.min((width - 2 * PAD) / inner.width, 1);
    var scale = fitWidth;
    if (mode === "whole") {
      scale = Math.min(fitWidth, (tallest - 2 * PAD) / inner.height);
    } else if (fitWidth < READABLE) {
      scale = CLOSE;
    }
    var height = clamp(Math.ceil(inner.height * scale + 2 * PAD), MIN_HEIGHT, tallest);
    holder.style.height = height + "px";
    canvas.resized();
    var focus = (mode === "current" && boundsOf(current)) || inner;
    var viewWidth = width / scale;
    var viewHeight = height / scale;
    canvas.viewbox({
      x: start(inner.x, inner.width, viewWidth, focus.x + focus.width / 2, PAD / scale),
      y: start(inner.y, inner.height, viewHeight, focus.y + focus.height / 2, PAD / scale),
      width: viewWidth,
      height: viewHeight,
    });
    holder.setAttribute("data-zoom", mode);
  }

  function show(processId) {
    var diagram = info.diagrams.filter(function (d) { return d.process_id === processId; })[0];
    if (!diagram) { return; }
    holder.setAttribute("data-state", "loading");
    fetch(holder.getAttribute("data-url").replace("__P__", encodeURIComponent(processId)), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var overdue = (info.overdue || {})[processId] || [];
        marked = [];
        current = [];
        Object.keys(diagram.states).forEach(function (id) {
          if (!registry.get(id)) { return; }
          var state = overdue.indexOf(id) >= 0 ? "overdue" : diagram.states[id];
          canvas.addMarker(id, "state-" + state);
          marked.push(id);
          if (state === "active" || state === "overdue" || state === "error") { current.push(id); }
        });
        if (!current.length) { current = marked.slice(); } // a finished case: what it went through
        layout();
        holder.setAttribute("data-state", "ready");
        holder.setAttribute("data-marked", String(marked.length));
      })
      .catch(function () { holder.setAttribute("data-state", "failed"); });
  }

  document.querySelectorAll(".diagram-tabs .tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      document.querySelectorAll(".diagram-tabs .tab").forEach(function (t) { t.removeAttribute("aria-current"); });
      tab.setAttribute("aria-current", "page");
      show(tab.getAttribute("data-process"));
    });
  });
  document.querySelectorAll(".diagram-zoom [data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      mode = button.getAttribute("data-zoom");
      document.querySelectorAll(".diagram-zoom [data-zoom]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      if (holder.getAttribute("data-state") === "ready") { layout(); }
    });
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (holder.getAttribute("data-state") === "ready") { layout(); } }, 150);
  });
  if (info.diagrams.length) { show(info.diagrams[0].process_id); }
})();
