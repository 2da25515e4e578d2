// The site's modes (PROTOCOL.md §7), in the header at all times — each a switch with a mark and
// a word (开 / 关, or the event's time) — and set from there with the `set_mode` tap: rain at
// one touch; a media open day and an important event only after saying what they change (who
// the gate lets in) and asking to confirm. `set_mode` sets the whole mode, so each change sends
// the others as they are.

import { clockTime, hubNow } from '../lib/clock.js';
import { confirmAction } from './confirm.js';
import { h, setText } from './dom.js';

export class ModeView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('modes');
    this.shown = null;
    this.rain = h('button', { type: 'button', class: 'mode-switch', id: 'mode-rain', dataset: { mode: 'rain' }, onclick: () => this.toggleRain() });
    this.media = h('button', { type: 'button', class: 'mode-switch', id: 'mode-media', dataset: { mode: 'media_day' }, onclick: () => this.toggleMedia() });
    this.event = h('button', { type: 'button', class: 'mode-switch', id: 'mode-event', dataset: { mode: 'important_event' }, onclick: () => this.openEvent() });
    this.error = document.getElementById('mode-error');
    this.root.replaceChildren(this.event, this.media, this.rain);

    // The important event's dialog: when, what it changes, confirm.
    this.dialog = document.getElementById('event-dialog');
    this.day = document.getElementById('event-day');
    this.hour = document.getElementById('event-hour');
    this.minute = document.getElementById('event-minute');
    this.hour.replaceChildren(...range(24, 1).map((n) => h('option', { value: n }, pad(n))));
    this.minute.replaceChildren(...range(60, 5).map((n) => h('option', { value: n }, pad(n))));
    this.eventNow = document.getElementById('event-now');
    this.eventEffect = document.getElementById('event-effect');
    document.getElementById('event-cancel').addEventListener('click', () => this.dialog.close());
    document.getElementById('event-set').addEventListener('click', () => this.startEvent());
    document.getElementById('event-end').addEventListener('click', () => this.stopEvent());
    for (const select of [this.day, this.hour, this.minute]) {
      select.addEventListener('change', () => this.explainEvent());
    }
  }

  render() {
    const m = this.app.board.mode;
    const key = JSON.stringify(m); // the board adds milestones to the same object
    if (key === this.shown) return;
    this.shown = key;
    document.body.dataset.rain = m.rain ? 'on' : 'off';
    this.show(this.rain, m.rain, m.rain ? '☂ 雨天 · 开' : '☂ 下雨 · 关');
    this.show(this.media, m.media_day, m.media_day ? '◉ 媒体开放日 · 开' : '◉ 媒体开放日 · 关');
    const at = m.important_event_at;
    this.show(this.event, at != null, at != null
      ? `★ 重要活动 · ${dayAndTime(at)}${announced(m.announced)}`
      : '★ 重要活动 · 未设定');
    this.root.dataset.calm = !m.rain && !m.media_day && at == null ? 'yes' : 'no';
  }

  show(button, on, text) {
    button.dataset.on = on ? 'on' : 'off';
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    setText(button, text);
  }

  async toggleRain() {
    const m = this.app.board.mode;
    await this.set({ ...m, rain: !m.rain });
  }

  async toggleMedia() {
    const m = this.app.board.mode;
    if (!m.media_day) {
      const ok = await confirmAction('开启媒体开放日？', '开启后门岗不再接待任何客户，直到这里关闭为止。');
      if (!ok) return;
    }
    await this.set({ ...this.app.board.mode, media_day: !m.media_day });
  }

  openEvent() {
    const at = this.app.board.mode.important_event_at;
    this.choose(at ?? nextHour(hubNow()));
    setText(this.eventNow, at != null ? `现在设定的是 ${dayAndTime(at)} 开始。` : '现在没有设定重要活动。');
    document.getElementById('event-end').hidden = at == null;
    this.explainEvent();
    this.dialog.showModal();
  }

  explainEvent() {
    const at = this.chosen();
    setText(this.eventEffect, Number.isFinite(at)
      ? `从 ${dayAndTime(at - 3_600_000)} 起只接待预约客户，散客按标准说辞婉拒；活动前60、30、20分钟通告各岗位。活动结束后请回到这里点「结束活动」。`
      : '请选择活动开始的日期和时间。');
  }

  /** Fills the day list (today and the week ahead, by the hub's clock) and selects `ms`. */
  choose(ms) {
    const today = midnight(hubNow());
    const days = range(8, 1).map((n) => {
      const d = new Date(today);
      d.setDate(d.getDate() + n);
      return d.getTime();
    });
    const wanted = midnight(ms);
    if (!days.includes(wanted)) days.unshift(wanted); // an event set for another day
    const names = ['今天', '明天', '后天'];
    this.day.replaceChildren(...days.map((d) => {
      const n = Math.round((d - today) / 86_400_000);
      const date = new Date(d);
      const label = `${date.getMonth() + 1}月${date.getDate()}日`;
      return h('option', { value: d }, n >= 0 && n < names.length ? `${names[n]} ${label}` : label);
    }));
    const t = new Date(ms);
    this.day.value = String(wanted);
    this.hour.value = String(t.getHours());
    this.minute.value = String(t.getMinutes() - (t.getMinutes() % 5));
  }

  /** The time chosen, in ms (the browser's time zone: the gallery's). */
  chosen() {
    const d = new Date(Number(this.day.value));
    d.setHours(Number(this.hour.value), Number(this.minute.value), 0, 0);
    return d.getTime();
  }

  async startEvent() {
    const at = this.chosen();
    if (!Number.isFinite(at)) {
      this.explainEvent();
      return;
    }
    this.dialog.close();
    await this.set({ ...this.app.board.mode, important_event_at: at });
  }

  async stopEvent() {
    this.dialog.close();
    await this.set({ ...this.app.board.mode, important_event_at: null });
  }

  async set(m) {
    this.error.hidden = true;
    const buttons = [this.rain, this.media, this.event];
    for (const b of buttons) b.disabled = true;
    try {
      await this.app.request({
        type: 'tap',
        tap: {
          kind: 'set_mode',
          important_event_at: m.important_event_at ?? null,
          media_day: Boolean(m.media_day),
          rain: Boolean(m.rain),
        },
      });
      // The hub's `mode_changed` redraws the switches.
    } catch (e) {
      this.error.hidden = false;
      setText(this.error, `✕ 场地模式没有改成：${e.message || '请再试一次'}`);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }
}

function nextHour(ms) {
  const d = new Date(ms);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d.getTime();
}

const pad = (n) => String(n).padStart(2, '0');

function midnight(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** 0, step, 2·step, … below `end`. */
function range(end, step) {
  const out = [];
  for (let n = 0; n < end; n += step) out.push(n);
  return out;
}

/** 「14:00」 today, or 「11月29日 14:00」. */
function dayAndTime(ms) {
  const d = new Date(ms);
  const today = new Date(hubNow());
  const same = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return same ? clockTime(ms) : `${d.getMonth() + 1}月${d.getDate()}日 ${clockTime(ms)}`;
}

function announced(list) {
  if (!list?.length) return '';
  return `（已通告T-${Math.min(...list)}）`;
}
