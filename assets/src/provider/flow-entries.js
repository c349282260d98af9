// Entries on the flow of a diagram: a sequence flow's condition, a multi-instance's collections and item
// variables, the role of a lane.
import { CheckboxEntry, SelectEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { setModdleProperty } from "./extensions";
import { areaEntry, textEntry } from "./factory";

function useServices() {
  return { bpmnFactory: useService("bpmnFactory"), commandStack: useService("commandStack") };
}

/** The body of a sequence flow's bpmn:conditionExpression (the expression removed when emptied). */
const byCondition = {
  get: (element) => {
    const expression = getBusinessObject(element).get("conditionExpression");
    return (expression && expression.get("body")) || "";
  },
  set: (services, element, props, value) => {
    const bo = getBusinessObject(element);
    const current = bo.get("conditionExpression");
    if (!value) {
      setModdleProperty(services, element, bo, { conditionExpression: undefined });
    } else if (current) {
      setModdleProperty(services, element, current, { body: value });
    } else {
      const created = services.bpmnFactory.create("bpmn:FormalExpression", { body: value });
      created.$parent = bo;
      setModdleProperty(services, element, bo, { conditionExpression: created });
    }
  },
};

/** The condition of a sequence flow. */
export const ConditionArea = areaEntry(byCondition, { layout: () => ({ monospace: true, rows: 2 }) });

function loopOf(element) {
  return getBusinessObject(element).get("loopCharacteristics");
}

/**
 * loopDataInputRef / loopDataOutputRef (props.reference): SpiffWorkflow reads the referenced name as a case data
 * field, so the reference points at a detached item whose id is that name (written back as the same text).
 */
const byLoopReference = {
  get: (element, props) => {
    const target = loopOf(element).get(props.reference);
    return (target && target.get("id")) || "";
  },
  set: (services, element, props, name) => {
    const target = name ? services.moddle.create("bpmn:ItemAwareElement", { id: name }) : undefined;
    setModdleProperty(services, element, loopOf(element), { [props.reference]: target });
  },
};

/** inputDataItem / outputDataItem (props.item, of props.type): the variable each instance sees its item under
 * (id and name alike). */
const byLoopItem = {
  get: (element, props) => {
    const found = loopOf(element).get(props.item);
    return (found && (found.get("name") || found.get("id"))) || "";
  },
  set: (services, element, props, name) => {
    let created;
    if (name) {
      created = services.bpmnFactory.create(props.type, { id: name, name });
      created.$parent = loopOf(element);
    }
    setModdleProperty(services, element, loopOf(element), { [props.item]: created });
  },
};

export const LoopReference = textEntry(byLoopReference, { trim: true });
export const LoopItem = textEntry(byLoopItem, { trim: true });

/** spiffworkflow:scriptsOnInstances: pre- and post-scripts run on every instance, not once around them. */
export function InstanceScripts(props) {
  const { element, id, label } = props;
  const translate = useService("translate");
  const services = useServices();
  return CheckboxEntry({
    element,
    id,
    label: translate(label),
    getValue: () => Boolean(loopOf(element).get("spiffworkflow:scriptsOnInstances")),
    setValue: (value) =>
      setModdleProperty(services, element, loopOf(element), { "spiffworkflow:scriptsOnInstances": value || undefined }),
  });
}

/** The role of a lane: the engine takes the lane's ID as the role of the tasks in it. */
export function LaneRole(props) {
  const { element, id, label, description } = props;
  const translate = useService("translate");
  const modeling = useService("modeling");
  const catalog = useService("spiffCatalog");
  const registry = useService("elementRegistry");
  const current = getBusinessObject(element).get("id");
  const taken = (value) => value !== current && Boolean(registry.get(value));
  return SelectEntry({
    element,
    id,
    label: translate(label),
    description: translate(description),
    getValue: () => current,
    validate: (value) => (taken(value) ? translate("Another lane already has this role.") : null),
    getOptions: () => {
      const roles = catalog.roles || [];
      const options = roles.map((role) => ({ value: role, label: role }));
      if (!roles.includes(current)) {
        options.unshift({ value: current, label: translate("{name} (not found)", { name: current }) });
      }
      return options;
    },
    setValue: (value) => {
      if (value && value !== current && !taken(value)) {
        modeling.updateProperties(element, { id: value });
      }
    },
  });
}
