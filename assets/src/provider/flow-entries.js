// Entries on the flow of a diagram: a sequence flow's condition, a multi-instance's collections and item
// variables, the role of a lane.
import { CheckboxEntry, SelectEntry, TextAreaEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { setModdleProperty } from "./extensions";

function useServices() {
  return { bpmnFactory: useService("bpmnFactory"), commandStack: useService("commandStack") };
}

/** The condition of a sequence flow: the body of its bpmn:conditionExpression. */
export function ConditionArea(props) {
  const { element, id, label, description } = props;
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  const services = useServices();
  const bo = getBusinessObject(element);
  return TextAreaEntry({
    element,
    id,
    label: translate(label),
    description: translate(description),
    debounce,
    monospace: true,
    rows: 2,
    getValue: () => (bo.get("conditionExpression") && bo.get("conditionExpression").get("body")) || "",
    setValue: (value) => {
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
  });
}

function loopOf(element) {
  return getBusinessObject(element).get("loopCharacteristics");
}

/**
 * loopDataInputRef / loopDataOutputRef: SpiffWorkflow reads the referenced name as a case data field, so the
 * reference points at a detached item whose id is that name (written back as the same text).
 */
export function LoopReference(props) {
  const { element, id, label, description, reference } = props;
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  const moddle = useService("moddle");
  const services = useServices();
  return TextFieldEntry({
    element,
    id,
    label: translate(label),
    description: description ? translate(description) : undefined,
    debounce,
    getValue: () => {
      const target = loopOf(element).get(reference);
      return (target && target.get("id")) || "";
    },
    setValue: (value) => {
      const name = (value || "").trim();
      const target = name ? moddle.create("bpmn:ItemAwareElement", { id: name }) : undefined;
      setModdleProperty(services, element, loopOf(element), { [reference]: target });
    },
  });
}

/** inputDataItem / outputDataItem: the variable each instance sees its item under (id and name alike). */
export function LoopItem(props) {
  const { element, id, label, description, item, type } = props;
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  const services = useServices();
  return TextFieldEntry({
    element,
    id,
    label: translate(label),
    description: description ? translate(description) : undefined,
    debounce,
    getValue: () => {
      const found = loopOf(element).get(item);
      return (found && (found.get("name") || found.get("id"))) || "";
    },
    setValue: (value) => {
      const name = (value || "").trim();
      let created;
      if (name) {
        created = services.bpmnFactory.create(type, { id: name, name });
        created.$parent = loopOf(element);
      }
      setModdleProperty(services, element, loopOf(element), { [item]: created });
    },
  });
}

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
