// Time as the staff read it: 「刚刚」, 「45秒前」, 「3分钟前」 — counted on the hub's clock (a
// tablet's own clock may be off), and kept current on screen by one ticker.

let skew = null; // the tablet's clock minus the hub's, as tightly as events have shown it

/** Learns the clock's offset from a live event's time (`at`, the hub's ms). */
export function heard(at) {
  const seen = Date.now() - at;
  // An event arrives after it happened, never before: the smallest gap is the closest to the
  // clocks' true offset. Replayed events are old, so they do not move it.
  if (skew === null || seen < skew) skew = seen;
}

/** Now, on the hub's clock. */
export function hubNow() {
  return Date.now() - (skew ?? 0);
}

/** 「刚刚」, 「12秒前」, 「3分钟前」, 「1小时5分钟前」. */
export function ago(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 5) return '刚刚';
  if (s < 60) return `${s}秒前`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分钟前`;
  const hours = Math.floor(m / 60);
  return m % 60 ? `${hours}小时${m % 60}分钟前` : `${hours}小时前`;
}

/** 「0.8秒」, 「12秒」, 「2分5秒」: how long something took. */
export function took(ms) {
  if (ms < 10_000) return `${Math.max(0.1, ms / 1000).toFixed(1)}秒`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}秒`;
  return `${Math.floor(s / 60)}分${s % 60}秒`;
}

/** 「14:05」 in the tablet's time zone. */
export function clock(at) {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A text that says how long ago `at` was, kept current by `tick`. */
export function since(at, cls = 'since') {
  const el = document.createElement('time');
  el.className = cls;
  el.dataset.since = String(at);
  el.dateTime = new Date(at).toISOString();
  el.textContent = ago(hubNow() - at);
  return el;
}

/** Brings every `since` on the page up to date. */
export function tick(root = document) {
  const now = hubNow();
  for (const el of root.querySelectorAll('[data-since]')) {
    const text = ago(now - Number(el.dataset.since));
    if (el.textContent !== text) el.textContent = text;
  }
}
