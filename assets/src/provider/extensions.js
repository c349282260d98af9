// Reading and writing the spiffworkflow extension elements of a BPMN element, each change one undoable command.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

const MULTI = "properties-panel.multi-command-executor";
const UPDATE = "element.updateModdleProperties";

function update(element, moddleElement, properties) {
  return { cmd: UPDATE, context: { element, moddleElement, properties } };
}

/** The extension elements of `bo` of the given type (all of them when type is omitted). */
export function extensionsOf(bo, type) {
  const container = bo.get("extensionElements");
  const values = (container && container.get("values")) || [];
  return type ? values.filter((value) => is(value, type)) : values;
}

/** Commands that give `bo` an extension element `created` (adding bpmn:extensionElements when missing). */
function addCommands(element, bo, created, bpmnFactory) {
  const commands = [];
  let container = bo.get("extensionElements");
  if (!container) {
    container = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    container.$parent = bo;
    commands.push(update(element, bo, { extensionElements: container }));
  }
  created.$parent = container;
  commands.push(update(element, container, { values: [...container.get("values"), created] }));
  return commands;
}

function removeCommand(element, bo, removed) {
  const container = bo.get("extensionElements");
  return update(element, container, { values: container.get("values").filter((value) => value !== removed) });
}

/** The text of a body-only extension (spiffworkflow:PreScript, InstructionsForEndUser, …), or "". */
export function extensionText(element, type) {
  const found = extensionsOf(getBusinessObject(element), type)[0];
  return (found && found.get("text")) || "";
}

/** Set, change or (for an empty text) remove a body-only extension element. */
export function setExtensionText(services, element, type, text) {
  const { bpmnFactory, commandStack } = services;
  const bo = getBusinessObject(element);
  const found = extensionsOf(bo, type)[0];
  let commands;
  if (!text) {
    commands = found ? [removeCommand(element, bo, found)] : [];
  } else if (found) {
    commands = [update(element, found, { text })];
  } else {
    commands = addCommands(element, bo, bpmnFactory.create(type, { text }), bpmnFactory);
  }
  if (commands.length) {
    commandStack.execute(MULTI, commands);
  }
}

function propertyEntry(bo, name) {
  for (const properties of extensionsOf(bo, "spiffworkflow:Properties")) {
    const found = (properties.get("entries") || []).find((entry) => entry.get("name") === name);
    if (found) {
      return { properties, entry: found };
    }
  }
  return { properties: extensionsOf(bo, "spiffworkflow:Properties")[0], entry: null };
}

/** The value of a spiffworkflow:property (formJsonSchemaFilename, dueDateVariable, …), or "". */
export function propertyValue(element, name) {
  const { entry } = propertyEntry(getBusinessObject(element), name);
  return (entry && entry.get("value")) || "";
}

/** Set, change or (for an empty value) remove one spiffworkflow:property. */
export function setPropertyValue(services, element, name, value) {
  const { bpmnFactory, commandStack } = services;
  const bo = getBusinessObject(element);
  const { properties, entry } = propertyEntry(bo, name);
  const commands = [];
  if (!value) {
    if (entry) {
      commands.push(update(element, properties, { entries: properties.get("entries").filter((e) => e !== entry) }));
    }
  } else if (entry) {
    commands.push(update(element, entry, { value }));
  } else {
    let target = properties;
    if (!target) {
      target = bpmnFactory.create("spiffworkflow:Properties", { entries: [] });
      commands.push(...addCommands(element, bo, target, bpmnFactory));
    }
    const created = bpmnFactory.create("spiffworkflow:Property", { name, value });
    created.$parent = target;
    commands.push(update(element, target, { entries: [...target.get("entries"), created] }));
  }
  if (commands.length) {
    commandStack.execute(MULTI, commands);
  }
}

/** Set a plain property of a moddle element (a business object, a loop characteristics, a data item). */
export function setModdleProperty(services, element, moddleElement, properties) {
  services.commandStack.execute(UPDATE, { element, moddleElement, properties });
}
