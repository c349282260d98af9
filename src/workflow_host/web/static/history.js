// The step slider: show the number while dragging, load that moment when let go. One button opens (or closes)
// every event's list of changes at once.
(function () {
  "use strict";
  var form = document.getElementById("moment-form");
  var slider = document.getElementById("at");
  var shown = document.getElementById("at-value");
  if (form && slider) {
    slider.addEventListener("input", function () { shown.textContent = slider.value + " / " + slider.max; });
    slider.addEventListener("change", function () { form.submit(); });
  }
  var toggle = document.getElementById("open-all");
  if (!toggle) { return; }
  toggle.addEventListener("click", function () {
    var opening = toggle.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll(".timeline details").forEach(function (details) { details.open = opening; });
    toggle.setAttribute("aria-pressed", opening ? "true" : "false");
    toggle.textContent = toggle.getAttribute(opening ? "data-close" : "data-open");
  });
})();
