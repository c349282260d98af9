// A warning before leaving an editor (modeller, form editor, decision editor, a task's form) with unsaved
// changes. The editor marks its element [data-unsaved-warning] with data-dirty while it holds changes (a form
// with data-dirty-on-input is marked as soon as anything in it is typed or changed); following a link or sending
// another form of the page then asks first (in the page's language), and closing or reloading the tab gets the
// browser's own question. Sending the editor's own form (save, complete) is never asked about.
(function () {
  "use strict";

  function dirtyEditor() {
    return document.querySelector("[data-unsaved-warning][data-dirty]");
  }

  /** Ask before leaving; true when the user chose to leave (the page is then no longer guarded). */
  function mayLeave() {
    var editor = dirtyEditor();
    if (!editor) { return true; }
    if (window.confirm(editor.getAttribute("data-unsaved-warning"))) {
      delete editor.dataset.dirty; // asked once: the browser's question would repeat it
      return true;
    }
    return false;
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirtyEditor()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || link.target === "_blank" || link.hasAttribute("download")) { return; }
    // a click that opens the link in another tab or window leaves this page (and its changes) where they are
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    if ((link.getAttribute("href") || "").charAt(0) === "#") { return; }
    if (!mayLeave()) { event.preventDefault(); }
  }, true);

  function markTyped(event) {
    var form = event.target && event.target.closest ? event.target.closest("form[data-dirty-on-input]") : null;
    if (form && form.hasAttribute("data-unsaved-warning")) { form.dataset.dirty = ""; }
  }
  document.addEventListener("input", markTyped, true);
  document.addEventListener("change", markTyped, true);

  document.addEventListener("submit", function (event) {
    var editor = dirtyEditor();
    if (!editor) { return; }
    if (editor.contains(event.target)) {
      // a task's form sent (draft, complete): what was typed goes with it, so leaving is no loss
      if (editor.hasAttribute("data-dirty-on-input")) { delete editor.dataset.dirty; }
      return;
    }
    if (!mayLeave()) { event.preventDefault(); }
  }, true);
})();
