// The problems validation found: listed under the canvas, each element marked on the canvas and selectable
// from its line of the list.
import { translate } from "./i18n";

const MARKER = "validation-error";

export class Problems {
  constructor(modeler, section, list) {
    this._canvas = modeler.get("canvas");
    this._registry = modeler.get("elementRegistry");
    this._selection = modeler.get("selection");
    this._section = section;
    this._list = list;
    this._marked = [];
  }

  clear() {
    this._marked.forEach((id) => {
      if (this._registry.get(id)) {
        this._canvas.removeMarker(id, MARKER);
      }
    });
    this._marked = [];
    this._list.replaceChildren();
    this._section.hidden = true;
  }

  show(errors) {
    this.clear();
    errors.forEach((error) => this._list.appendChild(this._line(error)));
    this._section.hidden = errors.length === 0;
  }

  /** Put the element in view and select it, so the properties panel shows it. */
  reveal(id) {
    const element = this._registry.get(id);
    if (!element) {
      return;
    }
    if (element !== this._canvas.getRootElement()) {
      this._canvas.scrollToElement(element);
    }
    this._selection.select(element);
  }

  _line(error) {
    const item = document.createElement("li");
    const element = error.element_id ? this._registry.get(error.element_id) : null;
    if (element) {
      this._canvas.addMarker(element, MARKER);
      this._marked.push(element.id);
      const link = document.createElement("button");
      link.type = "button";
      link.className = "link problem-element";
      link.dataset.elementId = element.id;
      link.title = translate("Show on the diagram");
      const name = element.businessObject && element.businessObject.name;
      link.textContent = name ? `${name} (${element.id})` : element.id;
      link.addEventListener("click", () => this.reveal(element.id));
      item.append(link, document.createTextNode(": "));
    } else if (error.element_id) {
      const code = document.createElement("code");
      code.textContent = error.element_id;
      item.append(code, document.createTextNode(": "));
    }
    const message = document.createElement("span");
    message.className = "problem-message";
    message.textContent = error.message;
    item.appendChild(message);
    if (error.line) {
      const where = document.createElement("small");
      where.textContent = ` (${[error.file, translate("line {line}", { line: error.line })].filter(Boolean).join(", ")})`;
      item.appendChild(where);
    }
    return item;
  }
}
