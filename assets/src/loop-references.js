// SpiffWorkflow writes a multi-instance's collections as plain names (<loopDataInputRef>units</loopDataInputRef>).
// BPMN types them as references to elements, so the importer finds nothing to point at, warns and drops
// them; saving would then lose the collections. Point each at a detached item named like the field instead:
// it is written back as the same name.
const LOOP_REFERENCES = ["bpmn:loopDataInputRef", "bpmn:loopDataOutputRef"];

/** Restore the loop collections the import could not resolve; returns the warnings that remain. */
export function keepLoopReferences(warnings, moddle) {
  return (warnings || []).filter((warning) => {
    const { element, property, value } = warning;
    if (!element || !value || !LOOP_REFERENCES.includes(property)) {
      return true;
    }
    element.set(property.replace(/^bpmn:/, ""), moddle.create("bpmn:ItemAwareElement", { id: value }));
    return false;
  });
}
