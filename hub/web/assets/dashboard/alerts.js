// The strip across the top: what needs the supervisor now — the hub's alarms, each with a
// button to resolve it (the `resolve_alert` tap), and the escalated calls. A single calm line
// when there is nothing.

import { ago, hubNow, seconds } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, reconcile, setText } from './dom.js';
import { ALERT_WORDS } from './words.js';

/** Items shown in the strip (one row); the rest are counted, and shown on asking (up to MORE). */
const CAP = 3;
const MORE = 30;

export class AlertsView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('alarms');
    // Announced to a screen reader when they change (the counts, not every second's age).
    this.calm = h('p', { class: 'all-well', role: 'status' });
    this.titleText = h('span', { role: 'status' });
    this.title = h('h2', { class: 'alarms-title' }, this.titleText);
    this.list = h('ul', { class: 'alarm-list' });
    this.more = h('button', { type: 'button', class: 'more-alarms', onclick: () => this.toggle() });
    this.expanded = false;
    this.items = new Map(); // 'alert:<id>' or 'call:<id>' → item
  }

  render() {
    const board = this.app.board;
    const alerts = [...board.alerts.values()].sort((a, b) => a.raised_at - b.raised_at);
    const escalated = [...board.calls.values()]
      .filter((c) => c.escalated)
      .sort((a, b) => a.placed_at - b.placed_at);
    const total = alerts.length + escalated.length;
    this.root.dataset.level = total ? 'alarm' : 'calm';
    if (!total) {
      this.items.clear();
      // A heads-up that is not an alarm yet (the rota running short) is not "all well".
      const headsUp = board.rota?.short_since != null;
      this.calm.dataset.headsUp = headsUp ? 'yes' : 'no';
      setText(this.calm, headsUp
        ? '✓ 没有警报，没有升级的呼叫 · 留意：门口待命的经理不足两位（见接访轮序）'
        : '✓ 一切正常：没有警报，没有升级的呼叫');
      if (this.root.firstChild !== this.calm || this.root.childNodes.length !== 1) this.root.replaceChildren(this.calm);
      return;
    }
    if (this.root.firstChild !== this.title) {
      this.title.append(this.more);
      this.root.replaceChildren(this.title, this.list);
    }
    const parts = [];
    if (alerts.length) {
      const kinds = new Map();
      for (const a of alerts) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
      const each = kinds.size > 1 || alerts.length > CAP
        ? `（${[...kinds].map(([k, n]) => `${ALERT_WORDS[k] ?? k} ${n}`).join('、')}）`
        : '';
      parts.push(`警报 ${alerts.length} 条${each}`);
    }
    if (escalated.length) parts.push(`升级呼叫 ${escalated.length} 个`);
    setText(this.titleText, `⚠ 需要处理：${parts.join('，')}`);

    const cap = this.expanded ? MORE : CAP;
    const keep = new Set();
    const shown = [];
    for (const a of alerts) {
      if (shown.length >= cap) break;
      shown.push(this.alertItem(a, keep).el);
    }
    for (const c of escalated) {
      if (shown.length >= cap) break;
      shown.push(this.callItem(c, keep).el);
    }
    for (const key of this.items.keys()) if (!keep.has(key)) this.items.delete(key);
    reconcile(this.list, shown);
    this.list.classList.toggle('expanded', this.expanded);
    this.more.hidden = total <= CAP;
    setText(this.more, this.expanded ? '▴ 只看最早的 3 条' : `▾ 还有 ${total - CAP} 条：全部显示`);
    this.tick();
  }

  alertItem(a, keep) {
    const key = `alert:${a.id}`;
    keep.add(key);
    let item = this.items.get(key);
    if (item && item.alert === a) return item;
    const button = h('button', { type: 'button', class: 'resolve', onclick: () => this.resolve(a.id, item) }, '✓ 已处理');
    const error = h('p', { class: 'alarm-error', role: 'alert', hidden: true });
    const age = h('span', { class: 'alarm-age' });
    const el = h('li', { class: 'alarm', dataset: { alert: a.id, kind: a.kind } },
      h('p', { class: 'alarm-kind' },
        h('span', {}, `⚠ ${ALERT_WORDS[a.kind] ?? a.kind}`),
        age,
        a.to?.length ? h('span', { class: 'alarm-to' }, `通知 ${a.to.map(postName).join('、')}`) : null),
      h('p', { class: 'alarm-text' }, a.text),
      button,
      error);
    if (item) item.el.replaceWith(el);
    item = { el, button, error, age, alert: a, at: a.raised_at, agoText: ago, shown: '' };
    this.items.set(key, item);
    return item;
  }

  callItem(c, keep) {
    const key = `call:${c.call_id}`;
    keep.add(key);
    const waiting = c.awaiting.map(postName).join('、');
    const sig = `${c.attempt}|${waiting}`;
    let item = this.items.get(key);
    if (item && item.sig === sig) return item;
    const age = h('span', { class: 'alarm-age' });
    const el = h('li', { class: 'alarm escalated', dataset: { call: c.call_id } },
      h('p', { class: 'alarm-kind' },
        h('span', {}, `▲ 升级呼叫 · 第${c.attempt}次`),
        age,
        waiting ? h('span', { class: 'alarm-to' }, `仍在等 ${waiting}`) : null),
      h('p', { class: 'alarm-text' }, c.sentence));
    if (item) item.el.replaceWith(el);
    item = { el, age, at: c.placed_at, agoText: (ms) => `已等 ${seconds(ms)}`, sig, shown: '' };
    this.items.set(key, item);
    return item;
  }

  toggle() {
    this.expanded = !this.expanded;
    this.render();
  }

  async resolve(id, item) {
    const current = this.items.get(`alert:${id}`) ?? item;
    current.button.disabled = true;
    setText(current.button, '处理中…');
    current.error.hidden = true;
    try {
      await this.app.request({ type: 'tap', tap: { kind: 'resolve_alert', alert: id } });
      // The hub's `alert_resolved` takes it off the board (and off this strip).
    } catch (e) {
      current.button.disabled = false;
      setText(current.button, '✓ 已处理');
      current.error.hidden = false;
      setText(current.error, e.message || '没有成功，请再试一次');
    }
  }

  tick() {
    const now = hubNow();
    for (const item of this.items.values()) {
      const text = item.agoText(now - item.at);
      if (text !== item.shown) {
        item.shown = text;
        setText(item.age, text);
      }
    }
  }
}
