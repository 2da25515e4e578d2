// The calls this post made, as the board has them: 等待收到, 重呼, 已上报主管, 对方不在线,
// 已收到 (by whom, after how long), and — kept on this tablet only, since the hub logs nothing for
// them — 被拒绝 with the rule in plain words.

import { h, fill, keyed } from './dom.js';
import { icon } from './icons.js';
import { since, took } from './time.js';
import { ANSWER_LABEL, CALL_LABEL, stationName } from './words.js';

const SHOWN = 8;

export function renderOutgoing(app) {
  const made = app.board.madeBy(app.station).map((c) => ({ key: `c${c.call_id}`, at: c.placed_at, c }));
  const refused = app.refusedCalls.map((r) => ({ key: r.key, at: r.at, r }));
  const open = made.filter((m) => m.c.closed_at == null);
  const rest = [...made.filter((m) => m.c.closed_at != null), ...refused]
    .sort((a, b) => b.at - a.at)
    .slice(0, Math.max(0, SHOWN - open.length));
  const items = [...open, ...rest];
  const list = document.getElementById('outgoing');
  const make = (i) => {
    const el = h('li', { class: 'mine' });
    draw(el, i);
    return el;
  };
  keyed(list, items, (i) => i.key, make, draw);
  document.getElementById('mine').classList.toggle('is-empty', items.length === 0);
}

/** The state of a call this post made: a class, an icon, the word, and a line of detail. */
export function status(c) {
  if (c.closed_at == null) {
    if (c.escalated) return ['bad', 'up', '已上报主管', waitingFor(c)];
    if (c.target_offline) return ['bad', 'alert', '对方平板不在线', '已同时通知巡场主管，请用对讲机呼叫'];
    if (c.attempt >= 2) return ['bad', 'repeat', `重呼·第${c.attempt}次`, waitingFor(c)];
    return ['wait', 'clock', '等待收到', waitingFor(c)];
  }
  if (c.answers.length === 0) return ['ok', 'check', '已发出', '通报，无需回答'];
  const last = c.answers[c.answers.length - 1];
  const who = c.answers.map((a) => stationName(a.by)).join('、');
  const after = last.latency_ms != null ? ` · 用时${took(last.latency_ms)}` : '';
  if (last.answer === 'cannot_receive') return ['no', 'cross', '无法接待', `${who}回复无法接待${after}`];
  if (last.answer === 'can_receive') return ['ok', 'check', '可以接待', `${who}回复可以接待${after}`];
  return ['ok', 'check', `已${ANSWER_LABEL[last.answer] ?? '收到'}`, `${who}已回复${after}`];
}

function waitingFor(c) {
  const heard = c.answers.map((a) => stationName(a.by));
  const waiting = c.awaiting.map(stationName).join('、');
  return heard.length ? `已收到：${heard.join('、')}；还在等：${waiting}` : `等待${waiting}回复`;
}

function draw(el, { c, r }) {
  if (r) {
    const sig = `refused:${r.key}`;
    if (el.dataset.sig === sig) return;
    el.dataset.sig = sig;
    el.className = 'mine bad refused';
    fill(el,
      h('div', { class: 'mine-head' },
        h('span', { class: 'tag bad' }, icon('cross'), '被拒绝'),
        h('span', { class: 'what', text: r.label }), since(r.at)),
      r.sentence ? h('p', { class: 'sentence small', text: r.sentence }) : null,
      h('p', { class: 'detail rule', text: r.refusal.words }),
      r.refusal.detail ? h('p', { class: 'detail fine', text: r.refusal.detail }) : null);
    return;
  }
  const [cls, ico, word, detail] = status(c);
  const sig = `${word}|${detail}`;
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  el.className = `mine ${cls}`;
  el.dataset.callId = c.call_id;
  const what = `${CALL_LABEL[c.call.intent.kind] ?? ''} → ${stationName(c.call.target)}`;
  fill(el,
    h('div', { class: 'mine-head' },
      h('span', { class: `tag ${cls}` }, icon(ico), word),
      h('span', { class: 'what', text: what }), since(c.placed_at)),
    h('p', { class: 'sentence small', text: c.sentence }),
    h('p', { class: 'detail', text: detail }));
}
