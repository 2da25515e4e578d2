// The calls still waiting for their 收到: escalated ones first (the supervisor must act), then
// re-called ones, then the oldest; each with its sentence (the hub's), its age and whom it still
// waits for. At most CAP are drawn; each call's item is kept and only redrawn when it changed.

import { hubNow, seconds } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, reconcile, setText } from './dom.js';

const CAP = 30;

export class CallsView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('open-calls');
    this.count = document.getElementById('calls-count');
    this.more = document.getElementById('calls-more');
    this.items = new Map(); // call id → item
  }

  render() {
    const calls = [...this.app.board.calls.values()];
    for (const id of this.items.keys()) {
      if (!this.app.board.calls.has(id)) this.items.delete(id);
    }
    calls.sort((a, b) => urgency(b) - urgency(a) || a.placed_at - b.placed_at || a.call_id - b.call_id);
    const shown = calls.slice(0, CAP).map((c) => this.item(c).el);
    reconcile(this.list, shown);
    if (calls.length === 0) {
      this.list.replaceChildren(h('li', { class: 'calm' }, '✓ 所有呼叫都已应答'));
    }
    const escalated = calls.filter((c) => c.escalated).length;
    setText(this.count, calls.length === 0 ? '' : `共 ${calls.length} 个${escalated ? ` · ▲ 升级 ${escalated} 个` : ''}`);
    this.count.classList.toggle('urgent', escalated > 0);
    this.more.hidden = calls.length <= CAP;
    if (calls.length > CAP) setText(this.more, `还有 ${calls.length - CAP} 个较新的呼叫`);
    this.tick();
  }

  item(c) {
    let item = this.items.get(c.call_id);
    if (!item) {
      const flag = h('span', { class: 'call-flag' });
      const age = h('span', { class: 'call-age' });
      const wait = h('span', { class: 'call-wait' });
      const sentence = h('p', { class: 'call-sentence' }, c.sentence);
      const el = h('li', { class: 'call', dataset: { call: c.call_id } },
        h('p', { class: 'call-top' }, flag, age, wait),
        sentence);
      item = { el, flag, age, wait, call: c, sig: '', shown: '' };
      this.items.set(c.call_id, item);
    }
    item.call = c;
    const sig = `${c.attempt}|${c.escalated}|${c.awaiting.join(',')}|${c.target_offline}`;
    if (sig !== item.sig) {
      item.sig = sig;
      const level = c.escalated ? 'escalated' : c.attempt > 1 ? 'repeated' : 'waiting';
      item.el.dataset.urgency = level;
      item.el.dataset.escalated = c.escalated ? 'yes' : 'no';
      setText(item.flag, c.escalated
        ? `▲ 已升级 · 第${c.attempt}次`
        : c.attempt > 1 ? `↻ 第${c.attempt}次呼叫` : '等待收到');
      const waiting = c.awaiting.map(postName).join('、');
      setText(item.wait, c.target_offline && c.awaiting.length <= 1
        ? `✕ ${waiting || '对方'}不在线`
        : waiting ? `等 ${waiting}` : '');
      item.wait.classList.toggle('offline', Boolean(c.target_offline));
    }
    return item;
  }

  tick() {
    const now = hubNow();
    for (const el of this.list.children) {
      const item = this.items.get(Number(el.dataset.call));
      if (!item) continue;
      const text = `◷ ${seconds(now - item.call.placed_at)}`;
      if (text !== item.shown) {
        item.shown = text;
        setText(item.age, text);
      }
    }
  }
}

function urgency(c) {
  return (c.escalated ? 2 : 0) + (c.attempt > 1 ? 1 : 0);
}
