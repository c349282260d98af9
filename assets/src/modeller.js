// The modeller page: bpmn-js with the properties panel and SpiffWorkflow's extensions; Validate sends the
// diagram to be checked, Save (analysts) checks it and stores it as a new version. Nothing goes on window.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";

import { translate, translateModule } from "./i18n";
import { keepLoopReferences } from "./loop-references";
import { Problems } from "./problems";
import { spiffPropertiesModule } from "./provider/index";
import { showVersion } from "./version-header";
import spiffworkflow from "./spiffworkflow.json";

const byId = (id) => document.getElementById(id);
const OPEN_GROUPS = ["general", "spiff-lane", "spiff-form", "spiff-script", "spiff-decision", "spiff-called-process",
  "spiff-condition", "multiInstance", "timer"];

async function fetchOk(url, kind) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: kind } });
  if (!response.ok) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  return response;
}

/** POST the diagram (with the version it was opened on); the answer's status and JSON body. */
async function send(url, xml, csrf, baseVersion) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/xml",
      "X-CSRF-Token": csrf,
      "X-Base-Version": String(baseVersion),
      Accept: "application/json",
    },
    body: xml,
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

/** Show the whole diagram, clear of the palette on the canvas's left. */
function fitBesidePalette(canvas, container) {
  const pad = 16;
  const palette = container.querySelector(".djs-palette");
  const left = palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left : 0;
  const { inner } = canvas.viewbox();
  const width = Math.max(container.clientWidth - left - 2 * pad, 100);
  const height = Math.max(container.clientHeight - 2 * pad, 100);
  const scale = Math.min(width / inner.width, height / inner.height, 1);
  canvas.viewbox({
    x: inner.x - (left + pad) / scale,
    y: inner.y - (pad + (height - inner.height * scale) / 2) / scale,
    width: container.clientWidth / scale,
    height: container.clientHeight / scale,
  });
}

function say(text, tone) {
  const status = byId("modeller-status");
  status.textContent = text;
  status.dataset.tone = tone || "info";
}

function wire(modeler, config, problems) {
  const holder = byId("canvas");
  const buttons = [byId("validate"), byId("save")].filter(Boolean);
  modeler.on("commandStack.changed", () => {
    holder.dataset.dirty = "true";
    say(translate("Unsaved changes."), "info");
  });

  async function run(action) {
    if (document.activeElement && document.activeElement.blur) {
      document.activeElement.blur(); // the properties panel commits a field's pending input on blur
    }
    buttons.forEach((button) => (button.disabled = true));
    holder.dataset.busy = "true";
    say(translate(action === "save" ? "Saving…" : "Checking…"), "info");
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const answer = await send(config.urls[action], xml, config.csrf, config.version.id);
      report(action, answer);
    } catch (err) {
      say(translate("The server could not be reached."), "error");
    } finally {
      buttons.forEach((button) => (button.disabled = false));
      delete holder.dataset.busy;
    }
  }

  function report(action, { status, body }) {
    const errors = body.errors || [];
    if (status === 422) {
      problems.show(errors);
      const template = action === "save" ? "{count} problem(s) found; nothing was saved." : "{count} problem(s) found.";
      say(translate(template, { count: errors.length }), "error");
    } else if (body.ok && body.version) {
      problems.clear();
      config.version = Object.assign({}, config.version, body.version);
      showVersion(body.version);
      delete holder.dataset.dirty;
      const template = body.created ? "Saved as version {id}." : "Nothing changed; version {id} stays the newest.";
      say(body.message || translate(template, { id: body.version.id }), "ok");
    } else if (body.ok) {
      problems.clear();
      say(translate("No problems found."), "ok");
    } else if (status === 409) {
      say(translate("Someone saved version {id} meanwhile; reload the page to edit it.", { id: body.latest }), "error");
    } else {
      say(translate("The server refused: {reason}", { reason: body.message || status }), "error");
    }
  }

  byId("validate").addEventListener("click", () => run("validate"));
  if (byId("save")) {
    byId("save").addEventListener("click", () => run("save"));
  }
}

async function start() {
  const holder = byId("canvas");
  const config = JSON.parse(byId("modeller-config").textContent);
  say(translate("Loading the diagram…"), "info");
  try {
    const [xml, catalog] = await Promise.all([
      fetchOk(config.urls.source, "application/xml").then((r) => r.text()),
      fetchOk(config.urls.catalog, "application/json").then((r) => r.json()),
    ]);
    const modeler = new Modeler({
      container: holder,
      propertiesPanel: {
        parent: byId("properties"),
        layout: { groups: Object.fromEntries(OPEN_GROUPS.map((id) => [id, { open: true }])) },
      },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        spiffPropertiesModule(catalog, config.urls),
        translateModule,
      ],
      moddleExtensions: { spiffworkflow },
    });
    const { warnings } = await modeler.importXML(xml);
    keepLoopReferences(warnings, modeler.get("moddle"));
    fitBesidePalette(modeler.get("canvas"), holder);
    wire(modeler, config, new Problems(modeler, byId("validation"), byId("errors")));
    say("", "info");
    holder.dataset.state = "ready";
  } catch (err) {
    holder.dataset.state = "failed";
    say(translate("The diagram could not be loaded: {reason}", { reason: err.message }), "error");
  }
}

start();
