/**
 * A tiny element builder. Text only ever goes in as text nodes, so whatever a commenter typed
 * can never become markup: there is no innerHTML anywhere in the widget.
 */
export type Child = Node | string | null | undefined | false;
export type Attributes = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Attributes | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (attributes) {
    for (const name of Object.keys(attributes)) {
      const value = attributes[name];
      if (value === true) element.setAttribute(name, '');
      else if (typeof value === 'string') element.setAttribute(name, value);
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}
