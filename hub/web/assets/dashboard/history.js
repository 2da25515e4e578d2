// Which calls and taps were about which visitor group, for "their day so far".
//
// The hub logs the events one command causes together, at consecutive offsets: the call (or the
// answer, or the tap) first, then the board's updates (PROTOCOL.md §2). The supervisor sees every
// event, so a `visit_updated` right behind a call in that run was moved by that call. Nothing is
// guessed from the words. What happened before this page opened is not known here; the visitor's
// day then falls back to the times on the board. Bounded: so many groups, so many lines each.

import { ANSWER_WORDS } from '../lib/board.js';
import { sentenceOf } from '../lib/sentence.js';

const CAUSES = new Set(['call_placed', 'call_answered', 'call_repeated', 'call_escalated', 'tapped']);
const FOLLOWERS = new Set([
  'visit_updated', 'room_updated', 'order_updated', 'rota_updated', 'announcement',
  'target_offline', 'mode_changed',
]);

export class VisitHistory {
  constructor({ keepVisits = 600, keepEach = 40, keepSentences = 1000 } = {}) {
    this.keepVisits = keepVisits;
    this.keepEach = keepEach;
    this.keepSentences = keepSentences;
    this.reset();
  }

  reset() {
    this.byVisit = new Map(); // visit id → [{at, by, words, about}], oldest first
    this.sentences = new Map(); // call id → its sentence, for an answer's line
    this.run = null; // the command whose events are coming in: {entry, last, visits}
  }

  /** Folds one event in (call it for every event, in order). */
  apply(e) {
    const w = e.what;
    if (CAUSES.has(w.kind)) {
      this.run = { entry: this.entry(e), last: e.offset, visits: new Set() };
      return;
    }
    const run = this.run;
    if (run && FOLLOWERS.has(w.kind) && e.offset === run.last + 1) {
      run.last = e.offset;
      if (w.kind === 'visit_updated' && run.entry && !run.visits.has(w.visit.id)) {
        run.visits.add(w.visit.id);
        this.add(w.visit.id, run.entry);
      }
      return;
    }
    this.run = null; // the hub's own event (an alarm, a timer): the run is over
  }

  entry(e) {
    const w = e.what;
    switch (w.kind) {
      case 'call_placed': {
        const sentence = sentenceOf(w.call);
        this.sentences.set(e.offset, sentence); // the call's id
        if (this.sentences.size > this.keepSentences) {
          this.sentences.delete(this.sentences.keys().next().value);
        }
        return { at: e.at, by: w.call.caller, words: sentence, about: null };
      }
      case 'call_answered':
        return {
          at: e.at,
          by: w.by,
          words: ANSWER_WORDS[w.answer] ?? w.answer,
          about: this.sentences.get(w.call_id) ?? null,
        };
      case 'tapped':
        return { at: e.at, by: w.by, words: w.words, about: null };
      default:
        return null; // a repeat or an escalation moves no group
    }
  }

  add(visit, entry) {
    let lines = this.byVisit.get(visit);
    if (!lines) {
      lines = [];
      this.byVisit.set(visit, lines);
      if (this.byVisit.size > this.keepVisits) {
        this.byVisit.delete(this.byVisit.keys().next().value);
      }
    }
    lines.push(entry);
    if (lines.length > this.keepEach) lines.shift();
  }

  /** The lines about a group, oldest first (empty when none were seen). */
  of(visit) {
    return this.byVisit.get(visit) ?? [];
  }

  /** Drops the groups no longer on the board (after a new day's pruning). */
  keepOnly(ids) {
    for (const id of this.byVisit.keys()) if (!ids.has(id)) this.byVisit.delete(id);
  }
}
