// What the placeholder tablet and dashboard share: sign in with the kept token, show the station
// and the link's state, list the calls heard. Text only: nothing from the network becomes HTML.

import { BAD_TOKEN, connect } from './hub.js';
import { postName } from './posts.js';
import { forgetToken, takeToken } from './token.js';

const LINK = {
  connecting: '○ 正在连接…',
  online: '● 已连接',
  offline: '✕ 连接已断开',
  refused: '✕ 登录无效',
  'signed-out': '○ 未登录',
};

function show(id, text) {
  document.getElementById(id).textContent = text;
}

function linkState(state) {
  const link = document.getElementById('link');
  link.dataset.state = state;
  link.textContent = LINK[state];
}

/**
 * Runs a page: `tokenKey` names where its token is kept; `welcomed(station)` may return a hint to
 * show once signed in (the dashboard's "needs a SUP token").
 */
export function run({ tokenKey, welcomed = () => '' }) {
  const token = takeToken(tokenKey);
  const signOut = document.getElementById('sign-out');
  signOut.addEventListener('click', () => {
    forgetToken(tokenKey);
    window.location.reload();
  });
  if (!token) {
    linkState('signed-out');
    show('station', '未登录');
    show('hint', '请用本岗位的登录链接或二维码打开此页（hub token 岗位 --link）。');
    return;
  }
  signOut.hidden = false;
  const calls = document.getElementById('call-list');
  connect(token, {
    onWelcome(welcome) {
      linkState('online');
      document.body.dataset.station = welcome.station;
      show('station', postName(welcome.station));
      show('hint', welcomed(welcome.station));
      document.getElementById('calls').hidden = false;
    },
    onEvent(frame) {
      if (frame.what.kind !== 'call_placed') return;
      const item = document.createElement('li');
      item.textContent = frame.what.sentence;
      calls.prepend(item);
      while (calls.children.length > 5) calls.lastElementChild.remove();
    },
    onClose({ code }) {
      if (code === BAD_TOKEN) {
        linkState('refused');
        document.getElementById('calls').hidden = true;
        show('station', '登录无效');
        show('hint', '此令牌已失效或不属于本对讲系统，请向主管索取新的登录链接。');
      } else {
        linkState('offline');
      }
    },
  });
}
