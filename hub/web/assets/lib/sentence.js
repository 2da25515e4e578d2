// A call's standard sentence, said from the typed call. A `call_placed` event carries the call
// only (no field twice on the wire), so every client says the sentence itself; the words come
// from the hub's own script table (`script_table.js`, made by the hub from its protocol), so the
// page says exactly what the hub and the radio CLI say. The tests hold this to the hub's
// rendering of thousands of calls, word for word (tests/tests/sentences_page.rs).

import TABLE from './script_table.js';

/** The form of the script an intent is said in: its kind, or a named variant of it. */
function formOf(intent) {
  switch (intent.kind) {
    case 'arrival_broadcast':
      return intent.appointment ? 'arrival_broadcast' : 'arrival_broadcast.walk_in';
    case 'shuttle':
      return intent.next_run ? 'shuttle.next_run' : 'shuttle';
    case 'assign':
      return `assign.${intent.turn}`;
    default:
      return intent.kind;
  }
}

/** The words for each slot of the script, from the intent's fields (absent ones left out). */
function slotValues(intent) {
  const v = {
    who: intent.visitor ? `${intent.visitor.surname}${TABLE.titles[intent.visitor.title] ?? ''}` : null,
    n: intent.party,
    desc: intent.description,
    drink: intent.drink,
    room: intent.room,
    copies: intent.copies,
    material: intent.material,
    items: intent.items,
    plate: intent.plate,
    text: intent.text,
  };
  for (const k of Object.keys(v)) if (v[k] == null) delete v[k];
  return v;
}

/** How a station is said on the radio: `S1` → 水吧, `X:张伟` → 大客户经理张伟. */
function radioName(station) {
  const manager = managerOf(station);
  if (manager != null) return `${TABLE.manager}${manager}`;
  return TABLE.posts[station] ?? String(station);
}

function managerOf(station) {
  return typeof station === 'string' && station.startsWith('X:') ? station.slice(2) : null;
}

/** The word a form uses for a station, where the form has one for that post. */
function wordFor(station, words) {
  return words[station] ?? radioName(station);
}

/**
 * The standard sentence of a typed call (`{caller, target, intent}`), as the hub renders it:
 * 「我是{caller}，呼叫{target}，{matter}，收到请回答。」. An intent of a form this page's table does
 * not have gives '' rather than a sentence made up.
 */
export function sentenceOf(call) {
  const form = call && call.intent ? TABLE.forms[formOf(call.intent)] : undefined;
  if (!form) return '';
  const values = slotValues(call.intent);
  const have = form.slots.filter((s) => s in values).join(',');
  const template = form.matter[have];
  if (template == null) return '';
  const matter = template.replace(/\{(\w+)\}/g, (_, slot) => String(values[slot]));
  const caller = wordFor(call.caller, form.caller_words);
  const manager = managerOf(call.target);
  let out;
  if (form.address && manager != null) {
    out = TABLE.sole_callers[call.intent.kind] === call.caller
      ? `${manager}经理`
      : `我是${caller}，${manager}经理`;
  } else {
    const target = call.target === 'ALL' ? TABLE.all : wordFor(call.target, form.target_words);
    out = `我是${caller}，呼叫${target}`;
  }
  for (const part of [matter, form.closing]) {
    if (part) out += `，${part}`;
  }
  return `${out}。`;
}
