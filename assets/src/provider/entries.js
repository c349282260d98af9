// The entry components of this project's properties groups, by where their value lives: a spiffworkflow:property
// (forms, assignment), a body-only extension (instructions, scripts, the called decision) or an attribute of the
// element (the called process, a script task's script). Made by the factory (./factory.js).
import { isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { extensionText, propertyValue, setExtensionText, setModdleProperty, setPropertyValue } from "./extensions";
import { areaEntry, selectEntry, textEntry } from "./factory";

/** A spiffworkflow:property named by props.property. */
const byProperty = {
  get: (element, props) => propertyValue(element, props.property),
  set: (services, element, props, value) => setPropertyValue(services, element, props.property, value),
};

/** The text of the body-only spiffworkflow extension named by props.extension. */
const byExtension = {
  get: (element, props) => extensionText(element, props.extension),
  set: (services, element, props, value) => setExtensionText(services, element, props.extension, value),
};

/** The attribute of the element named by props.attribute (removed when empty). */
const byAttribute = {
  get: (element, props) => getBusinessObject(element).get(props.attribute) || "",
  set: (services, element, props, value) =>
    setModdleProperty(services, element, getBusinessObject(element), { [props.attribute]: value || undefined }),
};

/** A spiffworkflow:property typed in. */
export const PropertyField = textEntry(byProperty, { trim: true });

/** A spiffworkflow:property chosen from a list of the catalogue (forms/, the UI schemas). */
export const PropertySelect = selectEntry(byProperty);

/** The text of a body-only spiffworkflow extension (instructions, scripts). */
export const ExtensionArea = areaEntry(byExtension, {
  layout: (props) => ({ monospace: props.monospace, rows: props.monospace ? 4 : 3 }),
});

/** A body-only spiffworkflow extension chosen from a list of the catalogue (spiffworkflow:calledDecisionId). */
export const ExtensionSelect = selectEntry(byExtension);

/** An attribute of the element chosen from a list of the catalogue (calledElement of a call activity). */
export const AttributeSelect = selectEntry(byAttribute);

/** A text attribute of the element written in a monospaced area (the script of a script task). */
export const AttributeArea = areaEntry(byAttribute, { layout: () => ({ monospace: true, rows: 6 }) });

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
