// One-tap status updates (PROTOCOL.md §8) for what no radio call marks: parked, greeted, took
// over, entered VIP k, model house, left, an order done, and a manager's place on the rota. The
// hub checks each against the board; the tablet shows the hub's words for it (`tapped.words`),
// or the refusal in plain words.

import { h } from './dom.js';
import { icon } from './icons.js';

/** A button that taps `tap` (an object with its `kind`). */
export function tapButton(app, label, tap, { ico = 'check', cls = '' } = {}) {
  const button = h('button', {
    type: 'button',
    class: ['tap', cls],
    data: { tap: tap.kind },
    on: {
      click: async () => {
        button.disabled = true;
        try {
          await app.link.request({ type: 'tap', tap });
          // The hub's words for it come with the `tapped` event (see tablet.js).
        } catch (err) {
          app.refused(err);
        } finally {
          button.disabled = false;
        }
      },
    },
  }, icon(ico), label);
  return button;
}

/** A button that opens a quick action's form, filled for this row (a group, a room). */
export function callButton(app, kind, label, prefill, { ico = 'send', cls = '' } = {}) {
  const entry = app.entry(kind);
  if (!entry) return null;
  return h('button', {
    type: 'button',
    class: ['tap', 'call-action', cls],
    data: { call: kind },
    on: { click: () => app.form.open(entry, prefill) },
  }, icon(ico), label);
}
