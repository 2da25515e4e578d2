// The visitor groups as columns by stage, each card saying who, how many, appointment or not,
// the manager, the room and how long the group has been in its stage — slow stages marked, groups
// with an alarm marked harder. Groups that left or were declined are counted in the "today done"
// strip below.
//
// Drawn incrementally: only the groups an event named are redrawn, a column is re-sorted only
// when one of its groups came, went or changed, and a column shows at most CAP cards (the
// rest are counted), so a site with hundreds of groups stays a few hundred nodes.

import { hubNow, minutes } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, reconcile, setText } from './dom.js';
import { ALERT_SHORT, COLUMNS, OVER, SLOW_AFTER, groupName, stageSince } from './words.js';

/** Cards shown per column; the rest are counted under it. */
const CAP = 25;
/** Groups named in the "today done" strip. */
const DONE_NAMED = 6;

const COLUMN_OF = new Map();
for (const c of COLUMNS) for (const s of c.stages) COLUMN_OF.set(s, c.key);

/** Alert kinds that name a group (`kind:<visit id>`). */
const VISIT_ALERTS = ['not_greeted', 'no_room_free', 'walk_in_not_arrived'];

export class VisitorsView {
  constructor(app) {
    this.app = app;
    this.cards = new Map(); // visit id → card
    this.columns = new Map(); // column key → {el, list, count, more, members: Set<card>, dirty}
    this.changed = new Set();
    this.full = true;
    this.alerted = new Map(); // visit id → what the alarm is about, in a word
    const root = document.getElementById('columns');
    for (const c of COLUMNS) {
      const count = h('span', { class: 'count' }, '0');
      const list = h('ol', { class: 'cards' });
      const more = h('p', { class: 'more', hidden: true });
      const el = h(
        'section',
        { class: 'column', dataset: { column: c.key } },
        h('h3', { class: 'column-head' }, h('span', {}, c.title), count),
        list,
        more,
      );
      root.append(el);
      this.columns.set(c.key, { el, list, count, more, members: new Set(), dirty: true });
    }
    this.done = document.getElementById('done');
    this.summary = document.getElementById('flow-summary');
  }

  /** The groups an event named (a snapshot: all of them). */
  touched(id) {
    this.changed.add(id);
  }

  reset() {
    this.full = true;
  }

  /** The alarms changed: groups that gained or lost one are redrawn. */
  alertsChanged() {
    const now = new Map();
    for (const a of this.app.board.alerts.values()) {
      const [kind, id] = String(a.id).split(':');
      if (VISIT_ALERTS.includes(kind)) now.set(Number(id), ALERT_SHORT[kind] ?? kind);
    }
    for (const id of new Set([...now.keys(), ...this.alerted.keys()])) {
      if (now.get(id) !== this.alerted.get(id)) this.changed.add(id);
    }
    this.alerted = now;
  }

  render() {
    const board = this.app.board;
    if (this.full) {
      this.full = false;
      for (const id of this.cards.keys()) this.changed.add(id);
      for (const id of board.visitors.keys()) this.changed.add(id);
      this.alertsChanged();
    }
    // Any group changed: the counts (here, done today) are counted again — a few hundred
    // objects, no DOM.
    const doneChanged = this.changed.size > 0;
    for (const id of this.changed) {
      const v = board.visitors.get(id);
      let card = this.cards.get(id);
      if (!v || OVER.includes(v.stage)) {
        if (card) {
          this.leave(card);
          this.cards.delete(id);
        }
        continue;
      }
      if (!card) {
        card = this.make(id);
        this.cards.set(id, card);
      }
      const alarm = this.alerted.get(id) ?? null;
      if (card.v !== v || card.alarm !== alarm) {
        card.v = v;
        card.alarm = alarm;
        this.fillCard(card);
      }
      const col = COLUMN_OF.get(v.stage) ?? 'with_manager';
      const since = stageSince(v);
      if (card.col !== col) {
        if (card.col) this.leave(card);
        card.col = col;
        const column = this.columns.get(col);
        column.members.add(card);
        column.dirty = true;
      } else if (card.since !== since) {
        this.columns.get(col).dirty = true;
      }
      card.since = since;
    }
    this.changed.clear();
    for (const column of this.columns.values()) {
      if (column.dirty) this.sortColumn(column);
    }
    if (doneChanged) this.renderDone();
    this.tick();
  }

  leave(card) {
    const column = this.columns.get(card.col);
    if (!column) return;
    column.members.delete(card);
    column.dirty = true;
    card.col = null;
  }

