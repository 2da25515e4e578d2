// A visitor group's day so far, opened by clicking its card: each stage it reached and when,
// the manager and the room, and what was said on the radio about it (as far as this page
// heard it). Kept current while open.

import { clockTime, hubNow, minutes } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, setText } from './dom.js';
import { STAGE_ORDER, STAGE_WORDS, groupName, stageSince } from './words.js';

export class VisitorDay {
  constructor(app) {
    this.app = app;
    this.dialog = document.getElementById('visitor-day');
    this.title = document.getElementById('day-title');
    this.body = document.getElementById('day-body');
    this.id = null;
    this.shown = null;
    document.getElementById('day-close').addEventListener('click', () => this.dialog.close());
    // A click on the backdrop (outside the box) closes it too.
    this.dialog.addEventListener('click', (e) => {
      if (e.target === this.dialog) this.dialog.close();
    });
    this.dialog.addEventListener('close', () => {
      this.id = null;
      this.shown = null;
    });
  }

  open(id) {
    this.id = id;
    this.shown = null;
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Redraws when the group (or what was said about it) changed. */
  render() {
    if (this.id == null) return;
    const v = this.app.board.visitors.get(this.id);
    const lines = this.app.history.of(this.id);
    const key = `${v ? JSON.stringify(v) : ''}|${lines.length}`;
    if (key === this.shown) return;
    this.shown = key;
    if (!v) {
      setText(this.title, '这组客人已不在看板上');
      this.body.replaceChildren(h('p', { class: 'muted' }, '新的一天开始时，已离开的客人会从看板上移除，记录仍在当日报表中。'));
      return;
    }
    const party = v.party != null ? ` · ${v.party}人` : '';
    setText(this.title, `${groupName(v)}${party} · ${v.appointment ? '预约客户' : '非预约客户'}`);

    const facts = h('dl', { class: 'day-facts' },
      h('dt', {}, '现在'),
      h('dd', { class: 'day-now', dataset: { stage: v.stage } },
        `${STAGE_WORDS[v.stage] ?? v.stage}`,
        v.stage === 'left' || v.stage === 'declined' ? '' : `（${minutes(hubNow() - stageSince(v))}）`),
      h('dt', {}, '接待经理'), h('dd', {}, v.manager ? postName(v.manager) : '未分配'),
      h('dt', {}, 'VIP室'), h('dd', {}, v.room != null ? `VIP${v.room}` : '—'),
      v.description ? [h('dt', {}, '体貌特征'), h('dd', {}, v.description)] : null,
      v.plate ? [h('dt', {}, '车牌'), h('dd', {}, v.plate)] : null,
    );

    const times = Object.entries(v.times ?? {})
      .filter(([, at]) => typeof at === 'number')
      .sort(([ka, a], [kb, b]) => a - b || STAGE_ORDER.indexOf(ka) - STAGE_ORDER.indexOf(kb));
    const stages = h('ol', { class: 'day-stages' },
      times.map(([key, at]) =>
        h('li', { dataset: { stage: key } },
          h('span', { class: 'day-time' }, clockTime(at)),
          h('span', {}, STAGE_WORDS[key] ?? key))));

    const said = lines.length
      ? h('ol', { class: 'day-said' },
        lines.map((l) =>
          h('li', {},
            h('span', { class: 'day-time' }, clockTime(l.at)),
            h('span', { class: 'day-by' }, postName(l.by)),
            h('span', { class: 'day-words' }, l.words),
            l.about ? h('span', { class: 'day-about' }, `回应：${l.about}`) : null)))
      : h('p', { class: 'muted' }, '本页打开以来还没有听到关于这组客人的通话；之前的经过见上面的时间。');

    this.body.replaceChildren(
      facts,
      h('h3', { class: 'sub' }, '经过'),
      stages,
      h('h3', { class: 'sub' }, '相关通话'),
      said,
    );
  }
}
