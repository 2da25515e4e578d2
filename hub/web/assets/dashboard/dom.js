// Building the dashboard's DOM by hand: elements with properties and text, never HTML from a
// string (nothing from the network is parsed as markup).

/**
 * `h('li', {class: 'call', dataset: {call: 5}}, '文字', child)`: an element. Attributes are set as
 * properties (`class` → className, `dataset`, `style` only from code), children are nodes or text.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Sets an element's text only when it changed (no layout work for nothing). */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Replaces all of an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Puts `wanted` (elements, in order) as `list`'s children, moving only what is out of place, and
 * removes the rest: a list re-sorted by one item costs one move, not a rebuild.
 */
export function reconcile(list, wanted) {
  let i = 0;
  for (const el of wanted) {
    const at = list.children[i];
    if (at !== el) list.insertBefore(el, at ?? null);
    i += 1;
  }
  while (list.children.length > wanted.length) list.lastElementChild.remove();
}
