// Quick actions: one big button for each call this post makes (the hub's `catalogue` for this
// station), each opening its short form. The bare hail and 【其他】 free text come last, smaller.

import { h, fill } from './dom.js';
import { icon } from './icons.js';
import { CALL_LABEL, SECONDARY_CALLS } from './words.js';

const ICON = {
  walk_in_query: 'person', heading_in: 'door', appointment_arrived: 'door', arrival_broadcast: 'wave',
  vip_request: 'room', vip_ready: 'room', vip_departing: 'exit', drinks: 'cup', id_copy: 'list',
  documents: 'list', restock: 'cup', clear_room: 'room', room_cleared: 'check', see_off: 'exit',
  taxi: 'car', taxi_arrived: 'car', model_house_ready: 'up', guests_down: 'door', shuttle: 'car',
  assign: 'person', line_up: 'wave', hail: 'wave', free: 'keyboard',
};

export function renderQuick(app) {
  const box = document.getElementById('quick-list');
  const calls = app.catalogue?.calls ?? [];
  const button = (entry) => h('button', {
    type: 'button',
    class: ['quick-action', SECONDARY_CALLS.has(entry.kind) ? 'secondary' : null],
    data: { kind: entry.kind },
    on: { click: () => app.form.open(entry) },
  }, icon(ICON[entry.kind] ?? 'send'), h('span', { text: CALL_LABEL[entry.kind] ?? entry.kind }));
  fill(box,
    calls.filter((e) => !SECONDARY_CALLS.has(e.kind)).map(button),
    calls.filter((e) => SECONDARY_CALLS.has(e.kind)).map(button));
}
