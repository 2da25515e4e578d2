// Today's figures, from the hub's `report` (PROTOCOL.md §10): groups by appointment, walk-in and
// declined; gate→door and gate→VIP times; answer times per post; turns per manager; repeats and
// escalations. Asked for every 30 s, and soon after something that changes them (a group
// arriving somewhere, a call answered or escalated) — never more than one request at a time.

import { briefSpan, clockSeconds, hubNow } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, setText } from './dom.js';

const EVERY_MS = 30_000;
/** After something that matters, the report is asked again this soon (but not sooner). */
const SOON_MS = 3_000;
/** Answer times slower than the hub's re-call deadline (8 s by default) are marked. */
const SLOW_ANSWER_MS = 8_000;
const POSTS_SHOWN = 6;

export class FiguresView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('figures');
    this.at = document.getElementById('figures-at');
    this.report = null;
    this.asking = false;
    this.timer = null;
    this.lastAsked = 0;
    this.again = false;
  }

  /** Starts asking (after a welcome); asks at once. */
  start() {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.ask(), EVERY_MS);
    this.ask();
  }

  /** Something changed the day's figures: ask again soon. */
  soon() {
    if (this.again) return;
    this.again = true;
    const wait = Math.max(0, this.lastAsked + SOON_MS - Date.now());
    setTimeout(() => {
      this.again = false;
      this.ask();
    }, wait);
  }

  async ask() {
    if (this.asking || this.app.link.state !== 'online') return;
    this.asking = true;
    this.lastAsked = Date.now();
    try {
      const reply = await this.app.request({ type: 'report' });
      this.report = reply.report;
      this.app.schedule.mark('figures');
    } catch {
      // Offline or refused: the last figures stay, with their time; the next ask tries again.
    } finally {
      this.asking = false;
    }
  }

  render() {
    const r = this.report;
    if (!r) {
      this.root.replaceChildren(h('p', { class: 'muted' }, '正在读取今日数据…'));
      return;
    }
    setText(this.at, `更新于 ${clockSeconds(hubNow())}`);
    const g = r.visitor_groups ?? {};
    const posts = Object.entries(r.ack_latency_ms ?? {})
      .filter(([, s]) => s.n > 0)
      .sort(([, a], [, b]) => (b.p95 ?? 0) - (a.p95 ?? 0));
    const turns = Object.entries(r.turns ?? {}).sort(([, a], [, b]) => b - a);
    const calls = r.calls ?? {};
    this.root.replaceChildren(
      h('div', { class: 'fig-list' },
        fig('groups', '今日客户', `${g.total ?? 0}组`, `预约 ${g.appointment ?? 0} · 非预约 ${g.walk_in ?? 0} · 婉拒 ${g.declined ?? 0}`),
        span('gate-door', '门岗→门口', r.gate_to_door_ms),
        span('gate-vip', '门岗→VIP室', r.gate_to_vip_ms)),
      h('h3', { class: 'sub' }, '各岗应答用时'),
      posts.length
        ? h('table', { class: 'fig-table' },
          h('thead', {}, h('tr', {}, h('th', {}, '岗位'), h('th', {}, '中位'), h('th', {}, '95%'), h('th', {}, '次'))),
          h('tbody', {}, posts.slice(0, POSTS_SHOWN).map(([station, s]) => {
            const slow = (s.p95 ?? 0) > SLOW_ANSWER_MS;
            return h('tr', { dataset: { station, slow: slow ? 'yes' : 'no' } },
              h('td', {}, postName(station).replace('大客户经理', '经理 ')),
              h('td', {}, briefSpan(s.median)),
              h('td', {}, `${slow ? '◷ ' : ''}${briefSpan(s.p95)}`),
              h('td', {}, String(s.n)));
          })))
        : h('p', { class: 'muted' }, '今天还没有应答。'),
      h('p', { class: 'fig-line' },
        h('span', { class: 'fig-key' }, '接待轮次 '),
        turns.length ? turns.map(([m, n]) => `${m.replace(/^X:/, '')} ${n}`).join(' · ') : '—'),
      h('p', { class: 'fig-line', dataset: { escalated: calls.escalated ? 'yes' : 'no' } },
        `呼叫 ${calls.placed ?? 0} · ↻ 重呼 ${calls.repeated ?? 0} · ▲ 升级 ${calls.escalated ?? 0} · ✕ 对方不在线 ${calls.target_offline ?? 0}`),
    );
  }
}

/** One figure: its label, the number large, and what goes with it. The line under it breaks
 *  only between the parts of `sub` (at " · "), never inside one: "95%：2分00秒", not "2 / 分00秒". */
function fig(key, label, number, sub) {
  const parts = sub.split(' · ').flatMap((p, i) =>
    i ? [' ', h('span', { class: 'fig-part' }, `· ${p}`)] : [h('span', { class: 'fig-part' }, p)]);
  return h('div', { class: 'fig', dataset: { fig: key } },
    h('span', { class: 'fig-label' }, label),
    h('span', { class: 'fig-num' }, number),
    h('span', { class: 'fig-sub' }, ...parts));
}

/** A time from the gate: the median large, the 95th percentile and the count beside it. */
function span(key, label, s) {
  if (!s || !s.n) return fig(key, label, '—', '今天还没有');
  return fig(key, `${label} 中位`, briefSpan(s.median), `95%：${briefSpan(s.p95)} · ${s.n}组`);
}
