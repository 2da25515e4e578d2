// A quick action's short form: big controls for each field the catalogue lists (whom, how many,
// which room, what drink, the plate), filled from the board where it can be (the group just
// announced, the room held for this manager, the manager next up), and the standard sentence
// previewed by the hub (`preview`) as the form changes — the tablet never writes the sentence
// itself. 发送 places the typed call (`call`).

import { h, fill } from './dom.js';
import { icon } from './icons.js';
import {
  activeGroups, groupsFor, likelyManager, likelyRoom, managers, rooms,
} from './pick.js';
import {
  BOOL_CHOICES, CALL_LABEL, FIELD_LABEL, ROOM_LABEL, TEXT_SUGGESTIONS, TITLE_LABEL,
  TURN_LABEL, groupName, managerName, refusalWords, splitVisitor, stageWords, stationName,
} from './words.js';

const POSTS = ['L1', 'L2', 'Y1', 'Y2', 'G1', 'S1', 'OPS', 'RC', 'SUP', 'LOBBY', 'MODEL', 'SHUTTLE'];
const PREVIEW_AFTER_MS = 120;

/** Chips: one big toggle button per option, the chosen one pressed. */
function chips(options, chosen, pick, cls = '') {
  return h('div', { class: ['chips', cls], attrs: { role: 'group' } }, options.map((o) => h('button', {
    type: 'button',
    class: ['chip', o.cls],
    attrs: { 'aria-pressed': String(o.key === chosen) },
    data: { key: String(o.key) },
    on: { click: () => pick(o.key) },
  }, o.key === chosen ? icon('check', 'chosen') : null, o.label, o.sub ? h('small', { text: o.sub }) : null)));
}

