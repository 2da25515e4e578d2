// The tablet at a post: signs in with the token from its link, keeps the board from the hub's
// snapshot and events (lib/link.js, lib/board.js), and draws from it what the post needs — the
// calls it must answer, its quick actions and the calls it made, a box to type a call, and what
// it needs at a glance with its one-tap updates. Each view is a module of ./tablet/; this file
// wires them to the link.

import { Board } from './lib/board.js';
import { Link } from './lib/link.js';
import { postName } from './lib/posts.js';
import { audioLocked, onAudioChange, unlockAudio } from './lib/speech.js';
import { forgetToken, takeToken } from './lib/token.js';
import { keepAwake } from './lib/wake.js';
import { h, fill } from './tablet/dom.js';
import { CallForm } from './tablet/form.js';
import { freeText } from './tablet/freetext.js';
import { renderGlance } from './tablet/glance.js';
import { icon } from './tablet/icons.js';
import { renderIncoming } from './tablet/incoming.js';
import { renderOutgoing } from './tablet/outgoing.js';
import { renderQuick } from './tablet/quick.js';
import { Ringer } from './tablet/ring.js';
import { heard, hubNow, tick } from './tablet/time.js';
import { refusalWords } from './tablet/words.js';

const TOKEN_KEY = 'radio.tablet.token';
const DISCREET_KEY = 'radio.tablet.discreet';

const $ = (id) => document.getElementById(id);

const LINK_WORDS = {
  connecting: ['wait', 'clock', '正在连接…'],
  online: ['ok', 'link', '已连接'],
  offline: ['bad', 'unlink', '连接中断，正在重连…'],
  refused: ['bad', 'cross', '登录无效'],
  'signed-out': ['wait', 'person', '未登录'],
};

/** Everything the views share. */
const app = {
  station: null,
  board: new Board(),
  link: null,
  catalogue: null,
  snapshot: false,
  discreet: window.localStorage.getItem(DISCREET_KEY) === '1',
  refusedCalls: [],
  form: null,
  ringer: null,
  scheduled: false,

  /** The catalogue entry for a kind of call this post makes (null if it makes none). */
  entry(kind) {
    return this.catalogue?.calls.find((e) => e.kind === kind) ?? null;
  },

  /** Something changed: draw again, once, soon. */
  changed() {
    if (this.scheduled) return;
    this.scheduled = true;
    const draw = () => {
      if (!this.scheduled) return;
      this.scheduled = false;
      render();
    };
    requestAnimationFrame(draw);
    setTimeout(draw, 50); // also when the page is hidden and frames stop
  },

  /** A short message at the bottom of the screen; `callId` when it says a call went out. */
  toast(text, kind = 'ok', callId = null) {
    const t = $('toast');
    t.className = `toast ${kind}`;
    fill(t, icon(kind === 'ok' ? 'check' : 'alert'), text);
    t.hidden = false;
    this.toastCall = callId;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'ok' ? 4000 : 8000);
  },

  /** "已发出" gives way once the call is answered: its card in 我发出的呼叫 then says more. */
  answered(callId) {
    if (this.toastCall == null || this.toastCall !== callId) return;
    clearTimeout(this.toastTimer);
    $('toast').hidden = true;
    this.toastCall = null;
  },

  /** A refusal from the hub, said in plain words. */
  refused(err) {
    const { words, detail } = refusalWords(err);
    this.toast(detail ? `${words}（${detail}）` : words, 'bad');
  },

  /** A call the hub refused: kept in "我发出的呼叫" on this tablet. */
  refusedCall({ label, sentence, refusal }) {
    this.refusedCalls.unshift({ key: `r${Date.now()}${Math.random()}`, at: Date.now(), label, sentence, refusal });
    this.refusedCalls.length = Math.min(this.refusedCalls.length, 5);
    this.changed();
  },
};

function render() {
  if (!app.station) return;
  if (app.catalogue && app.snapshot && !document.body.dataset.ready) {
    // Usable: signed in, the board loaded, the quick actions drawn (tests time the page by it).
    document.body.dataset.ready = String(Math.round(performance.now()));
  }
  const owed = renderIncoming(app);
  renderOutgoing(app);
  renderGlance(app);
  app.form?.boardChanged();
  app.ringer.update(owed);
  tick();
}

// ── the link's state, the sign-in and the sign-out ─────────────────────────────────────────

function showLink(state) {
  const [cls, ico, words] = LINK_WORDS[state];
  const link = $('link');
  link.dataset.state = state;
  link.className = `link ${cls}`;
  fill(link, icon(ico), words);
  document.body.dataset.link = state;
  $('drop').hidden = state !== 'offline';
}

/** Why the hub refused this tablet's link, by its close code (PROTOCOL.md §6). */
function refusedWords(code) {
  if (code === 4504) return ['登录已过期', '这台平板的登录链接已过期。'];
  if (code === 4505) return ['登录已撤销', '这台平板的登录链接已被撤销。'];
  return ['登录无效', '这台平板的登录链接已失效（可能已被撤销），或不属于本对讲系统。'];
}

