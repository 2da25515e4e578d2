// The page's link to the hub (protocol/PROTOCOL.md §1–2, §6): one JSON WebSocket to `/ws`,
// `connect` with the tablet's token, requests answered by id, and events handed on in order.
//
// A dropped link is said at once and mended by itself: reconnect with backoff and jitter, resume
// from the last offset seen (no gap, no double), or — when the hub says `snapshot_needed` —
// reload the board from a `state` snapshot. A refused token (4500–4999: bad, 4504 expired, 4505
// revoked — at sign-in or while connected) is final: the page shows a sign-in error instead of
// retrying. A silent link (no pong) counts as lost: a browser does
// not notice a Wi-Fi that died without a FIN.

export const SUBPROTOCOL = 'radio.v1.json';

const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 8_000;
const BACKOFF_MS = [300, 1_000, 2_000, 4_000, 8_000];

/** `ws://host/ws` (or `wss:` on https) for the page's own hub. */
export function hubUrl(location = window.location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/** A refusal from the hub: `code` (§6), `message` (what to do), `rule` (the rule broken). */
export class Refused extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.code = frame.code;
    this.rule = frame.rule ?? null;
  }
}

/**
 * The link. Callbacks:
 * - `onState(state, detail, code)`: `connecting`, `online`, `offline` (retrying), `refused`
 *   (final; `detail` is the hub's reason, `code` its close code);
 * - `onSnapshot(state)`: a fresh board from `state` — on first connect and after `snapshot_needed`;
 * - `onEvent(event)`: each event after the snapshot, in offset order, never twice;
 * - `onWelcome(welcome)`: who the hub says this tablet is.
 */
export class Link {
  constructor(token, { onState, onSnapshot, onEvent, onWelcome } = {}) {
    this.token = token;
    this.on = { onState, onSnapshot, onEvent, onWelcome };
    this.socket = null;
    this.nextId = 1;
    this.pending = new Map();
    this.epoch = null;
    this.offset = 0; // the last event folded (the snapshot's offset, then each event's)
    this.attempt = 0;
    this.state = 'connecting';
    this.held = null; // events that came before the snapshot, kept until it does
    this.timers = { ping: null, pong: null, retry: null };
    this.stopped = false;
  }

  start() {
    this.open();
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  /** Sends a command; resolves with the reply's body, rejects with `Refused` or a lost link. */
  request(cmd) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || this.state !== 'online') {
      return Promise.reject(new Refused({ code: 'offline', message: '与对讲系统的连接已断开，正在重连' }));
    }
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, cmd }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  setState(state, detail = '', code = 0) {
    this.state = state;
    this.on.onState?.(state, detail, code);
  }

  open() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.offset === 0 ? 'connecting' : 'offline');
    let socket;
    try {
      socket = new WebSocket(hubUrl(), SUBPROTOCOL);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      const resume = this.epoch !== null && this.offset > 0
        ? { epoch: this.epoch, from: this.offset + 1 }
        : null;
      // `bundles`: frames the hub writes together come as one array, read in order.
      socket.send(JSON.stringify({ id: 0, cmd: { type: 'connect', token: this.token, resume, bundles: true } }));
    });
    socket.addEventListener('message', (m) => this.receive(m.data));
    socket.addEventListener('close', (e) => this.closed(socket, e.code, e.reason));
  }

  receive(data) {
    let frames;
    try {
      frames = JSON.parse(data);
    } catch {
      return;
    }
    // One frame, or a bundle of them (an array), taken in order.
    for (const frame of Array.isArray(frames) ? frames : [frames]) this.take(frame);
  }

  /** One frame from the hub: an event, the welcome, or the answer to a request. */
  take(frame) {
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'event') {
      this.event(frame);
      return;
    }
    if (frame.type === 'reply' && frame.body?.kind === 'welcome') {
      this.welcome(frame.body);
      return;
    }
    const waiting = this.pending.get(frame.id);
    if (!waiting) return;
    this.pending.delete(frame.id);
    if (frame.type === 'reply') waiting.resolve(frame.body);
    else waiting.reject(new Refused(frame));
  }

  welcome(body) {
    this.attempt = 0;
    const fresh = this.epoch !== body.epoch || body.recovery?.outcome !== 'recovered';
    this.epoch = body.epoch;
    this.setState('online');
    this.on.onWelcome?.(body);
    this.keepAlive();
    if (fresh) this.reload();
  }

  /** Loads the board from a snapshot; events meanwhile are held and folded after it. */
  async reload() {
    this.held = [];
    try {
      let snapshot;
      try {
        snapshot = (await this.request({ type: 'state' })).state;
      } catch (e) {
        // A board too big for one frame (§1: `too_large`) is read over HTTP instead.
        if (e.rule !== 'too_large') throw e;
        snapshot = await this.fetchState();
      }
      this.offset = snapshot.offset;
      this.on.onSnapshot?.(snapshot);
      const held = this.held;
      this.held = null;
      for (const e of held) this.event(e);
    } catch {
      this.held = null;
      this.socket?.close();
    }
  }

  /** The snapshot over HTTP (`GET /api/state`, the same JSON as `state`). */
  async fetchState() {
    const response = await fetch('/api/state', {
      headers: { Authorization: `Bearer ${this.token}` },
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`/api/state: ${response.status}`);
    return response.json();
  }

  /** Ends the link for good: the page has no use for it (signed out, or not this page's post). */
  stop() {
    this.stopped = true;
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.retry);
    this.socket?.close(1000);
  }

  event(frame) {
    if (this.held) {
      this.held.push(frame);
      return;
    }
    if (frame.offset <= this.offset) return; // seen already (a resume overlaps a snapshot)
    this.offset = frame.offset;
    this.on.onEvent?.(frame);
  }

  keepAlive() {
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => {
      clearTimeout(this.timers.pong);
      this.timers.pong = setTimeout(() => this.socket?.close(), PONG_WITHIN_MS);
      this.request({ type: 'ping' })
        .then(() => clearTimeout(this.timers.pong))
        .catch(() => {});
    }, PING_EVERY_MS);
  }

  closed(socket, code, reason) {
    if (socket !== this.socket) return;
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    for (const { reject } of this.pending.values()) {
      reject(new Refused({ code: 'offline', message: '与对讲系统的连接已断开，正在重连' }));
    }
    this.pending.clear();
    this.socket = null;
    if (code >= 4500 && code <= 4999) {
      this.stopped = true;
      this.setState('refused', reason || String(code), code);
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const wait = base / 2 + Math.random() * base; // jitter: tablets do not all retry in step
    this.attempt += 1;
    this.setState('offline');
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => this.open(), wait);
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timers.retry);
    this.open();
  }
}
