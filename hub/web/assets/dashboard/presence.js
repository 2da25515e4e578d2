// Which posts have a tablet on the net: every post of the site (the state's `posts`), then the
// client managers seen today (on the rota, online, with a group, or on the radio). Online and
// offline each with a mark and a word.

import { postName } from '../lib/posts.js';
import { h } from './dom.js';

/** The Longfor posts, for a hub that does not list its posts in `state`. */
const FALLBACK_POSTS = ['L1', 'L2', 'Y1', 'Y2', 'G1', 'S1', 'OPS', 'RC', 'SUP', 'LOBBY', 'MODEL', 'SHUTTLE'];

export class PresenceView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('presence');
    this.title = document.getElementById('presence-title');
    this.shown = '';
  }

  render() {
    const board = this.app.board;
    const posts = this.app.posts ?? FALLBACK_POSTS;
    const managers = new Set(this.app.managersSeen);
    for (const e of [...(board.rota.visit ?? []), ...(board.rota.phone ?? [])]) managers.add(`X:${e.manager}`);
    for (const s of board.presence.keys()) if (s.startsWith('X:')) managers.add(s);
    const stations = [...posts, ...[...managers].sort((a, b) => a.localeCompare(b, 'zh-CN'))];
    const online = (s) => board.presence.get(s) === true;
    const key = stations.map((s) => `${s}${online(s) ? '+' : '-'}`).join(',');
    if (key === this.shown) return;
    this.shown = key;
    const up = posts.filter(online).length;
    this.title.textContent = `岗位在线 ${up}/${posts.length}`;
    const chip = (s) => {
      const on = online(s);
      const manager = s.startsWith('X:');
      return h('li', { class: `post${manager ? ' manager' : ''}`, dataset: { station: s, online: on ? 'yes' : 'no' } },
        h('span', { class: 'post-mark', 'aria-hidden': 'true' }, on ? '●' : '○'),
        h('span', { class: 'post-name' }, manager ? s.slice(2) : postName(s)),
        on ? null : h('span', { class: 'post-off' }, '离线'));
    };
    const people = stations.filter((s) => s.startsWith('X:'));
    const items = posts.map(chip);
    if (people.length) {
      items.push(h('li', { class: 'sub' }, `大客户经理 ${people.filter(online).length}/${people.length} 在线`));
      items.push(...people.map(chip));
    }
    this.list.replaceChildren(...items);
  }
}
