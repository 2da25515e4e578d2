// The hub's JSON WebSocket (protocol/PROTOCOL.md §1–2): `/ws` on the page's own host, subprotocol
// `radio.v1.json`, `connect` with the tablet's token first; replies and events handed on.

export const SUBPROTOCOL = 'radio.v1.json';

/** Close codes 4500–4999: do not reconnect as you are (4500: the token is refused). */
export const BAD_TOKEN = 4500;

/** `ws://host/ws` (or `wss:` on https) for the page's own hub. */
export function hubUrl(location = window.location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * Opens the socket and signs in with `token`. Calls `onWelcome(body)` for the welcome reply,
 * `onEvent(frame)` for each event, `onError(frame)` for an error frame and `onClose({code,
 * reason})` when the socket closes. Returns the WebSocket.
 */
export function connect(token, { onWelcome, onEvent, onError, onClose } = {}) {
  const socket = new WebSocket(hubUrl(), SUBPROTOCOL);
  let nextId = 1;
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ id: nextId++, cmd: { type: 'connect', token } }));
  });
  socket.addEventListener('message', (message) => {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === 'reply' && frame.body && frame.body.kind === 'welcome') {
      onWelcome?.(frame.body);
    } else if (frame.type === 'event') {
      onEvent?.(frame);
    } else if (frame.type === 'error') {
      onError?.(frame);
    }
  });
  socket.addEventListener('close', (e) => onClose?.({ code: e.code, reason: e.reason }));
  return socket;
}
