// The reception rota (接访轮序): the visit and phone lists in turn order, who is next up, and for
// each manager whether they are with a client, standing by at the door, away, or away on
// company business (因公), with their turns today and any turn owed or skipped.

import { clockTime } from '../lib/clock.js';
import { h, setText } from './dom.js';

export class RotaView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('rota');
    this.next = document.getElementById('rota-next');
    this.shown = null;
    this.alarmed = false;
  }

  render() {
    const board = this.app.board;
    const rota = board.rota;
    const alarmed = [...board.alerts.values()].some((a) => a.kind === 'few_standing_by');
    if (rota === this.shown && alarmed === this.alarmed) return;
    this.shown = rota;
    this.alarmed = alarmed;
    const visit = rota.visit ?? [];
    const phone = rota.phone ?? [];
    if (rota.next_up) {
      setText(this.next, `▶ 下一位：${rota.next_up}`);
      this.next.className = 'panel-note next';
    } else if (visit.length || phone.length) {
      setText(this.next, '⚠ 没有可接待的经理');
      this.next.className = 'panel-note urgent';
    } else {
      setText(this.next, '');
      this.next.className = 'panel-note';
    }
    const groups = [
      this.group('接访', visit, rota.next_up),
      this.group('接电', phone, rota.next_up),
    ];
    if (rota.short_since != null) {
      // A heads-up first; the hub raises the alarm if it lasts (the site's `standing_by_within`).
      const since = clockTime(rota.short_since);
      groups.unshift(alarmed
        ? h('p', { class: 'rota-short', 'data-alarmed': 'yes' }, `⚠ 门口待命的经理不足两位（自 ${since} 起，已报警）`)
        : h('p', { class: 'rota-short' }, `⚠ 提醒：门口待命的经理不足两位（自 ${since} 起，持续下去将报警）`));
    }
    if (!visit.length && !phone.length) {
      groups.splice(0, groups.length, h('p', { class: 'muted' }, '还没有经理签到上岗。'));
    }
    this.root.replaceChildren(...groups);
  }

  group(title, entries, nextUp) {
    return h('section', { class: 'rota-group' },
      h('h3', { class: 'sub' }, `${title} ${entries.length}人`),
      entries.length
        ? h('ol', { class: 'rota-list' }, entries.map((e, i) => this.entry(e, i, nextUp)))
        : h('p', { class: 'muted' }, '—'));
  }

  entry(e, i, nextUp) {
    const next = e.manager === nextUp;
    const [state, word] = e.busy
      ? ['busy', '● 接待中']
      : e.on_business
        ? ['business', '↗ 因公']
        : e.standing_by
          ? ['standing', '✓ 待命']
          : ['away', '○ 暂离'];
    const extra = [];
    if (e.owed > 0) extra.push(`补${e.owed}轮`);
    if (e.phone_owed > 0) extra.push(`接电补${e.phone_owed}轮`);
    if (e.skip_next) extra.push('下轮跳过');
    if (!e.signed_in) extra.push('未签到');
    return h('li', { class: 'rota-entry', dataset: { manager: e.manager, state, next: next ? 'yes' : 'no' } },
      h('span', { class: 'rota-pos', title: next ? '下一位' : '' }, next ? '▶' : String(i + 1)),
      h('span', { class: 'rota-name' }, e.manager),
      h('span', { class: 'rota-state' }, word, extra.length ? h('span', { class: 'rota-extra' }, extra.join(' · ')) : null),
      h('span', { class: 'rota-turns', title: '今日接待次数' }, `${e.turns}次`));
  }
}
