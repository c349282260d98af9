// A task's form shows a field only while the answers it names (its UI schema's ui:showWhen, rendered as
// data-show-when='{"f.unit_head_appears": ["true"]}') are given, and a star the schema asks for only under some
// answers (data-required-when, a list of such conditions) while they are. A hidden field's inputs are disabled, so
// the form does not send them; the server leaves them out too when the page runs without this script, where every
// field shows.
(function () {
  "use strict";

  function parse(element, attribute) {
    try { return JSON.parse(element.getAttribute(attribute)); } catch (e) { return null; }
  }

  /** The answers a field holds now, as the page sends them ("true", "staff"); none while it is hidden. */
  function answers(form, name) {
    var found = [];
    var controls = form.querySelectorAll("[name]");
    var same = [];
    for (var i = 0; i < controls.length; i++) {
      if (controls[i].name === name) { same.push(controls[i]); }
    }
    same.forEach(function (control) {
      if (control.hasAttribute("data-hidden-by-answer") || control.closest("[data-show-when][hidden]")) { return; }
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { found.push(control.value); }
      } else if (control.value.trim() !== "") {
        found.push(control.value.trim());
      }
    });
    // a single yes/no check box unticked is a "no"
    if (same.length === 1 && same[0].type === "checkbox" && same[0].value === "true" && !found.length &&
        !same[0].hasAttribute("data-hidden-by-answer") && !same[0].closest("[data-show-when][hidden]")) {
      found.push("false");
    }
    return found;
  }

  function met(form, condition) {
    if (!condition || typeof condition !== "object") { return true; }
    return Object.keys(condition).every(function (name) {
      var wanted = condition[name] || [];
      return answers(form, name).some(function (value) { return wanted.indexOf(value) >= 0; });
    });
  }

  function disableHidden(form) {
    form.querySelectorAll("input, select, textarea, button").forEach(function (control) {
      var off = !!control.closest("[data-show-when][hidden]");
      if (off && !control.disabled) {
        control.disabled = true;
        control.setAttribute("data-hidden-by-answer", "");
      } else if (!off && control.hasAttribute("data-hidden-by-answer")) {
        control.disabled = false;
        control.removeAttribute("data-hidden-by-answer");
      }
    });
  }

  function apply(form) {
    // a field hidden by an answer may itself decide another's visibility: settle in a few rounds
    for (var round = 0; round < 8; round++) {
      var changed = false;
      form.querySelectorAll("[data-show-when]").forEach(function (element) {
        var hide = !met(form, parse(element, "data-show-when"));
        if (hide !== element.hidden) {
          element.hidden = hide;
          changed = true;
        }
      });
      disableHidden(form);
      if (!changed) { break; }
    }
    form.querySelectorAll("[data-required-when]").forEach(function (star) {
      var conditions = parse(star, "data-required-when") || [];
      star.hidden = !conditions.some(function (condition) { return met(form, condition); });
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when], [data-required-when]")) { return; }
    apply(form);
    form.addEventListener("change", function () { apply(form); });
    form.addEventListener("input", function () { apply(form); });
    form.setAttribute("data-show-when-ready", "");
  });
})();
