// What was said on the net, newest first: each call's sentence, each answer, each tap's words
// and the hub's announcements — by whom and when. Only what is new is added; the list keeps CAP.

import { clockTime } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h } from './dom.js';
import { ANSWER_WORDS } from '../lib/board.js';

const CAP = 40;
const ANSWERS = new Set(Object.values(ANSWER_WORDS));

export class RadioLogView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('call-list');
    this.tops = { log: null, announcements: null };
  }

  reset() {
    this.tops = { log: null, announcements: null };
    this.list.replaceChildren();
  }

  /** The entries of `list` (newest first) that came after `top`; all of them if `top` is gone. */
  fresh(list, top) {
    const out = [];
    for (const e of list) {
      if (e === top) return { out, whole: false };
      out.push(e);
      if (out.length >= CAP) break;
    }
    return { out, whole: top !== null };
  }

  render() {
    const board = this.app.board;
    const said = this.fresh(board.log, this.tops.log);
    const told = this.fresh(board.announcements, this.tops.announcements);
    this.tops = { log: board.log[0] ?? null, announcements: board.announcements[0] ?? null };
    if (said.whole || told.whole) this.list.replaceChildren(); // fell behind: start again
    const items = [
      ...said.out.map((e) => ({ ...e, kind: ANSWERS.has(e.words) ? 'answer' : 'said' })),
      ...told.out.map((e) => ({ at: e.at, words: e.words, by: null, kind: 'announce' })),
    ].sort((a, b) => b.at - a.at);
    if (items.length === 0) return;
    this.list.prepend(...items.slice(0, CAP).map((e) =>
      h('li', { class: `said ${e.kind}` },
        h('span', { class: 'said-time' }, clockTime(e.at)),
        h('span', { class: 'said-by' }, e.by ? postName(e.by) : '广播'),
        h('span', { class: 'said-words' }, e.words))));
    while (this.list.children.length > CAP) this.list.lastElementChild.remove();
  }
}