function signInProblem(title, hint, detail = '') {
  $('station').textContent = title;
  $('signin-title').textContent = title;
  $('hint').textContent = hint;
  $('signin-detail').textContent = detail;
  $('signin').hidden = false;
  $('work').hidden = true;
  $('incoming').hidden = true;
  $('discreet').hidden = true;
  $('unlock-audio').hidden = true;
}

function signOutButton() {
  const box = $('sign-out-box');
  const ask = $('sign-out');
  ask.hidden = false;
  ask.addEventListener('click', () => {
    const sure = h('div', { class: 'confirm', attrs: { role: 'group', 'aria-label': '确认退出登录' } },
      h('span', { text: '退出后需重新扫码登录' }),
      h('button', {
        type: 'button', id: 'sign-out-yes', class: 'danger',
        on: { click: () => { forgetToken(TOKEN_KEY); window.location.replace('/'); } },
      }, '确定退出'),
      h('button', { type: 'button', class: 'quiet', on: { click: () => { sure.remove(); ask.hidden = false; } } }, '取消'));
    ask.hidden = true;
    box.append(sure);
  });
}

// ── sound, discreet mode, the screen kept on ───────────────────────────────────────────────

function soundControls() {
  const unlock = $('unlock-audio');
  const discreet = $('discreet');
  const show = () => {
    unlock.hidden = app.discreet || !audioLocked();
    discreet.hidden = false;
    discreet.setAttribute('aria-pressed', String(app.discreet));
    fill(discreet, icon(app.discreet ? 'mute' : 'sound'), app.discreet ? '免打扰中' : '提示音开');
    document.body.classList.toggle('discreet', app.discreet);
  };
  unlock.addEventListener('click', async () => {
    await unlockAudio();
    show();
  });
  discreet.addEventListener('click', () => {
    app.discreet = !app.discreet;
    window.localStorage.setItem(DISCREET_KEY, app.discreet ? '1' : '0');
    if (app.discreet) app.ringer.quiet();
    show();
  });
  // The first touch anywhere opens sound too: nobody should have to find the button.
  document.addEventListener('pointerdown', () => { if (audioLocked()) unlockAudio().then(show); }, { once: true });
  onAudioChange(show);
  show();
}

// ── start ──────────────────────────────────────────────────────────────────────────────────

/**
 * Keeps `--top-h` at the top bar's height and `--incoming-h` at the calls' (when shown), for
 * what sticks below them: a form opens under the calls, never over them.
 */
function followTopBar() {
  const bar = document.querySelector('.top');
  const calls = $('incoming');
  const set = () => {
    document.body.style.setProperty('--top-h', `${bar.offsetHeight}px`);
    document.body.style.setProperty('--incoming-h', `${calls.hidden ? 0 : calls.offsetHeight}px`);
  };
  if ('ResizeObserver' in window) {
    const watch = new ResizeObserver(set);
    watch.observe(bar);
    watch.observe(calls);
  }
  set();
}

function start() {
  followTopBar();
  const token = takeToken(TOKEN_KEY);
  if (!token) {
    showLink('signed-out');
    signInProblem('未登录', '请用本岗位的登录链接或二维码打开此页：在对讲主机上运行 hub token 岗位 --link，用平板相机扫描二维码。');
    return;
  }
  signOutButton();
  app.form = new CallForm(app);
  app.ringer = new Ringer(app);
  let awake = null;
  const link = new Link(token, {
    onState(state, detail, code) {
      showLink(state);
      if (state === 'refused') {
        awake?.();
        const [title, why] = refusedWords(code);
        signInProblem(title, `${why}请向巡场主管索取本岗位新的登录链接，用平板相机扫码重新登录。`,
          detail ? `系统说明：${detail}` : '');
      }
      // Back online: whatever a form showed (a refusal for the lost link) is read again.
      if (state === 'online' && app.form.isOpen) app.form.schedule(false);
    },
    onWelcome(welcome) {
      const first = app.station === null;
      app.station = welcome.station;
      document.body.dataset.station = welcome.station;
      $('station').textContent = postName(welcome.station);
      document.title = `${postName(welcome.station)} · 案场对讲`;
      $('signin').hidden = true;
      $('work').hidden = false;
      if (first) {
        soundControls();
        freeText(app);
        awake = keepAwake();
      }
      if (!app.catalogue) {
        link.request({ type: 'catalogue' }).then((catalogue) => {
          app.catalogue = catalogue;
          renderQuick(app);
          app.changed();
        }).catch(() => {}); // the link dropped: asked again on the next welcome
      }
    },
    onSnapshot(state) {
      app.snapshot = true;
      app.board.reset(state);
      app.changed();
    },
    onEvent(e) {
      heard(e.at);
      app.board.apply(e);
      if (e.what.kind === 'tapped' && e.what.by === app.station) app.toast(e.what.words, 'ok');
      if (e.what.kind === 'call_answered' && e.what.caller === app.station) app.answered(e.what.call_id);
      // Read out only what is new (a resume replays what was missed, already shown on screen).
      if (e.what.kind === 'announcement' && hubNow() - e.at < 60_000) app.ringer.announce(e.what.words);
      app.changed();
    },
  });
  app.link = link;
  link.start();
  setInterval(tick, 1000);
}

start();