  make(id) {
    const name = h('span', { class: 'v-name' });
    const party = h('span', { class: 'v-party' });
    const kind = h('span', { class: 'tag' });
    const manager = h('span', { class: 'v-manager' });
    const room = h('span', { class: 'v-room' });
    const note = h('p', { class: 'v-note' });
    const mark = h('span', { class: 'v-mark', 'aria-hidden': 'true' }, '◷');
    const time = h('span', { class: 'v-time' });
    const flag = h('span', { class: 'v-flag' });
    const button = h(
      'button',
      { type: 'button', class: 'visit-button', onclick: () => this.app.openVisitor(id) },
      h('p', { class: 'v-who' }, name, party),
      h('p', { class: 'v-meta' }, kind, manager, room),
      note,
      h('p', { class: 'v-clock' }, mark, time, flag),
    );
    const el = h('li', { class: 'visit', dataset: { visit: id } }, button);
    return { id, el, name, party, kind, manager, room, note, time, flag, v: null, alarm: null, col: null, since: 0, shown: '' };
  }

  fillCard(card) {
    const v = card.v;
    card.el.dataset.stage = v.stage;
    setText(card.name, groupName(v));
    card.name.classList.toggle('unnamed', v.who == null);
    setText(card.party, v.party != null ? `${v.party}人` : '');
    setText(card.kind, v.appointment ? '预约' : '非预约');
    card.kind.className = v.appointment ? 'tag tag-appt' : 'tag tag-walk';
    setText(card.manager, v.manager ? postName(v.manager).replace('大客户经理', '经理 ') : '无经理');
    card.manager.classList.toggle('missing', !v.manager);
    setText(card.room, v.room != null ? `VIP${v.room}` : '');
    let note = '';
    if (card.alarm) note = `⚠ ${card.alarm}`;
    else if (v.stage === 'awaiting_reception') note = v.reception_ok ? '接待中心：可以接待' : '等接待中心答复';
    else if (v.stage === 'parking' && v.times?.parked) note = '已停车，步行到门口';
    else if (v.stage === 'with_manager' && v.times?.room_requested && v.room == null) note = '已申请VIP室';
    setText(card.note, note);
    card.note.hidden = note === '';
    card.shown = ''; // the time line is redrawn by the tick
  }

  sortColumn(column) {
    column.dirty = false;
    const all = [...column.members].sort((a, b) => a.since - b.since || a.id - b.id);
    reconcile(column.list, all.slice(0, CAP).map((c) => c.el));
    setText(column.count, String(all.length));
    const hidden = all.length - CAP;
    column.more.hidden = hidden <= 0;
    if (hidden > 0) setText(column.more, `还有 ${hidden} 组（较新）`);
    column.el.classList.toggle('empty', all.length === 0);
  }

  renderDone() {
    const board = this.app.board;
    let left = 0;
    let declined = 0;
    let groups = 0;
    let people = 0;
    const over = [];
    for (const v of board.visitors.values()) {
      if (v.stage === 'left') left += 1;
      else if (v.stage === 'declined') declined += 1;
      else {
        groups += 1;
        people += v.party ?? 0;
        continue;
      }
      over.push(v);
    }
    setText(this.summary, `在场 ${groups} 组 · ${people} 人`);
    over.sort((a, b) => endOf(b) - endOf(a));
    const named = over.slice(0, DONE_NAMED);
    const key = `${left}|${declined}|${named.map((v) => `${v.id}:${v.who}`).join(',')}`;
    if (key === this.doneShown) return;
    this.doneShown = key;
    const chips = named.map((v) =>
      h(
        'button',
        { type: 'button', class: `done-chip ${v.stage}`, dataset: { visit: v.id }, onclick: () => this.app.openVisitor(v.id) },
        `${v.stage === 'left' ? '✓' : '✕'} ${groupName(v)}${v.party != null ? ` ${v.party}人` : ''}`,
      ));
    this.done.replaceChildren(
      h('span', { class: 'done-title' }, '今日已完成'),
      h('span', { class: 'done-count' }, `✓ 已离开 ${left} 组`),
      h('span', { class: 'done-count' }, `✕ 已婉拒 ${declined} 组`),
      ...chips,
    );
  }

  /** Redraws the times on the cards shown, and the slow marks. */
  tick() {
    const now = hubNow();
    for (const column of this.columns.values()) {
      for (const el of column.list.children) {
        const card = this.cards.get(Number(el.dataset.visit));
        if (!card) continue;
        const spent = now - card.since;
        const slow = spent >= (SLOW_AFTER[card.v.stage] ?? Infinity);
        const state = card.alarm ? 'alarm' : slow ? 'slow' : 'ok';
        const shown = `${state}|${minutes(spent)}`;
        if (shown === card.shown) continue;
        card.shown = shown;
        setText(card.time, minutes(spent));
        setText(card.flag, state === 'slow' ? '较久' : ''); // an alarm says itself on the note line
        if (card.el.dataset.state !== state) card.el.dataset.state = state;
      }
    }
  }
}

function endOf(v) {
  return v.times?.left ?? v.times?.declined ?? 0;
}
