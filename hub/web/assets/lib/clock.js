// Time as the pages show it: the hub's clock (every time on the board is the hub's), and how a
// person says a span — 「12分钟」, 「45秒」, 「3分钟前」, 「09:05」.
//
// The hub stamps every event with its own clock, which need not be this browser's (a tablet
// with a wrong clock; a drill on a hand-set hub clock). So "now" is estimated from what the
// hub says: the latest time seen on an event, against this browser's clock when it arrived.
// It only moves forward (a replayed old event says nothing about now), and a snapshot starts
// it again.

let skew = 0; // hub time − this browser's time, in ms
let known = false;

/** Notes a time the hub stamped (an event's `at`, a time on the board) as "at least now". */
export function noteHubTime(at) {
  if (typeof at !== 'number' || !Number.isFinite(at) || at <= 0) return;
  const s = at - Date.now();
  if (!known || s > skew) {
    skew = s;
    known = true;
  }
}

/** Forgets what was learnt (a new snapshot: perhaps another hub, another clock). */
export function resetHubTime() {
  skew = 0;
  known = false;
}

/** The hub's "now", in ms since the epoch. */
export function hubNow() {
  return Date.now() + skew;
}

const pad = (n) => String(n).padStart(2, '0');

/** 「09:05」 (the browser's time zone, which is the gallery's). */
export function clockTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 「09:05:12」. */
export function clockSeconds(ms) {
  const d = new Date(ms);
  return `${clockTime(ms)}:${pad(d.getSeconds())}`;
}

/** A span in minutes, for stages and rooms: 「不到1分钟」, 「12分钟」, 「1小时05分」. */
export function minutes(ms) {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 1) return '不到1分钟';
  if (m < 60) return `${m}分钟`;
  return `${Math.floor(m / 60)}小时${pad(m % 60)}分`;
}

/** The same, short, where room is scarce: 「<1分」, 「12分」, 「1时05分」. */
export function shortMinutes(ms) {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 1) return '<1分';
  if (m < 60) return `${m}分`;
  return `${Math.floor(m / 60)}时${pad(m % 60)}分`;
}

/** A span in seconds, for calls and answer times: 「8秒」, 「2分10秒」, 「1小时05分」. */
export function seconds(ms) {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${pad(s % 60)}秒`;
  return `${Math.floor(s / 3600)}小时${pad(Math.floor(s / 60) % 60)}分`;
}

/** A short span for figures: 「0.8秒」, 「45秒」, 「3分20秒」. */
export function briefSpan(ms) {
  if (ms == null) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}秒`;
  return seconds(ms);
}

/** How long ago: 「刚刚」, 「3分钟前」, 「1小时前」. */
export function ago(ms) {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 1) return '刚刚';
  if (m < 60) return `${m}分钟前`;
  return `${Math.floor(m / 60)}小时前`;
}
