// The properties groups SpiffWorkflow needs beside the standard BPMN ones: forms and assignment of a user task,
// instructions, scripts, the called decision and process, a flow's condition, a lane's role, and the
// collections of a multi-instance (added to the standard multi-instance group).
import { Group } from "@bpmn-io/properties-panel";
import { getBusinessObject, is, isAny } from "bpmn-js/lib/util/ModelUtil";

import {
  AttributeArea,
  DecisionLink,
  AttributeSelect,
  ExtensionArea,
  ExtensionSelect,
  PropertyField,
  PropertySelect,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "./entries";
import { ConditionArea, InstanceScripts, LaneRole, LoopItem, LoopReference } from "./flow-entries";

const UI_OF_SCHEMA = {
  list: "ui_forms",
  property: "formUiSchemaFilename",
  derive: (schema) => (schema.endsWith(".schema.json") ? schema.replace(/\.schema\.json$/, ".uischema.json") : ""),
};

const FORM_ENTRIES = [
  {
    id: "spiff-form-schema",
    component: PropertySelect,
    isEdited: isSelectEntryEdited,
    label: "Form (JSON Schema)",
    property: "formJsonSchemaFilename",
    list: "forms",
    companion: UI_OF_SCHEMA,
  },
  {
    id: "spiff-form-ui",
    component: PropertySelect,
    isEdited: isSelectEntryEdited,
    label: "Form layout (UI schema)",
    property: "formUiSchemaFilename",
    list: "ui_forms",
  },
  {
    id: "spiff-candidate-units",
    component: PropertyField,
    isEdited: isTextFieldEntryEdited,
    label: "Units from the case data field",
    description: "A field of the case data holding a unit code or a list of them (e.g. handling_units).",
    property: "candidateUnitsVariable",
  },
  {
    id: "spiff-candidate-roles",
    component: PropertyField,
    isEdited: isTextFieldEntryEdited,
    label: "Roles from the case data field",
    description: "A field of the case data holding a role or a list of roles.",
    property: "candidateRolesVariable",
  },
  {
    id: "spiff-due-date",
    component: PropertyField,
    isEdited: isTextFieldEntryEdited,
    label: "Due date from the case data field",
    description: "A field of the case data holding the date this step is due.",
    property: "dueDateVariable",
  },
  {
    id: "spiff-deadline",
    component: PropertyField,
    isEdited: isTextFieldEntryEdited,
    label: "Statutory deadline from the case data field",
    property: "deadline",
  },
];

const LOOP_ENTRIES = [
  {
    id: "spiff-loop-input",
    component: LoopReference,
    isEdited: isTextFieldEntryEdited,
    label: "Input collection",
    description: "A case data field holding a list: one instance per item.",
    reference: "loopDataInputRef",
  },
  {
    id: "spiff-loop-input-item",
    component: LoopItem,
    isEdited: isTextFieldEntryEdited,
    label: "Element variable",
    description: "The name under which each instance sees its item.",
    item: "inputDataItem",
    type: "bpmn:DataInput",
  },
  {
    id: "spiff-loop-output",
    component: LoopReference,
    isEdited: isTextFieldEntryEdited,
    label: "Output collection",
    reference: "loopDataOutputRef",
  },
  {
    id: "spiff-loop-output-item",
    component: LoopItem,
    isEdited: isTextFieldEntryEdited,
    label: "Output element variable",
    item: "outputDataItem",
    type: "bpmn:DataOutput",
  },
  { id: "spiff-loop-scripts", component: InstanceScripts, label: "Run pre- and post-scripts for each instance" },
];

function group(translate, id, label, entries) {
  return { id, label: translate(label), component: Group, entries };
}

function isConditional(element) {
  const source = getBusinessObject(element).get("sourceRef");
  return (
    Boolean(getBusinessObject(element).get("conditionExpression")) ||
    isAny(source, ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway", "bpmn:ComplexGateway", "bpmn:Activity"])
  );
}

/** This project's groups for one element, in the order they are shown (after the general group). */
function ownGroups(element, translate) {
  const groups = [];
  const area = (id, label, extension, extra) => ({
    id,
    component: ExtensionArea,
    isEdited: isTextAreaEntryEdited,
    label,
    extension,
    ...extra,
  });
  if (is(element, "bpmn:Lane")) {
    groups.push(
      group(translate, "spiff-lane", "Role", [
        {
          id: "spiff-lane-role",
          component: LaneRole,
          isEdited: isSelectEntryEdited,
          label: "Role of this lane",
          description: "The role whose holders take the tasks in this lane; it becomes the lane's ID.",
        },
      ])
    );
  }
  if (is(element, "bpmn:UserTask")) {
    groups.push(group(translate, "spiff-form", "Form and assignment", FORM_ENTRIES));
  }
  if (isAny(element, ["bpmn:UserTask", "bpmn:ManualTask"])) {
    groups.push(
      group(translate, "spiff-instructions", "Instructions for the user", [
        area("spiff-instructions-text", "Instructions for the user", "spiffworkflow:InstructionsForEndUser", {
          description: "Shown above the form; Markdown is allowed.",
        }),
      ])
    );
  }
  if (is(element, "bpmn:ScriptTask")) {
    groups.push(
      group(translate, "spiff-script", "Script", [
        {
          id: "spiff-script-text",
          component: AttributeArea,
          isEdited: isTextAreaEntryEdited,
          label: "Script",
          description: "Python run on the case data; the restricted script environment applies.",
          attribute: "script",
        },
      ])
    );
  }
  if (is(element, "bpmn:BusinessRuleTask")) {
    groups.push(
      group(translate, "spiff-decision", "Called decision", [
        {
          id: "spiff-called-decision",
          component: ExtensionSelect,
          isEdited: isSelectEntryEdited,
          label: "Decision table (DMN)",
          extension: "spiffworkflow:CalledDecisionId",
          list: "decisions",
        },
        { id: "spiff-open-decision", component: DecisionLink, extension: "spiffworkflow:CalledDecisionId" },
      ])
    );
  }
  if (is(element, "bpmn:CallActivity")) {
    groups.push(
      group(translate, "spiff-called-process", "Called process", [
        {
          id: "spiff-called-element",
          component: AttributeSelect,
          isEdited: isSelectEntryEdited,
          label: "Process",
          attribute: "calledElement",
          list: "processes",
        },
      ])
    );
  }
  if (is(element, "bpmn:SequenceFlow") && isConditional(element)) {
    groups.push(
      group(translate, "spiff-condition", "Condition", [
        {
          id: "spiff-condition-expression",
          component: ConditionArea,
          isEdited: isTextAreaEntryEdited,
          label: "Condition expression",
          description:
            "A Python expression over the case data, e.g. outcome == 'lost'. Leave empty for an unconditional flow.",
        },
      ])
    );
  }
  if (is(element, "bpmn:Activity")) {
    groups.push(
      group(translate, "spiff-scripts", "Pre- and post-scripts", [
        area("spiff-pre-script", "Before the step (preScript)", "spiffworkflow:PreScript", { monospace: true }),
        area("spiff-post-script", "After the step (postScript)", "spiffworkflow:PostScript", { monospace: true }),
      ])
    );
  }
  return groups;
}

function addLoopEntries(groups, element) {
  const loop = getBusinessObject(element).get("loopCharacteristics");
  const multi = groups.find((g) => g.id === "multiInstance");
  if (multi && is(loop, "bpmn:MultiInstanceLoopCharacteristics")) {
    multi.entries = [...LOOP_ENTRIES, ...multi.entries];
  }
}

export class SpiffPropertiesProvider {
  constructor(propertiesPanel, translate) {
    this._translate = translate;
    propertiesPanel.registerProvider(500, this); // after the standard BPMN provider (1000)
  }

  getGroups(element) {
    return (groups) => {
      addLoopEntries(groups, element);
      const general = groups.findIndex((g) => g.id === "general");
      groups.splice(general + 1, 0, ...ownGroups(element, this._translate));
      return groups;
    };
  }
}

SpiffPropertiesProvider.$inject = ["propertiesPanel", "translate"];

/** The diagram-js module: the provider, the catalogue of forms/decisions/processes/roles it offers, and the
 * pages it links to (a called decision's editor). */
export function spiffPropertiesModule(catalog, urls) {
  return {
    __init__: ["spiffPropertiesProvider"],
    spiffPropertiesProvider: ["type", SpiffPropertiesProvider],
    spiffCatalog: ["value", catalog],
    spiffUrls: ["value", urls || {}],
  };
}
