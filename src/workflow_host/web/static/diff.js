// Two versions side by side: added and changed elements marked on the new one, removed and changed on the old.
(function () {
  "use strict";
  var source = document.getElementById("diff-data");
  if (!source || typeof window.BpmnJS !== "function") { return; }
  var diff = JSON.parse(source.textContent);

  function show(holderId, marks) {
    var holder = document.getElementById(holderId);
    if (!holder) { return; }
    var viewer = new window.BpmnJS({ container: holder });
    fetch(holder.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var count = 0;
        Object.keys(marks).forEach(function (kind) {
          marks[kind].forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, "diff-" + kind); count += 1; }
          });
        });
        canvas.zoom("fit-viewport", "auto");
        holder.setAttribute("data-state", "ready");
        holder.setAttribute("data-marked", String(count));
      })
      .catch(function () { holder.setAttribute("data-state", "failed"); });
  }

  show("diagram-old", { removed: diff.removed, changed: diff.changed });
  show("diagram-new", { added: diff.added, changed: diff.changed });
})();
