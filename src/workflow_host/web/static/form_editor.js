// The form editor: the preview follows the typing (rendered by the server, as a task page renders it);
// Save deploys the two files as a new version.
(function () {
  "use strict";
  var form = document.getElementById("form-editor");
  if (!form) { return; }
  var preview = document.getElementById("form-preview");
  var problems = document.getElementById("form-problems");
  var status = document.getElementById("form-status");
  var timer = null;

  function post(url) {
    return fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); });
  }

  function showProblems(list) {
    problems.textContent = "";
    (list || []).forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      problems.appendChild(item);
    });
  }

  // the header's version facts follow a save (the page would otherwise show the version it was opened on)
  function showVersion(version) {
    var fields = { "version-id": "id", "version-revision": "revision", "version-deployed-at": "deployed_at",
                   "version-deployed-by": "deployed_by" };
    Object.keys(fields).forEach(function (id) {
      var holder = document.getElementById(id);
      var value = version[fields[id]];
      if (holder && value !== undefined && value !== null) { holder.textContent = String(value); }
    });
    document.getElementById("version-id").setAttribute("data-version-id", String(version.id));
  }

  function refresh() {
    preview.setAttribute("data-state", "loading");
    post(form.getAttribute("data-preview")).then(function (answer) {
      showProblems(answer.body.problems);
      if (!answer.body.problems || !answer.body.problems.length) { preview.innerHTML = answer.body.html; }
      preview.setAttribute("data-state", answer.body.problems && answer.body.problems.length ? "invalid" : "ready");
    });
  }

  form.addEventListener("input", function () {
    form.setAttribute("data-dirty", "true"); // unsaved.js asks before the page is left
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  var save = document.getElementById("save-form");
  if (save) {
    save.addEventListener("click", function () {
      post(form.getAttribute("data-save")).then(function (answer) {
        var body = answer.body;
        if (body.ok) {
          form.removeAttribute("data-dirty");
          showProblems([]);
          showVersion(body.version);
          status.textContent = body.message;
          status.setAttribute("data-tone", "ok");
        } else {
          showProblems((body.errors || []).map(function (e) { return e.message; }).concat(body.errors ? [] : [body.message]));
          status.setAttribute("data-tone", "error");
        }
      });
    });
  }
})();
