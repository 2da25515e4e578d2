// Making a call heard: a chime, then its sentence read aloud; a re-call or an escalation rings
// harder (a rising triple chime, twice). In discreet mode, no sound: the tablet vibrates where it
// can and its border flashes. A call that leaves (answered here or on another tablet of the post)
// is not read any more.

import { chime, hush, speak, vibrate } from '../lib/speech.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Ringer {
  constructor(app) {
    this.app = app;
    this.heard = new Map(); // call id → how urgent it was when last rung
    this.queue = [];
    this.owed = new Set();
    this.speaking = null;
    this.busy = false;
  }

  /** The calls this post owes now: rings for each that is new or has become more urgent. */
  update(owed) {
    this.owed = new Set(owed.map((c) => c.call_id));
    for (const c of owed) {
      const level = c.escalated ? 1000 : c.attempt;
      if (level > (this.heard.get(c.call_id) ?? 0)) {
        this.heard.set(c.call_id, level);
        this.queue = this.queue.filter((q) => q.call.call_id !== c.call_id);
        this.queue.push({ call: c, urgent: level > 1 });
      }
    }
    for (const id of this.heard.keys()) if (!this.owed.has(id)) this.heard.delete(id);
    this.queue = this.queue.filter((q) => q.notice || this.owed.has(q.call.call_id));
    if (this.speaking !== null && !this.owed.has(this.speaking)) {
      this.speaking = null;
      hush();
    }
    this.pump();
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const { call, urgent, notice } = this.queue.shift();
        if (this.app.discreet) {
          vibrate(urgent ? [400, 150, 400, 150, 400] : [250, 120, 250]);
          await sleep(urgent ? 1500 : 800);
          continue;
        }
        await chime(urgent);
        if (this.app.discreet || !(notice || this.owed.has(call.call_id))) continue;
        this.speaking = call.call_id;
        await speak(call.sentence);
        this.speaking = null;
      }
    } finally {
      this.busy = false;
    }
  }

  /** An announcement to this post (a milestone, the rain reminder): a chime and its words. */
  announce(words) {
    this.queue.push({ call: { call_id: null, sentence: words }, urgent: false, notice: true });
    this.pump();
  }

  /** Discreet mode switched on: stop reading aloud at once. */
  quiet() {
    this.speaking = null;
    hush();
  }
}
