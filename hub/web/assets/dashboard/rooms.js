// The VIP room board — each room's state (mark and word), the group in it, its manager and
// since when — and the open service orders, oldest first.

import { hubNow, shortMinutes } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, setText } from './dom.js';
import { ORDER_STATES, ORDER_WORDS, ROOM_STATES, groupName } from './words.js';

/** A room to clear for longer than this wants attention (the hub alarms at 10 minutes). */
const CLEAR_SLOW_MS = 10 * 60_000;
/** Orders listed. */
const ORDERS_SHOWN = 4;
/** An order not answered 收到 for this long is marked slow (the hub alarms at 10 minutes). */
const ORDER_SLOW_MS = 5 * 60_000;

export class RoomsView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('rooms');
    this.orders = document.getElementById('orders');
    this.rows = new Map(); // room number → {el, parts…, room, visit, shown}
    this.ticks = 0;
  }

  render() {
    const rooms = [...this.app.board.rooms.values()].sort((a, b) => a.room - b.room);
    const wanted = new Set(rooms.map((r) => r.room));
    for (const [k, row] of this.rows) {
      if (!wanted.has(k)) {
        row.el.remove();
        this.rows.delete(k);
      }
    }
    for (const r of rooms) {
      let row = this.rows.get(r.room);
      if (!row) {
        row = this.make(r.room);
        this.rows.set(r.room, row);
      }
      const visit = r.visit != null ? this.app.board.visitors.get(r.visit) ?? null : null;
      if (row.room !== r || row.visit !== visit) {
        row.room = r;
        row.visit = visit;
        this.fill(row);
      }
      this.list.append(row.el); // in order (a no-op move when it is already last)
    }
    this.renderOrders();
    this.tick();
  }

  make(k) {
    const state = h('span', { class: 'room-state' });
    const who = h('span', { class: 'room-who' });
    const since = h('span', { class: 'room-since' });
    const el = h('li', { class: 'room', dataset: { room: k } },
      h('span', { class: 'room-name' }, `VIP${k}`),
      state,
      who,
      since);
    return { el, state, who, since, room: null, visit: null, shown: '' };
  }

  fill(row) {
    const r = row.room;
    const s = ROOM_STATES[r.state] ?? { mark: '?', word: r.state };
    row.el.dataset.state = r.state;
    setText(row.state, `${s.mark} ${s.word}`);
    const visit = row.visit;
    const parts = [];
    if (visit) parts.push(`${groupName(visit)}${visit.party != null ? ` ${visit.party}人` : ''}`);
    if (r.manager) parts.push(postName(r.manager).replace('大客户经理', ''));
    // A free room says so in its state (○ 空闲): one line, so the orders below fit the big screen.
    setText(row.who, parts.join(' · '));
    row.shown = '';
  }

  tick() {
    this.ticks += 1;
    if (this.ticks % 10 === 0) this.renderOrders(); // the orders' ages
    const now = hubNow();
    for (const row of this.rows.values()) {
      const r = row.room;
      if (!r) continue;
      const spent = r.since ? now - r.since : null;
      const slow = r.state === 'to_clear' && spent != null && spent >= CLEAR_SLOW_MS;
      const text = spent == null || r.state === 'free' ? '' : `◷ ${shortMinutes(spent)}`;
      const shown = `${text}|${slow}`;
      if (shown === row.shown) continue;
      row.shown = shown;
      setText(row.since, slow ? `${text} 较久` : text);
      row.el.classList.toggle('slow', slow);
    }
  }

  renderOrders() {
    const open = [...this.app.board.orders.values()]
      .filter((o) => o.state !== 'done')
      .sort((a, b) => a.asked_at - b.asked_at);
    const now = hubNow();
    const items = open.slice(0, ORDERS_SHOWN).map((o) => {
      const st = ORDER_STATES[o.state] ?? { mark: '?', word: o.state };
      const slow = o.state === 'asked' && now - o.asked_at >= ORDER_SLOW_MS;
      const detail = o.detail || ORDER_WORDS[o.kind] || o.kind;
      return h('li', { class: 'order', dataset: { order: o.id, state: o.state, slow: slow ? 'yes' : 'no' } },
        h('span', { class: 'order-state' }, `${st.mark} ${st.word}`),
        h('span', { class: 'order-owed' }, postName(o.owed_by)),
        h('span', { class: 'order-detail', title: detail }, detail),
        o.room != null && !String(o.detail).includes(`VIP${o.room}`) ? h('span', { class: 'order-room' }, `VIP${o.room}`) : null,
        h('span', { class: 'order-age' }, shortMinutes(now - o.asked_at)));
    });
    if (open.length > ORDERS_SHOWN) {
      items.push(h('li', { class: 'more' }, `还有 ${open.length - ORDERS_SHOWN} 单`));
    }
    if (items.length === 0) items.push(h('li', { class: 'calm' }, '✓ 没有未完成的服务单'));
    this.orders.replaceChildren(...items);
  }
}
