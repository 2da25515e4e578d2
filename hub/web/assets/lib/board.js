// The site's board as a page holds it: a `state` snapshot, then every event folded in — the
// update events replace what they name (protocol/PROTOCOL.md §7), and the call events say by
// themselves whom a call waits for (`awaiting`) and which answer closes it (`closes`). So the page
// has no rules of its own, and what it shows is what the hub has. A placed call's sentence is
// said from the typed call with the hub's own script table (`sentence.js`).

import { sentenceOf } from './sentence.js';

/** How many closed calls and log lines a page keeps for showing (bounded memory). */
const KEEP_CLOSED = 50;
const KEEP_LOG = 200;

export class Board {
  constructor() {
    this.reset({});
  }

  /** Replaces everything with a snapshot (`state` reply). */
  reset(s) {
    this.station = s.station ?? null;
    this.site = s.site ?? '';
    this.offset = s.offset ?? 0;
    this.visitors = byKey(s.visitors, (v) => v.id);
    this.rooms = byKey(s.rooms, (r) => r.room);
    this.orders = byKey(s.orders, (o) => o.id);
    this.alerts = byKey(s.alerts, (a) => a.id);
    this.rota = s.rota ?? { visit: [], phone: [], next_up: null };
    this.mode = s.mode ?? { important_event_at: null, media_day: false, rain: false, announced: [] };
    this.counts = s.counts ?? {};
    this.presence = new Map(Object.entries(s.presence ?? {}).map(([k, n]) => [k, n > 0]));
    this.calls = new Map();
    for (const c of s.open_calls ?? []) {
      this.calls.set(c.call_id, {
        ...c,
        awaiting: [...(c.awaiting ?? [])],
        answers: (c.answers ?? []).map(([by, answer]) => ({ by, answer })),
      });
    }
    this.closed = [];
    this.log = [];
    this.announcements = [];
  }

  /** Folds one event (`{offset, at, what}`) in; returns what changed, for the views. */
  apply(e) {
    const w = e.what;
    this.offset = e.offset;
    switch (w.kind) {
      case 'visit_updated':
        this.visitors.set(w.visit.id, w.visit);
        break;
      case 'room_updated':
        this.rooms.set(w.room.room, w.room);
        break;
      case 'order_updated':
        this.orders.set(w.order.id, w.order);
        break;
      case 'rota_updated':
        this.rota = w.rota;
        break;
      case 'mode_changed':
        this.mode = w.mode;
        break;
      case 'alert_raised':
        this.alerts.set(w.alert.id, w.alert);
        break;
      case 'alert_resolved':
        this.alerts.delete(w.id);
        break;
      case 'board_pruned':
        this.prune(w.before);
        break;
      case 'announcement':
        if (w.milestone != null && !this.mode.announced.includes(w.milestone)) {
          this.mode.announced.push(w.milestone);
        }
        this.announcements.unshift({ at: e.at, words: w.words, to: w.to });
        this.announcements.length = Math.min(this.announcements.length, KEEP_LOG);
        break;
      case 'call_placed':
        this.placed(e, w);
        break;
      case 'call_answered':
        this.answered(e, w);
        break;
      case 'call_repeated': {
        const c = this.calls.get(w.call_id);
        if (c) {
          c.attempt = w.attempt;
          c.last_said_at = e.at;
        }
        break;
      }
      case 'call_escalated': {
        const c = this.calls.get(w.call_id);
        if (c) c.escalated = true;
        break;
      }
      case 'target_offline': {
        const c = this.calls.get(w.call_id);
        if (c) c.target_offline = true;
        break;
      }
      case 'station_online':
        this.presence.set(w.station, true);
        break;
      case 'station_offline':
        this.presence.set(w.station, false);
        break;
      case 'tapped':
        this.note(e.at, w.words, w.by);
        break;
      default:
        break;
    }
    return w.kind;
  }

  placed(e, w) {
    const awaiting = w.awaiting ?? (typeof w.call.target === 'string' && w.call.target !== 'ALL'
      ? [w.call.target]
      : []);
    const call = {
      call_id: e.offset, // a placed call's id is its event's offset
      call: w.call,
      sentence: sentenceOf(w.call),
      placed_at: e.at,
      last_said_at: e.at,
      attempt: 1,
      escalated: false,
      awaiting: [...awaiting],
      answers: [],
      target_offline: false,
    };
    this.note(e.at, call.sentence, w.call.caller);
    if (awaiting.length === 0) {
      this.close(call, e.at); // a report or an announcement: nothing to wait for
    } else {
      this.calls.set(call.call_id, call);
    }
  }

  answered(e, w) {
    const c = this.calls.get(w.call_id);
    this.note(e.at, ANSWER_WORDS[w.answer] ?? w.answer, w.by);
    if (!c) return;
    c.answers.push({ by: w.by, answer: w.answer, at: e.at, latency_ms: w.latency_ms });
    c.awaiting = c.awaiting.filter((s) => s !== w.by);
    if (w.closes !== false) {
      this.calls.delete(w.call_id);
      this.close(c, e.at);
    }
  }

  close(call, at) {
    this.closed.unshift({ ...call, closed_at: at });
    this.closed.length = Math.min(this.closed.length, KEEP_CLOSED);
  }

  note(at, words, by) {
    this.log.unshift({ at, words, by });
    this.log.length = Math.min(this.log.length, KEEP_LOG);
  }

  /** A new day: what was over before `before` leaves the board, as the hub's own fold does. */
  prune(before) {
    for (const [id, v] of this.visitors) {
      const over = v.stage === 'left' || v.stage === 'declined';
      const finished = Math.max(0, ...Object.values(v.times ?? {}));
      if (over && finished < before) this.visitors.delete(id);
    }
    for (const [id, o] of this.orders) {
      if (o.done_at != null && o.done_at < before) this.orders.delete(id);
    }
    const kept = (e) => e.signed_in_at >= before;
    this.rota = {
      ...this.rota,
      visit: this.rota.visit.filter(kept),
      phone: this.rota.phone.filter(kept),
      returning_today: [],
    };
  }

  /** Open calls this station still owes an answer to, oldest first. */
  owedBy(station) {
    return [...this.calls.values()]
      .filter((c) => c.awaiting.includes(station) && !c.answers.some((a) => a.by === station))
      .sort((a, b) => a.placed_at - b.placed_at);
  }

  /** The calls this station made: open ones, then the closed ones kept, newest first. */
  madeBy(station) {
    const open = [...this.calls.values()].filter((c) => c.call.caller === station);
    const closed = this.closed.filter((c) => c.call.caller === station);
    return [...open.sort((a, b) => b.placed_at - a.placed_at), ...closed];
  }
}

export const ANSWER_WORDS = {
  received: '收到',
  can_receive: '可以接待',
  cannot_receive: '无法接待',
};

function byKey(list, key) {
  return new Map((list ?? []).map((x) => [key(x), x]));
}
