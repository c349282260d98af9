// The case diagram: bpmn-js draws the version's BPMN, elements are marked done / open / overdue.
(function () {
  "use strict";
  var holder = document.getElementById("diagram");
  var source = document.getElementById("diagram-states");
  if (!holder || !source || typeof window.BpmnJS !== "function") {
    if (holder) { holder.setAttribute("data-state", "unavailable"); }
    return;
  }
  var info = JSON.parse(source.textContent);
  var viewer = new window.BpmnJS({ container: holder });
  var marked = [];

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
        Object.keys(diagram.states).forEach(function (id) {
          if (!registry.get(id)) { return; }
          var state = overdue.indexOf(id) >= 0 ? "overdue" : diagram.states[id];
          canvas.addMarker(id, "state-" + state);
          marked.push(id);
        });
        canvas.zoom("fit-viewport", "auto");
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
  if (info.diagrams.length) { show(info.diagrams[0].process_id); }
})();
