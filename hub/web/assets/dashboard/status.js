// The page's standing with the hub, always in view: the link's state in the header (and a banner
// the moment it drops, saying the board may be out of date while it reconnects by itself), the
// hub's time, and — instead of the board — why there is no board: not signed in, a refused
// token, or a token that is not the supervisor's.

import { clockSeconds, clockTime, hubNow } from '../lib/clock.js';
import { postName } from '../lib/posts.js';
import { h, setText } from './dom.js';

const LINK = {
  connecting: '○ 正在连接…',
  online: '● 已连接',
  offline: '✕ 连接已断开 · 正在重连',
  refused: '✕ 登录无效',
  'wrong-post': '✕ 不是主管的登录',
  'signed-out': '○ 未登录',
};

export class Status {
  constructor() {
    this.link = document.getElementById('link');
    this.banner = document.getElementById('offline');
    this.now = document.getElementById('now');
    this.droppedAt = null;
    this.lastEventAt = null;
  }

  /** The link's state: header word, the banner, the board dimmed while it may be stale. */
  linkState(state, attempt = 0) {
    this.link.dataset.state = state;
    setText(this.link, LINK[state] ?? state);
    document.body.dataset.link = state;
    if (state === 'offline') {
      this.droppedAt ??= Date.now();
      this.banner.hidden = false;
      setText(this.banner,
        `✕ 与对讲系统的连接已断开（${clockSeconds(this.droppedAt)} 起）：下面是断开前的情况，可能已过时。` +
        `正在自动重连${attempt > 1 ? `（第 ${attempt} 次）` : ''}…`);
    } else {
      this.droppedAt = null;
      this.banner.hidden = true;
    }
  }

  /** Shows the board, signed in as `station`. */
  signedIn(station) {
    document.body.dataset.phase = 'board';
    document.body.dataset.station = station;
    setText(document.getElementById('station'), postName(station));
    document.getElementById('sign-in').hidden = true;
    document.getElementById('board').hidden = false;
  }

  /** Instead of the board: a title, what it means, and what to do. */
  message(phase, title, hint, help = []) {
    document.body.dataset.phase = phase;
    for (const d of document.querySelectorAll('dialog[open]')) d.close();
    document.getElementById('board').hidden = true;
    document.getElementById('sign-in').hidden = false;
    setText(document.getElementById('sign-in-title'), title);
    setText(document.getElementById('hint'), hint);
    document.getElementById('sign-in-help').replaceChildren(...help);
  }

  notSignedIn() {
    this.linkState('signed-out');
    setText(document.getElementById('station'), '未登录');
    this.message('signed-out', '未登录', '请用巡场主管的登录链接打开此页。', [
      h('span', {}, '在对讲主机上运行 '),
      h('code', {}, 'hub token SUP --link'),
      h('span', {}, '，在这台电脑上打开它打印的链接（或用手机扫二维码）。'),
    ]);
  }

  /** The hub refused the link (`code`: its close code, PROTOCOL.md §6). */
  refused(code = 0) {
    const [title, why] = {
      4504: ['登录已过期', '这个登录链接已过期，看板无法打开。'],
      4505: ['登录已撤销', '这个登录链接已被撤销，看板无法打开。'],
    }[code] ?? ['登录无效', '这个登录链接已失效，或不属于本对讲系统，看板无法打开。'];
    setText(document.getElementById('station'), title);
    this.message('refused', title, why, [
      h('span', {}, '请在对讲主机上重新运行 '),
      h('code', {}, 'hub token SUP --link'),
      h('span', {}, '，打开新的链接；或先点右上角「退出登录」。'),
    ]);
  }

  notSupervisor(station, token) {
    setText(document.getElementById('station'), postName(station));
    this.message('not-supervisor', '这是巡场主管的看板',
      `此登录链接属于「${postName(station)}」，不是巡场主管（SUP）的，看板不能用它打开。`, [
        h('span', {}, '在岗位平板上请打开 '),
        h('a', { href: `/#token=${encodeURIComponent(token)}`, class: 'to-tablet' }, `${postName(station)}的平板页面`),
        h('span', {}, '。巡场主管请用 '),
        h('code', {}, 'hub token SUP --link'),
        h('span', {}, ' 打印的链接打开看板，或点右上角「退出登录」后重新登录。'),
      ]);
  }

  /** The hub's time in the header. */
  tick() {
    setText(this.now, clockTime(hubNow()));
  }
}
