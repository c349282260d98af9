// Entry components made from an accessor: the text, area and select entries of this project's groups differ
// only in where their value lives (a spiffworkflow:property, a body-only extension, an attribute, a condition,
// a loop reference…) and in a few layout options. An accessor says where:
//   { get(element, props, services) → string, set(services, element, props, value) }
// Each component is made once at module level, so an entry keeps its identity and focus while the panel
// re-renders; the panel passes an entry's own fields (id, label, description, property, list…) as props.
import { SelectEntry, TextAreaEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

/** The services every entry needs: translate, the input debounce, and what commands are made with. */
function useCommon() {
  return {
    translate: useService("translate"),
    debounce: useService("debounceInput"),
    services: {
      bpmnFactory: useService("bpmnFactory"),
      commandStack: useService("commandStack"),
      moddle: useService("moddle"),
    },
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

function common(props, translate) {
  const { element, id, label, description } = props;
  return { element, id, label: translate(label), description: description ? translate(description) : undefined };
}

/**
 * A typed-in entry: `Entry` is TextFieldEntry or TextAreaEntry, `layout(props)` adds its options (monospace,
 * rows), `trim` trims what is typed before it is stored.
 */
function typedEntry(Entry, access, { layout = () => ({}), trim = false } = {}) {
  return function TypedEntry(props) {
    const { translate, debounce, services } = useCommon();
    const { element } = props;
    return Entry({
      ...common(props, translate),
      debounce,
      ...layout(props),
      getValue: () => access.get(element, props, services),
      setValue: (value) => access.set(services, element, props, trim ? (value || "").trim() : value || ""),
    });
  };
}

/** A one-line entry typed in. */
export function textEntry(access, options) {
  return typedEntry(TextFieldEntry, access, options);
}

/** A multi-line entry typed in. */
export function areaEntry(access, options) {
  return typedEntry(TextAreaEntry, access, options);
}

/**
 * An entry chosen from a list of the catalogue (props.list). A `companion` ({list, property, derive}) of a
 * property entry fills the paired property when the catalogue has the derived value: choosing a form's schema
 * brings its layout file along.
 */
export function selectEntry(access) {
  return function ChoiceEntry(props) {
    const { translate, services } = useCommon();
    const catalog = useService("spiffCatalog");
    const { element, list, companion } = props;
    return SelectEntry({
      ...common(props, translate),
      getValue: () => access.get(element, props, services),
      getOptions: () => choices(translate, catalog[list], access.get(element, props, services)),
      setValue: (value) => {
        access.set(services, element, props, value || "");
        const paired = companion && companion.derive(value || "");
        if (paired && (catalog[companion.list] || []).includes(paired)) {
          access.set(services, element, { ...props, property: companion.property }, paired);
        }
      },
    });
  };
}
