// Calls for this post: each at once, its standard sentence (the hub's) in large type, and exactly
// the answers the script allows for its kind (from the catalogue: one big 收到, or 可以接待 /
// 无法接待 for the walk-in query). Re-calls and escalations look urgent: red, an icon and a word.

import { h, fill, keyed } from './dom.js';
import { icon } from './icons.js';
import { since } from './time.js';
import { ANSWER_LABEL, stationName } from './words.js';

/** Draws the calls this post owes; returns them (oldest first). */
export function renderIncoming(app) {
  const owed = app.board.owedBy(app.station);
  const list = document.getElementById('incoming-list');
  keyed(list, owed, (c) => c.call_id, (c) => card(app, c), (el, c) => update(app, el, c));
  const box = document.getElementById('incoming');
  box.hidden = owed.length === 0;
  box.classList.toggle('many', owed.length > 2);
  const count = document.getElementById('incoming-count');
  count.hidden = owed.length < 2;
  count.textContent = `${owed.length}个呼叫待回答（最早的在最上面）`;
  const urgent = owed.some(isUrgent);
  document.body.classList.toggle('ringing', owed.length > 0);
  document.body.classList.toggle('ringing-urgent', urgent);
  return owed;
}

function isUrgent(c) {
  return c.attempt >= 2 || c.escalated;
}

function card(app, c) {
  const el = h('li', { class: 'call', data: { callId: c.call_id } },
    h('div', { class: 'call-tags' }),
    h('p', { class: 'sentence', text: c.sentence }),
    h('div', { class: 'answers' }));
  update(app, el, c);
  return el;
}

function update(app, el, c) {
  const urgent = isUrgent(c);
  el.classList.toggle('urgent', urgent);
  const state = `${c.attempt}:${c.escalated}`;
  if (el.dataset.state !== state) {
    el.dataset.state = state;
    const tags = [];
    if (!urgent) tags.push(h('span', { class: 'tag wait' }, icon('bell'), '呼叫本岗位'));
    if (c.attempt >= 2) tags.push(h('span', { class: 'tag bad' }, icon('repeat'), `重呼·第${c.attempt}次`));
    if (c.escalated) tags.push(h('span', { class: 'tag bad' }, icon('up'), '已上报主管'));
    const from = stationName(c.call.caller);
    fill(el.querySelector('.call-tags'), tags, h('span', { class: 'from', text: `来自 ${from}` }),
      since(c.placed_at));
  }
  const answers = app.catalogue?.answers?.[c.call.intent.kind] ?? null;
  const box = el.querySelector('.answers');
  const key = answers ? answers.join(',') : '';
  if (box.dataset.answers !== key) {
    box.dataset.answers = key;
    fill(box, (answers ?? []).map((a) => h('button', {
      type: 'button',
      class: ['answer', a === 'cannot_receive' ? 'answer-no' : 'answer-yes'],
      data: { answer: a },
      on: { click: () => answerIt(app, el, c.call_id, a) },
    }, a === 'cannot_receive' ? icon('cross') : icon('check'), ANSWER_LABEL[a] ?? a)));
  }
}

async function answerIt(app, el, callId, answer) {
  const buttons = el.querySelectorAll('.answers button');
  buttons.forEach((b) => { b.disabled = true; });
  el.classList.add('sending');
  try {
    await app.link.request({ type: 'answer', call_id: callId, answer });
    // The board drops the call when its `call_answered` comes; nothing else to do here.
  } catch (err) {
    el.classList.remove('sending');
    buttons.forEach((b) => { b.disabled = false; });
    app.refused(err);
    // A call another tablet already closed is gone from the hub: let it leave this one too.
    if (err.code === 'unknown_call') {
      app.board.calls.delete(callId);
      app.changed();
    }
  }
}