export class CallForm {
  constructor(app) {
    this.app = app;
    this.sheet = document.getElementById('sheet');
    this.entry = null;
    this.values = {};
    this.seq = 0;
    this.timer = null;
    this.call = null; // the call the preview accepted, ready to send
    this.sending = false;
    document.getElementById('sheet-close').addEventListener('click', () => this.close());
    document.getElementById('sheet-cancel').addEventListener('click', () => this.close());
    document.getElementById('sheet-send').addEventListener('click', () => this.send());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.entry) this.close();
    });
  }

  get isOpen() {
    return this.entry !== null;
  }

  /** Opens the form for a catalogue entry; `prefill` may name a `visit`, a `room`, a `target`. */
  open(entry, prefill = {}) {
    this.entry = entry;
    this.values = this.defaults(entry, prefill);
    this.call = null;
    this.seenOffset = this.app.board.offset;
    document.getElementById('sheet-title').textContent = CALL_LABEL[entry.kind] ?? entry.kind;
    this.draw();
    this.sheet.hidden = false;
    document.body.classList.add('sheet-open');
    this.sheet.querySelector('.sheet-body').scrollTop = 0;
    document.getElementById('sheet-close').focus({ preventScroll: true });
    this.schedule();
  }

  close() {
    this.entry = null;
    this.sheet.hidden = true;
    document.body.classList.remove('sheet-open');
    clearTimeout(this.timer);
    this.seq += 1;
  }

  /**
   * The board moved: redraw the choices it offers (rooms, groups, managers), and read the same
   * call again in the background — the send button stays as it is until the hub says otherwise.
   */
  boardChanged() {
    if (!this.entry) return;
    const offset = this.app.board.offset;
    if (offset === this.seenOffset) return;
    this.seenOffset = offset;
    for (const field of this.sheet.querySelectorAll('[data-field]')) {
      if (!field.contains(document.activeElement)) this.redraw(field);
    }
    this.schedule(false);
  }

  defaults(entry, prefill) {
    const { board, station } = this.app;
    const names = entry.fields.map((f) => f.name);
    const v = {};
    const group = prefill.visit != null
      ? board.visitors.get(prefill.visit)
      : (names.includes('visitor') ? groupsFor(board, station, entry.kind)[0] : null);
    if (names.includes('visitor') && group?.who) {
      v.visitor = splitVisitor(group.who);
      v.visit = group.id;
    }
    if (entry.target === 'X' || entry.target === 'X|SUP') {
      v.target = prefill.target ?? likelyManager(board, station, entry.kind, group);
    } else if (entry.target !== '*') {
      v.target = entry.target;
    } else {
      v.target = prefill.target ?? null;
    }
    for (const f of entry.fields) {
      switch (f.name) {
        case 'party':
          v.party = group?.party ?? null;
          break;
        case 'room':
          v.room = prefill.room ?? group?.room ?? likelyRoom(board, station, entry.kind, v.target);
          break;
        case 'appointment':
          v.appointment = group ? group.appointment : true;
          break;
        case 'next_run':
          v.next_run = false;
          break;
        case 'turn':
          v.turn = group?.appointment ? 'appointment' : 'regular';
          break;
        case 'description':
          v.description = group?.description ?? '';
          break;
        default:
          if (f.type === 'copies') v[f.name] = null;
          else if (!(f.name in v)) v[f.name] = f.type === 'visitor' ? null : '';
      }
    }
    return v;
  }

  draw() {
    const body = this.sheet.querySelector('.sheet-body');
    const blocks = [];
    const { target } = this.entry;
    if (target === 'X' || target === 'X|SUP' || target === '*') {
      blocks.push(this.block('target', FIELD_LABEL.target));
    }
    const fixed = target === 'X' || target === 'X|SUP' || target === '*' ? '' : `呼叫 ${stationName(target)}`;
    document.getElementById('sheet-target').textContent = fixed;
    for (const f of this.entry.fields) {
      blocks.push(this.block(f.name, FIELD_LABEL[f.name] ?? f.name, f));
    }
    if (this.entry.fields.length === 0 && this.entry.kind !== 'hail') {
      blocks.push(h('p', { class: 'hint', text: '这项呼叫不用填写内容，看下面的预览，确认后发送。' }));
    }
    fill(body, blocks);
    for (const field of body.querySelectorAll('[data-field]')) this.redraw(field);
    this.showPreview({ pending: true });
  }

  /** One field: its label, its input (made once, so typing is never interrupted), its choices. */
  block(name, label, f = null) {
    const id = `f-${name}`;
    const el = h('div', { class: 'field', data: { field: name, type: f?.type ?? 'target' } },
      h('label', { class: 'field-label', for: id, text: label }));
    const set = (value) => {
      this.values[name] = value;
      this.redraw(el);
      this.schedule();
    };
    const type = f?.type ?? 'target';
    if (type === 'visitor') {
      const surname = h('input', {
        id, type: 'text', class: 'surname', maxLength: 12, placeholder: '姓', autocomplete: 'off',
        value: this.values.visitor?.surname ?? '',
        on: {
          input: () => {
            this.values.visitor = { ...(this.values.visitor ?? {}), surname: surname.value.trim() };
            this.values.visit = null;
            this.redraw(el);
            this.schedule();
          },
        },
      });
      el.append(h('div', { class: 'choices' }), h('div', { class: 'typed' }, surname, h('div', { class: 'titles' })));
    } else if (type === 'party' || type === 'copies') {
      const input = h('input', {
        id, type: 'number', inputMode: 'numeric', min: 1, max: 999, class: 'count',
        value: this.values[name] ?? '',
        on: { input: () => { this.values[name] = input.value === '' ? null : Number(input.value); this.redraw(el); this.schedule(); } },
      });
      const step = (d) => () => {
        const n = Math.min(999, Math.max(1, (Number(this.values[name]) || 0) + d));
        input.value = String(n);
        set(n);
      };
      el.append(h('div', { class: 'stepper' },
        h('button', { type: 'button', class: 'step', attrs: { 'aria-label': '减一' }, on: { click: step(-1) } }, '−'),
        input,
        h('button', { type: 'button', class: 'step', attrs: { 'aria-label': '加一' }, on: { click: step(1) } }, '+')),
      h('div', { class: 'choices' }));
    } else if (type === 'text' || type === 'plate') {
      const input = h('input', {
        id, type: 'text', class: type, maxLength: type === 'plate' ? 9 : 120, autocomplete: 'off',
        placeholder: type === 'plate' ? '例如 粤B12345' : (f?.optional ? '可不填' : ''),
        value: this.values[name] ?? '',
        on: {
          input: () => {
            if (type === 'plate') input.value = input.value.toUpperCase().replace(/\s/g, '');
            this.values[name] = input.value;
            this.redraw(el);
            this.schedule();
          },
        },
      });
      el.append(input, h('div', { class: 'choices' }));
      el.inputEl = input;
    } else if (type === 'target' && (this.entry.target === 'X' || this.entry.target === 'X|SUP')) {
      const other = h('input', {
        id, type: 'text', class: 'manager-name', maxLength: 16, placeholder: '其他经理：输入名字',
        autocomplete: 'off',
        on: { input: () => { const n = other.value.trim(); this.values.target = n ? `X:${n}` : null; this.redraw(el); this.schedule(); } },
      });
      el.append(h('div', { class: 'choices' }), other);
    } else {
      el.append(h('div', { class: 'choices' }));
    }
    el.setValue = set;
    return el;
  }

  /** Redraws a field's choices from the board and the form's values. */
  redraw(el) {
    const name = el.dataset.field;
    const type = el.dataset.type;
    const { board, station } = this.app;
    const kind = this.entry.kind;
    const box = el.querySelector('.choices');
    const set = el.setValue;
    const optional = this.entry.fields.find((f) => f.name === name)?.optional ?? false;
    switch (type) {
      case 'target': {
        let list;
        if (this.entry.target === '*') list = [...POSTS.filter((p) => p !== station), ...managers(board)];
        else list = managers(board, this.entry.target === 'X|SUP');
        const chosen = this.values.target;
        if (chosen && !list.includes(chosen)) list.push(chosen);
        const nextUp = board.rota?.next_up ? `X:${board.rota.next_up}` : null;
        fill(box, chips(list.map((s) => ({
          key: s,
          label: s.startsWith('X:') ? managerName(s) : stationName(s),
          sub: s === nextUp ? '轮到TA' : null,
        })), chosen, (s) => {
          const input = el.querySelector('.manager-name');
          if (input) input.value = '';
          this.values.target = s;
          if (kind === 'vip_ready') {
            this.values.room = likelyRoom(board, station, kind, s);
            this.redrawField('room');
          }
          this.redraw(el);
          this.schedule();
        }));
        if (list.length === 0) box.append(h('p', { class: 'hint', text: '轮序上还没有经理：在下面输入名字。' }));
        break;
      }
      case 'visitor': {
        const groups = groupsFor(board, station, kind);
        const naming = kind === 'heading_in' || kind === 'appointment_arrived'; // a group named now
        const others = groups.length || naming ? [] : activeGroups(board).filter((v) => v.who).slice(0, 6);
        const list = [...groups, ...others].slice(0, 8);
        fill(box, list.length ? chips(list.map((v) => ({
          key: v.id,
          label: groupName(v),
          sub: stageWords(v) + (v.room && v.stage !== 'in_vip' ? ` · VIP${v.room}` : ''),
        })), this.values.visit, (id) => this.pickGroup(id), 'groups') : null);
        const title = this.values.visitor?.title ?? null;
        fill(el.querySelector('.titles'), chips(Object.entries(TITLE_LABEL).map(([key, label]) => ({ key, label })),
          title, (t) => {
            this.values.visitor = { ...(this.values.visitor ?? { surname: '' }), title: t };
            this.values.visit = null;
            this.redraw(el);
            this.schedule();
          }, 'title-chips'));
        const surname = el.querySelector('.surname');
        if (document.activeElement !== surname) surname.value = this.values.visitor?.surname ?? '';
        break;
      }
      case 'party':
      case 'copies': {
        const input = el.querySelector('input');
        if (document.activeElement !== input) input.value = this.values[name] ?? '';
        const n = Number(this.values[name]) || null;
        fill(box, chips([1, 2, 3, 4, 5, 6].map((k) => ({ key: k, label: String(k) })), n, set, 'numbers'));
        break;
      }
      case 'room': {
        const options = rooms(board).map((r) => {
          const mine = r.manager === station;
          const whose = r.manager ? ` · ${mine ? '我的客户' : managerName(r.manager)}` : '';
          return {
            key: r.room,
            label: `VIP${r.room}`,
            sub: ROOM_LABEL[r.state] + whose,
            cls: mine ? 'room-mine' : `room-${r.state}`,
          };
        });
        if (optional) options.unshift({ key: null, label: '接待区', sub: '不在VIP室' });
        fill(box, chips(options, this.values.room ?? null, set, 'rooms'));
        break;
      }
      case 'text':
      case 'plate': {
        const list = TEXT_SUGGESTIONS[name] ?? [];
        fill(box, list.length ? chips(list.map((t) => ({ key: t, label: t })), this.values[name], (t) => {
          el.inputEl.value = t;
          set(t);
        }, 'suggestions') : null);
        break;
      }
      case 'bool': {
        const options = (BOOL_CHOICES[name] ?? [[true, '是'], [false, '否']]).map(([key, label]) => ({ key, label }));
        fill(box, chips(options, this.values[name], set));
        break;
      }
      case 'turn':
        fill(box, chips(Object.entries(TURN_LABEL).map(([key, label]) => ({ key, label })), this.values[name], set));
        break;
      default:
        break;
    }
  }

  redrawField(name) {
    const el = this.sheet.querySelector(`[data-field="${name}"]`);
    if (el) this.redraw(el);
  }

  /** A group chosen: the visitor, and what else the board knows of them. */
  pickGroup(id) {
    const { board, station } = this.app;
    const v = board.visitors.get(id);
    if (!v) return;
    this.values.visit = id;
    this.values.visitor = splitVisitor(v.who);
    const names = this.entry.fields.map((f) => f.name);
    if (names.includes('party') && v.party) this.values.party = v.party;
    if (names.includes('room') && v.room) this.values.room = v.room;
    if (names.includes('appointment')) this.values.appointment = v.appointment;
    if ((this.entry.target === 'X' || this.entry.target === 'X|SUP')) {
      const m = likelyManager(board, station, this.entry.kind, v);
      if (m) this.values.target = m;
    }
    for (const field of this.sheet.querySelectorAll('[data-field]')) this.redraw(field);
    this.schedule();
  }

  /** The typed call from the form, or what is still missing. */
  build() {
    const missing = [];
    const intent = { kind: this.entry.kind };
    if (!this.values.target) missing.push(FIELD_LABEL.target);
    for (const f of this.entry.fields) {
      const value = this.values[f.name];
      const label = FIELD_LABEL[f.name] ?? f.name;
      switch (f.type) {
        case 'visitor':
          if (!value?.surname || !value?.title) missing.push(value?.surname ? '先生／小姐／女士' : label);
          else intent[f.name] = { surname: value.surname, title: value.title };
          break;
        case 'party':
        case 'copies':
          if (!Number.isInteger(value) || value < 1) missing.push(label);
          else intent[f.name] = value;
          break;
        case 'room':
          if (value == null && !f.optional) missing.push(label);
          else intent[f.name] = value ?? null;
          break;
        case 'text':
        case 'plate': {
          const text = (value ?? '').trim();
          if (!text && !f.optional) missing.push(label);
          else intent[f.name] = text || null;
          break;
        }
        default:
          if (value == null) missing.push(label);
          else intent[f.name] = value;
      }
    }
    if (missing.length) return { missing };
    return { call: { caller: this.app.station, target: this.values.target, intent } };
  }

  /** Previews again soon; `changed`: the form itself changed, so nothing may go until then. */
  schedule(changed = true) {
    clearTimeout(this.timer);
    if (changed) {
      // A preview still on its way was read from the form as it was: it must not arm 发送.
      this.seq += 1;
      this.call = null;
      this.updateSend();
    }
    this.timer = setTimeout(() => this.preview(), PREVIEW_AFTER_MS);
  }

  async preview() {
    if (!this.entry) return;
    const seq = ++this.seq;
    const { call, missing } = this.build();
    if (!call) {
      this.call = null;
      this.showPreview({ missing });
      return;
    }
    try {
      const reply = await this.app.link.request({ type: 'preview', call });
      if (seq !== this.seq) return;
      this.call = call;
      this.showPreview({ sentence: reply.sentence });
    } catch (err) {
      if (seq !== this.seq) return;
      this.call = null;
      this.showPreview({ refused: this.explain(refusalWords(err), call) });
    }
  }

  /** A refusal, with what the board knows of it in the staff's words (who holds the room). */
  explain(refusal, call) {
    const k = call?.intent?.room;
    const room = refusal.rule === 'room_held' && k != null ? this.app.board.rooms.get(k) : null;
    if (!room) return refusal;
    const v = room.visit != null ? this.app.board.visitors.get(room.visit) : null;
    const holder = [room.manager ? managerName(room.manager) : null, v ? groupName(v) : null]
      .filter(Boolean).join('的');
    const words = `VIP${k}${holder ? `有${holder}` : '已有客户'}在用：请选另一间。`;
    return { ...refusal, words: `${words}`, detail: refusal.detail };
  }

  showPreview({ pending, missing, sentence, refused }) {
    const box = document.getElementById('sheet-preview');
    box.className = 'preview';
    if (sentence) {
      box.classList.add('ok');
      fill(box, h('p', { class: 'preview-label' }, icon('wave'), '将要发出（对方听到的标准说辞）：'),
        h('p', { class: 'sentence', id: 'sheet-sentence', text: sentence }));
    } else if (refused) {
      box.classList.add('bad');
      fill(box, h('p', { class: 'preview-label' }, icon('cross'), '不能发出：'),
        h('p', { class: 'rule', text: refused.words }),
        refused.detail ? h('p', { class: 'fine', text: refused.detail }) : null);
    } else if (missing) {
      box.classList.add('wait');
      fill(box, h('p', { class: 'preview-label' }, icon('clock'), `还需要选择：${missing.join('、')}`));
    } else if (pending) {
      fill(box, h('p', { class: 'preview-label', text: '正在生成预览…' }));
    }
    this.updateSend();
  }

  updateSend() {
    const send = document.getElementById('sheet-send');
    send.disabled = !this.call || this.sending;
  }

  async send() {
    if (!this.call || this.sending) return;
    const call = this.call;
    const label = CALL_LABEL[this.entry.kind] ?? this.entry.kind;
    const sentence = document.getElementById('sheet-sentence')?.textContent ?? '';
    this.sending = true;
    this.updateSend();
    try {
      const placed = await this.app.link.request({ type: 'call', call });
      this.close();
      this.app.toast(`已发出：${placed.sentence}`, 'ok', placed.call_id);
    } catch (err) {
      const refusal = this.explain(refusalWords(err), call);
      this.call = null;
      this.showPreview({ refused: refusal });
      this.app.refusedCall({ label, sentence, refusal });
    } finally {
      this.sending = false;
      this.updateSend();
    }
  }
}
