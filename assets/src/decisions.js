// The decision editor page: a DMN file of the newest version in dmn-js, opened on the table of the decision the
// page names. Analysts edit the table (dmn-js Modeler) and Save it as a new version; everyone else gets the
// viewer. Validate sends the file to be checked without storing it. Nothing goes on window.
import DmnModeler from "dmn-js/lib/Modeler";
import DmnViewer from "dmn-js/lib/Viewer";

import { translate, translateModule } from "./i18n";
import { showVersion } from "./version-header";

const byId = (id) => document.getElementById(id);

function say(text, tone) {
  const status = byId("modeller-status");
  status.textContent = text;
  status.dataset.tone = tone || "info";
}

const MARKER = "validation-error";

/** Mark the cells of the rule a problem names (`rule`: the server words the message in the page's language); the
 * rule's first cell, or null. */
function markRule(error) {
  if (!error.rule) {
    return null;
  }
  const cells = byId("decision").querySelectorAll(`td[data-row-id="${CSS.escape(error.rule)}"]`);
  cells.forEach((cell) => cell.classList.add(MARKER));
  return cells[0] || null;
}

/** One line of the list: the rule (a button that shows it) or the decision, then the message. */
function problemLine(error) {
  const item = document.createElement("li");
  const cell = markRule(error);
  if (cell) {
    const show = document.createElement("button");
    show.type = "button";
    show.className = "link problem-element";
    show.dataset.rowId = cell.dataset.rowId;
    show.textContent = cell.dataset.rowId;
    show.title = translate("Show in the table");
    show.addEventListener("click", () => cell.scrollIntoView({ block: "center", inline: "nearest" }));
    item.append(show, document.createTextNode(": "));
  } else if (error.element_id) {
    const code = document.createElement("code");
    code.textContent = error.element_id;
    item.append(code, document.createTextNode(": "));
  }
  const message = document.createElement("span");
  message.className = "problem-message";
  message.textContent = error.message;
  item.appendChild(message);
  return item;
}

/** The problems the server found, one line each, their rules marked in the table. */
function showProblems(errors) {
  byId("decision").querySelectorAll(`.${MARKER}`).forEach((cell) => cell.classList.remove(MARKER));
  byId("errors").replaceChildren(...errors.map(problemLine));
  byId("validation").hidden = errors.length === 0;
}

async function send(url, xml, config) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/xml",
      "X-CSRF-Token": config.csrf,
      "X-Base-Version": String(config.version.id),
      Accept: "application/json",
    },
    body: xml,
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

function report(action, { status, body }, config) {
  const holder = byId("decision");
  if (status === 422) {
    const errors = body.errors || [];
    showProblems(errors);
    const template = action === "save" ? "{count} problem(s) found; nothing was saved." : "{count} problem(s) found.";
    say(translate(template, { count: errors.length }), "error");
  } else if (body.ok && body.version) {
    showProblems([]);
    config.version = body.version;
    showVersion(body.version);
    delete holder.dataset.dirty;
    const template = body.created ? "Saved as version {id}." : "Nothing changed; version {id} stays the newest.";
    say(body.message || translate(template, { id: body.version.id }), "ok");
  } else if (body.ok) {
    showProblems([]);
    say(translate("No problems found."), "ok");
  } else if (status === 409) {
    say(translate("Someone saved version {id} meanwhile; reload the page to edit it.", { id: body.latest }), "error");
  } else {
    say(translate("The server refused: {reason}", { reason: body.message || status }), "error");
  }
}

/** Mark the page dirty on any change made in a view (the table, or the DRD an analyst may switch to). */
function trackChanges(dmn) {
  const holder = byId("decision");
  const wired = new Set();
  const wire = () => {
    const viewer = dmn.getActiveViewer();
    if (!viewer || wired.has(viewer)) {
      return;
    }
    wired.add(viewer);
    viewer.get("eventBus").on("commandStack.changed", () => {
      holder.dataset.dirty = "true";
      say(translate("Unsaved changes."), "info");
    });
  };
  dmn.on("views.changed", wire);
  wire();
}

function wireButtons(dmn, config) {
  const holder = byId("decision");
  const buttons = [byId("validate"), byId("save")].filter(Boolean);
  async function run(action) {
    if (document.activeElement && document.activeElement.blur) {
      document.activeElement.blur(); // a cell being typed in commits on blur
    }
    buttons.forEach((button) => (button.disabled = true));
    holder.dataset.busy = "true";
    say(translate(action === "save" ? "Saving…" : "Checking…"), "info");
    try {
      const { xml } = await dmn.saveXML({ format: true });
      report(action, await send(config.urls[action], xml, config), config);
    } catch (err) {
      say(translate("The server could not be reached."), "error");
    } finally {
      buttons.forEach((button) => (button.disabled = false));
      delete holder.dataset.busy;
    }
  }
  buttons.forEach((button) => button.addEventListener("click", () => run(button.id)));
}

async function start() {
  const holder = byId("decision");
  const config = JSON.parse(byId("decision-config").textContent);
  const Editor = config.can_save ? DmnModeler : DmnViewer;
  say(translate("Loading the decision table…"), "info");
  try {
    const response = await fetch(config.urls.source, { credentials: "same-origin", headers: { Accept: "application/xml" } });
    if (!response.ok) {
      throw new Error(`${response.status} ${response.statusText}`);
    }
    const translated = { additionalModules: [translateModule] }; // per view: dmn-js drops common modules
    const dmn = new Editor({ container: holder, drd: translated, decisionTable: translated, literalExpression: translated });
    await dmn.importXML(await response.text());
    const view = dmn.getViews().find((v) => v.type === "decisionTable" && v.element.id === config.decision_id);
    if (!view) {
      throw new Error(translate("the file has no decision table {id}", { id: config.decision_id }));
    }
    await dmn.open(view);
    trackChanges(dmn);
    wireButtons(dmn, config);
    say("", "info");
    holder.dataset.state = "ready";
  } catch (err) {
    holder.dataset.state = "failed";
    say(translate("The decision table could not be loaded: {reason}", { reason: err.message }), "error");
  }
}

start();
