// Typing a call: the sentence as one would say it on the radio. As it is typed, the hub reads it
// (`preview` with the sentence) and the box shows what it made of it — the standard sentence the
// target will hear, and to whom — or why it refuses it, in plain words. 发送 sends it (`say`).

import { h, fill } from './dom.js';
import { icon } from './icons.js';
import { CALL_LABEL, refusalWords, stationName } from './words.js';

const READ_AFTER_MS = 250;

export function freeText(app) {
  const form = document.getElementById('say-form');
  const text = document.getElementById('say-text');
  const shown = document.getElementById('say-preview');
  const send = document.getElementById('say-send');
  let seq = 0;
  let timer = null;
  let accepted = null; // the sentence the hub read, ready to send

  const show = (state, ...children) => {
    shown.className = `preview ${state}`;
    fill(shown, children);
    send.disabled = accepted === null;
  };

  const read = async () => {
    const sentence = text.value.trim();
    const mine = ++seq;
    accepted = null;
    if (!sentence) {
      show('');
      return;
    }
    if (/^(收到|可以接待|无法接待)[，,。！!\s谢]*$/.test(sentence)) {
      show('wait', h('p', { class: 'preview-label' }, icon('clock'), '这是回答：请点上方呼叫旁边的按钮回答。'));
      return;
    }
    try {
      const reply = await app.link.request({ type: 'preview', sentence });
      if (mine !== seq) return;
      accepted = sentence;
      const kind = CALL_LABEL[reply.call.intent.kind] ?? reply.call.intent.kind;
      show('ok',
        h('p', { class: 'preview-label' }, icon('check'), `读作：${kind} → ${stationName(reply.call.target)}`),
        h('p', { class: 'sentence', id: 'say-sentence', text: reply.sentence }));
    } catch (err) {
      if (mine !== seq) return;
      const why = refusalWords(err);
      show('bad',
        h('p', { class: 'preview-label' }, icon('cross'), '读不懂，不能发出：'),
        h('p', { class: 'rule', text: why.words }),
        why.detail ? h('p', { class: 'fine', text: why.detail }) : null);
    }
  };

  text.addEventListener('input', () => {
    clearTimeout(timer);
    accepted = null;
    send.disabled = true;
    timer = setTimeout(read, READ_AFTER_MS);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (accepted === null) return;
    const sentence = accepted;
    send.disabled = true;
    try {
      const placed = await app.link.request({ type: 'say', sentence });
      text.value = '';
      accepted = null;
      read();
      app.toast(`已发出：${placed.sentence}`, 'ok', placed.call_id);
    } catch (err) {
      const refusal = refusalWords(err);
      app.refusedCall({ label: '打字呼叫', sentence, refusal });
      show('bad', h('p', { class: 'preview-label' }, icon('cross'), '被拒绝：'),
        h('p', { class: 'rule', text: refusal.words }),
        refusal.detail ? h('p', { class: 'fine', text: refusal.detail }) : null);
    }
  });

  // Enter sends (Shift+Enter for a new line is not needed: a call is one sentence).
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  read();
}
