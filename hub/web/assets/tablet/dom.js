// Building the page from plain DOM: elements made with createElement and text set as text, so
// nothing from the network is ever read as HTML (the CSP forbids inline code besides).

/**
 * `h('button', {class: 'big', on: {click}, data: {id: 3}, attrs: {'aria-pressed': 'true'}},
 * 'text', child)`: an element. Children are nodes or strings (text); null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'data') for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    else if (key === 'attrs') for (const [k, v] of Object.entries(value)) el.setAttribute(k, v);
    else if (key === 'on') for (const [k, v] of Object.entries(value)) el.addEventListener(k, v);
    else if (key in el) el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Keeps `container`'s children in step with `items` by key: new items get `make(item)`, kept
 * ones `update(el, item)`, gone ones are removed — so a list that a screen reader follows
 * (aria-live) announces only what is new.
 */
export function keyed(container, items, key, make, update) {
  const old = new Map();
  for (const el of [...container.children]) old.set(el.dataset.key, el);
  let before = container.firstElementChild;
  for (const item of items) {
    const k = String(key(item));
    let el = old.get(k);
    if (el) {
      old.delete(k);
      update?.(el, item);
    } else {
      el = make(item);
      el.dataset.key = k;
    }
    if (el !== before) container.insertBefore(el, before);
    else before = before.nextElementSibling;
  }
  for (const el of old.values()) el.remove();
}

/**
 * What an element shows and does, as a string: tags, classes, data, text — leaving out the
 * live "…前" times, which the ticker keeps current in place. Two trees with the same shape need
 * no redraw, so a button under a finger is not swapped for a new one by an unrelated event.
 */
export function shape(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.data;
  if (node.nodeType !== Node.ELEMENT_NODE) return '';
  if (node.dataset?.since) return '<time>';
  let out = `<${node.tagName} ${node.getAttribute('class') ?? ''} ${JSON.stringify({ ...node.dataset })}`
    + `${node.disabled ? ' disabled' : ''}${node.getAttribute('aria-pressed') ?? ''}>`;
  for (const child of node.childNodes) out += shape(child);
  return out;
}

/** Puts `parts` in `root`, replacing only those whose shape changed. */
export function patch(root, parts) {
  const old = [...root.children];
  parts.forEach((part, i) => {
    const was = old[i];
    if (!was) root.append(part);
    else if (shape(was) !== shape(part)) was.replaceWith(part);
  });
  for (const extra of old.slice(parts.length)) extra.remove();
}
