// The step slider: show the number while dragging, load that moment when let go.
(function () {
  "use strict";
  var form = document.getElementById("moment-form");
  var slider = document.getElementById("at");
  var shown = document.getElementById("at-value");
  if (!form || !slider) { return; }
  slider.addEventListener("input", function () { shown.textContent = slider.value + " / " + slider.max; });
  slider.addEventListener("change", function () { form.submit(); });
})();
