// The entry components of this project's properties groups. Each is a module-level component configured by
// the entry's own fields (the panel passes an entry's fields as props), so an entry keeps its identity and
// its focus while the panel re-renders.
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { extensionText, propertyValue, setExtensionText, setModdleProperty, setPropertyValue } from "./extensions";

function useCommon() {
  return {
    translate: useService("translate"),
    debounce: useService("debounceInput"),
    services: { bpmnFactory: useService("bpmnFactory"), commandStack: useService("commandStack") },
  };
}

/** Options of a select: none, the catalogue's names, and the current value even when the catalogue lacks it. */
function choices(translate, names, current) {
  const options = [{ value: "", label: translate("<none>") }];
  (names || []).forEach((name) => options.push({ value: name, label: name }));
  if (current && !(names || []).includes(current)) {
    options.push({ value: current, label: translate("{name} (not found)", { name: current }) });
  }
  return options;
}

function describe(translate, description) {
  return description ? translate(description) : undefined;
}

/** A spiffworkflow:property typed in. */
export function PropertyField(props) {
  const { element, id, label, description, property } = props;
  const { translate, debounce, services } = useCommon();
  return TextFieldEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    debounce,
    getValue: () => propertyValue(element, property),
    setValue: (value) => setPropertyValue(services, element, property, (value || "").trim()),
  });
}

/** A spiffworkflow:property chosen from a list of the catalogue (forms/, the UI schemas). */
export function PropertySelect(props) {
  const { element, id, label, description, property, list, companion } = props;
  const { translate, services } = useCommon();
  const catalog = useService("spiffCatalog");
  return SelectEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    getValue: () => propertyValue(element, property),
    getOptions: () => choices(translate, catalog[list], propertyValue(element, property)),
    setValue: (value) => {
      setPropertyValue(services, element, property, value);
      const paired = companion && companion.derive(value || "");
      if (paired && (catalog[companion.list] || []).includes(paired)) {
        setPropertyValue(services, element, companion.property, paired);
      }
    },
  });
}

/** The text of a body-only spiffworkflow extension (instructions, scripts). */
export function ExtensionArea(props) {
  const { element, id, label, description, extension, monospace } = props;
  const { translate, debounce, services } = useCommon();
  return TextAreaEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    debounce,
    monospace,
    rows: monospace ? 4 : 3,
    getValue: () => extensionText(element, extension),
    setValue: (value) => setExtensionText(services, element, extension, value || ""),
  });
}

/** A body-only spiffworkflow extension chosen from a list of the catalogue (spiffworkflow:calledDecisionId). */
export function ExtensionSelect(props) {
  const { element, id, label, description, extension, list } = props;
  const { translate, services } = useCommon();
  const catalog = useService("spiffCatalog");
  return SelectEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    getValue: () => extensionText(element, extension),
    getOptions: () => choices(translate, catalog[list], extensionText(element, extension)),
    setValue: (value) => setExtensionText(services, element, extension, value || ""),
  });
}

/** An attribute of the element chosen from a list of the catalogue (calledElement of a call activity). */
export function AttributeSelect(props) {
  const { element, id, label, description, attribute, list } = props;
  const { translate, services } = useCommon();
  const catalog = useService("spiffCatalog");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    getValue: () => bo.get(attribute) || "",
    getOptions: () => choices(translate, catalog[list], bo.get(attribute)),
    setValue: (value) => setModdleProperty(services, element, bo, { [attribute]: value || undefined }),
  });
}

/** A text attribute of the element written in a monospaced area (the script of a script task). */
export function AttributeArea(props) {
  const { element, id, label, description, attribute } = props;
  const { translate, debounce, services } = useCommon();
  const bo = getBusinessObject(element);
  return TextAreaEntry({
    element,
    id,
    label: translate(label),
    description: describe(translate, description),
    debounce,
    monospace: true,
    rows: 6,
    getValue: () => bo.get(attribute) || "",
    setValue: (value) => setModdleProperty(services, element, bo, { [attribute]: value || undefined }),
  });
}

/** A link from a business rule task to the editor of the decision table it calls (when that decision exists). */
export function DecisionLink(props) {
  const { element, id, extension } = props;
  const translate = useService("translate");
  const catalog = useService("spiffCatalog");
  const urls = useService("spiffUrls");
  const decision = extensionText(element, extension);
  if (!decision || !urls.decision || !(catalog.decisions || []).includes(decision)) {
    return null;
  }
  const href = urls.decision.replace("__decision__", encodeURIComponent(decision));
  const link = jsx("a", { id: "spiff-open-decision", href, children: translate("Open the decision table") });
  return jsx("div", { class: "bio-properties-panel-entry", "data-entry-id": id, children: link });
}

export { isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited };
