// What each post needs at a glance, from the board, with the one-tap updates beside what they
// are about: the gate's arrivals and taxis, the car park's cars, the door's guests, the reception
// desk's incoming groups and the rota, the butler's VIP rooms, the water bar's orders oldest
// first, a manager's own visitors and place in the rota — and for every post its alerts.

import { h, patch } from './dom.js';
import { icon } from './icons.js';
import {
  activeGroups, arriving, mine, myTurn, openOrders, rooms, stageSince,
} from './pick.js';
import { callButton, tapButton } from './taps.js';
import { since } from './time.js';
import {
  ORDER_KIND, ORDER_STATE, ROOM_LABEL, groupName, managerName, stageWords, stationName,
} from './words.js';

export function renderGlance(app) {
  const root = document.getElementById('glance');
  const { station } = app;
  const parts = [alerts(app), announcements(app)];
  const post = station.startsWith('X:') ? 'X' : station;
  const views = {
    L1: gate, L2: carPark, Y1: door, Y2: door, RC: desk, G1: butler, S1: waterBar, OPS: kitchen,
    X: manager, LOBBY: lobby, MODEL: modelHouse, SHUTTLE: modelHouse,
  };
  parts.push(...(views[post] ?? others)(app));
  patch(root, parts.filter(Boolean));
}

// ── building blocks ────────────────────────────────────────────────────────────────────────

function panel(title, ico, items, { empty = '暂无', count = true, cls = '' } = {}) {
  const list = items.filter(Boolean);
  return h('section', { class: ['panel', 'glance', cls] },
    h('h2', {}, icon(ico), title, count && list.length ? h('span', { class: 'count', text: String(list.length) }) : null),
    list.length ? h('ul', { class: 'rows' }, list) : h('p', { class: 'empty', text: empty }));
}

function tag(cls, ico, word) {
  return h('span', { class: `tag ${cls}` }, ico ? icon(ico) : null, word);
}

const alertFor = (app, id) => app.board.alerts.get(id) ?? null;

/** A visitor group: who, how many, where they are and since when; what to tap beside it. */
function groupRow(app, v, actions = [], { note = null } = {}) {
  const late = alertFor(app, `not_greeted:${v.id}`) ?? alertFor(app, `walk_in_not_arrived:${v.id}`);
  const stageCls = late ? 'bad' : v.stage === 'departing' ? 'wait' : 'info';
  return h('li', { class: ['row', late ? 'late' : null], data: { visit: v.id } },
    h('div', { class: 'row-main' },
      h('p', { class: 'row-title' },
        h('strong', { text: groupName(v) }),
        v.who || v.appointment ? tag(v.appointment ? 'appt' : 'walkin', null, v.appointment ? '预约' : '散客') : null,
        v.room && v.stage !== 'in_vip' ? tag('info', 'room', `VIP${v.room}`) : null),
      h('p', { class: 'row-sub' },
        late ? tag('bad', 'alert', '超时') : null,
        tag(stageCls, v.stage === 'in_vip' ? 'room' : null,
          stageWords(v)),
        v.manager && v.manager !== app.station ? h('span', { text: managerName(v.manager) }) : null,
        since(stageSince(v))),
      v.description ? h('p', { class: 'row-note', text: `体貌特征：${v.description}` }) : null,
      note ? h('p', { class: 'row-note', text: note }) : null),
    actions.filter(Boolean).length ? h('div', { class: 'row-actions' }, actions.filter(Boolean)) : null);
}

/** Whether the call that asked for an order still waits for this post's 收到. */
function stillToAnswer(app, o) {
  return app.board.calls.get(o.id)?.awaiting.includes(app.station) ?? false;
}

/** The tap that says an order is done — once its call has been answered 收到. */
function doneButton(app, o, label) {
  if (stillToAnswer(app, o)) return null;
  return tapButton(app, label, { kind: 'order_done', order: o.id }, { cls: 'primary' });
}

/** An order: what, for where, who asked, how long ago, and its state (overdue by the hub's alarm). */
function orderRow(app, o, actions = []) {
  const late = alertFor(app, `order_overdue:${o.id}`);
  const [cls, ico, word] = late
    ? ['bad', 'alert', '超时']
    : o.state === 'asked' ? ['wait', 'clock', ORDER_STATE.asked]
      : o.state === 'acknowledged' ? ['info', 'clock', ORDER_STATE.acknowledged]
        : ['ok', 'check', ORDER_STATE.done];
  const whom = o.owed_by === app.station ? `${stationName(o.asked_by)}要` : `由${stationName(o.owed_by)}办`;
  return h('li', { class: ['row', 'order', late ? 'late' : null], data: { order: o.id } },
    h('div', { class: 'row-main' },
      h('p', { class: 'row-title' },
        tag('kind', null, ORDER_KIND[o.kind] ?? o.kind),
        h('strong', { text: o.detail }),
        o.room ? tag('info', 'room', `VIP${o.room}`) : null),
      h('p', { class: 'row-sub' }, tag(cls, ico, word), h('span', { text: whom }), since(o.asked_at)),
      stillToAnswer(app, o) ? h('p', { class: 'row-note', text: '请先在上方点「收到」' }) : null),
    actions.filter(Boolean).length ? h('div', { class: 'row-actions' }, actions.filter(Boolean)) : null);
}

function alerts(app) {
  const list = [...app.board.alerts.values()].sort((a, b) => a.raised_at - b.raised_at);
  if (!list.length) return null;
  return h('section', { class: 'panel alerts', attrs: { role: 'alert' } },
    h('h2', {}, icon('alert'), '提醒'),
    h('ul', { class: 'rows' }, list.map((a) => h('li', { class: 'row late' },
      h('div', { class: 'row-main' },
        h('p', { class: 'row-title' }, tag('bad', 'alert', '请处理'), h('strong', { text: a.text })),
        h('p', { class: 'row-sub' }, since(a.raised_at)))))));
}

function announcements(app) {
  const list = app.board.announcements.slice(0, 2);
  if (!list.length) return null;
  return h('section', { class: 'panel notices' },
    h('h2', {}, icon('bell'), '通知'),
    h('ul', { class: 'rows' }, list.map((n) => h('li', { class: 'row' },
      h('div', { class: 'row-main' }, h('p', { class: 'row-title', text: n.words }),
        h('p', { class: 'row-sub' }, since(n.at)))))));
}

function recent(app, title = '最近的呼叫', n = 8) {
  const list = app.board.log.slice(0, n);
  return panel(title, 'list', list.map((e) => h('li', { class: 'row log' },
    h('div', { class: 'row-main' },
      h('p', { class: 'row-title', text: e.words }),
      h('p', { class: 'row-sub' }, h('span', { text: stationName(e.by) }), since(e.at))))),
  { empty: '本页打开以后的呼叫会列在这里', count: false });
}

function departing(app, canTapLeft = true) {
  const list = activeGroups(app.board).filter((v) => v.stage === 'departing');
  return panel('准备离场', 'exit', list.map((v) => groupRow(app, v, [
    canTapLeft ? tapButton(app, '已离开', { kind: 'left', visit: v.id }, { ico: 'exit' }) : null,
  ])), { empty: '暂无客户离场' });
}

function rotaPanel(app, { me = null } = {}) {
  const rota = app.board.rota ?? {};
  const row = (e, i) => {
    const next = rota.next_up === e.manager;
    const tags = [];
    if (next) tags.push(tag('ok', 'up', '下一位'));
    if (e.busy) tags.push(tag('info', 'person', '接待中'));
    else if (e.on_business) tags.push(tag('wait', 'clock', '因公外出'));
    else if (!e.standing_by) tags.push(tag('wait', 'clock', '暂离'));
    else tags.push(tag('ok', 'door', '门口待命'));
    if (e.owed) tags.push(tag('info', null, `补${e.owed}轮`));
    if (e.skip_next) tags.push(tag('wait', null, '下轮轮空'));
    return h('li', { class: ['row', 'rota-row', next ? 'next' : null, `X:${e.manager}` === me ? 'me' : null] },
      h('div', { class: 'row-main' },
        h('p', { class: 'row-title' },
          h('span', { class: 'place', text: e.duty === 'visit' ? String(i + 1) : '电' }),
          h('strong', { text: `${e.manager}${`X:${e.manager}` === me ? '（我）' : ''}` }), tags),
        h('p', { class: 'row-sub', text: `今日接待${e.turns}组${e.duty === 'phone' ? ' · 接电组' : ''}` })));
  };
  const visit = (rota.visit ?? []).map(row);
  const phone = (rota.phone ?? []).map((e) => row(e, 0));
  return panel('接访轮序', 'person', [...visit, ...phone], { empty: '还没有经理签到', count: false, cls: 'rota' });
}

// ── each post ──────────────────────────────────────────────────────────────────────────────

function gate(app) {
  const { board, station } = app;
  const coming = arriving(board).map((v) => {
    const actions = [];
    if (v.stage === 'awaiting_reception' && v.reception_ok) {
      actions.push(callButton(app, 'heading_in', '已前往展示中心', { visit: v.id }));
    } else if (v.stage === 'at_gate' && v.who) {
      actions.push(callButton(app, 'arrival_broadcast', '通报各岗位', { visit: v.id }));
    }
    const note = v.stage === 'awaiting_reception'
      ? (v.reception_ok ? '接待中心：可以接待，请引导客户前往展示中心' : '等待接待中心回复能否接待')
      : null;
    return groupRow(app, v, actions, { note });
  });
  const taxis = openOrders(board, (o) => o.kind === 'taxi' && o.owed_by === station).map((o) => orderRow(app, o, [
    callButton(app, 'taxi_arrived', '出租车已到', { visit: o.visit, target: o.asked_by }, { ico: 'car' }),
  ]));
  const appts = arriving(board).filter((v) => v.appointment).length;
  return [
    panel(`门口与停车场${appts ? `（预约${appts}组）` : ''}`, 'door', coming, { empty: '门口暂无客户' }),
    panel('出租车', 'car', taxis, { empty: '暂无叫车' }),
    departing(app),
    recent(app),
  ];
}

function carPark(app) {
  const list = arriving(app.board);
  const toPark = list.filter((v) => !v.times?.parked);
  const parked = list.filter((v) => v.times?.parked);
  return [
    panel('前往停车场的客户', 'car', toPark.map((v) => groupRow(app, v, [
      tapButton(app, '已停好车', { kind: 'parked', visit: v.id }, { ico: 'car', cls: 'primary' }),
    ])), { empty: '暂无车辆' }),
    panel('已停车，前往大门', 'door', parked.map((v) => groupRow(app, v)), { empty: '暂无' }),
    departing(app),
  ];
}

function door(app) {
  const { board } = app;
  const coming = arriving(board).filter((v) => v.stage !== 'awaiting_reception' || v.reception_ok);
  const atDoor = activeGroups(board).filter((v) => v.stage === 'at_door');
  return [
    panel('即将到大门', 'door', coming.map((v) => groupRow(app, v, [
      tapButton(app, '已迎接', { kind: 'greeted', visit: v.id }, { ico: 'person', cls: 'primary' }),
    ], { note: v.times?.parked ? '已停好车，正前往大门' : null })), { empty: '暂无客户前来' }),
    panel('已迎接，等经理接待', 'person', atDoor.map((v) => groupRow(app, v)), { empty: '暂无' }),
    departing(app),
  ];
}

function desk(app) {
  const { board } = app;
  const coming = activeGroups(board).filter((v) => !v.manager
    && ['at_gate', 'awaiting_reception', 'parking', 'at_door'].includes(v.stage));
  return [
    panel('进场客户（待分配）', 'door', coming.map((v) => groupRow(app, v, [
      v.who ? callButton(app, 'assign', '分配经理', { visit: v.id }, { ico: 'person', cls: 'primary' }) : null,
    ])), { empty: '暂无待分配的客户' }),
    rotaPanel(app),
    departing(app),
  ];
}

function butler(app) {
  const { board, station } = app;
  const tiles = rooms(board).map((r) => {
    const v = r.visit != null ? board.visitors.get(r.visit) : null;
    const actions = [];
    if (r.state === 'preparing') {
      actions.push(callButton(app, 'vip_ready', '已准备好', { room: r.room, target: r.manager ?? undefined }, { cls: 'primary' }));
    } else if (r.state === 'ready' && v) {
      actions.push(tapButton(app, '客人已进入', { kind: 'entered_vip', visit: v.id, room: r.room }, { ico: 'room' }));
    } else if (r.state === 'occupied') {
      actions.push(callButton(app, 'drinks', '送饮品', { room: r.room }, { ico: 'cup' }));
      actions.push(callButton(app, 'clear_room', '通知打扫', { room: r.room }, { ico: 'exit' }));
    }
    return roomTile(r, v, actions);
  });
  const todo = openOrders(board, (o) => o.owed_by === station).map((o) => orderRow(app, o, [
    doneButton(app, o, '已完成'),
  ]));
  return [
    h('section', { class: 'panel glance rooms-panel' }, h('h2', {}, icon('room'), 'VIP室'),
      h('div', { class: 'room-tiles' }, tiles)),
    panel('待办（复印、资料）', 'list', todo, { empty: '暂无待办' }),
    panel('我要的服务', 'cup', openOrders(board, (o) => o.asked_by === station).map((o) => orderRow(app, o)), { empty: '暂无' }),
  ];
}

function roomTile(r, v, actions) {
  const cls = { free: 'ok', preparing: 'wait', ready: 'info', occupied: 'busy', to_clear: 'bad' }[r.state] ?? 'info';
  const ico = { free: 'check', preparing: 'clock', ready: 'door', occupied: 'person', to_clear: 'alert' }[r.state] ?? 'room';
  return h('div', { class: `room-tile room-${r.state}`, data: { room: r.room } },
    h('p', { class: 'room-name', text: `VIP${r.room}` }),
    tag(cls, ico, ROOM_LABEL[r.state] ?? r.state),
    r.manager ? h('p', { class: 'room-who', text: managerName(r.manager) }) : null,
    v ? h('p', { class: 'room-who', text: groupName(v) }) : null,
    r.since ? since(r.since) : null,
    actions.filter(Boolean).length ? h('div', { class: 'row-actions' }, actions.filter(Boolean)) : null);
}

function waterBar(app) {
  const { board, station } = app;
  // Clearing a room is reported on the radio (「VIP3已打扫完毕」), so it is listed with its room.
  const todo = openOrders(board, (o) => o.owed_by === station && o.kind !== 'clear_room')
    .map((o) => orderRow(app, o, [doneButton(app, o, '已送到')]));
  const toClear = rooms(board).filter((r) => r.state === 'to_clear').map((r) => h('li', { class: 'row', data: { room: r.room } },
    h('div', { class: 'row-main' },
      h('p', { class: 'row-title' }, h('strong', { text: `VIP${r.room}` }), tag('bad', 'alert', '待打扫')),
      h('p', { class: 'row-sub' }, since(r.since))),
    h('div', { class: 'row-actions' }, callButton(app, 'room_cleared', '打扫完毕', { room: r.room }, { cls: 'primary' }))));
  return [
    panel('待送（先到先送）', 'cup', todo, { empty: '暂无待送的饮品' }),
    panel('待打扫的VIP室', 'room', toClear, { empty: '暂无' }),
    panel('我要的补货', 'list', openOrders(board, (o) => o.asked_by === station).map((o) => orderRow(app, o)), { empty: '暂无' }),
    roomsGlance(app),
  ];
}

function roomsGlance(app) {
  return h('section', { class: 'panel glance rooms-panel small' }, h('h2', {}, icon('room'), 'VIP室'),
    h('div', { class: 'room-tiles' }, rooms(app.board).map((r) => {
      const v = r.visit != null ? app.board.visitors.get(r.visit) : null;
      return roomTile(r, v, []);
    })));
}

function kitchen(app) {
  const { board, station } = app;
  return [
    panel('待办', 'list', openOrders(board, (o) => o.owed_by === station).map((o) => orderRow(app, o, [
      doneButton(app, o, '已送到'),
    ])), { empty: '暂无待办' }),
    recent(app),
  ];
}

function manager(app) {
  const { board, station } = app;
  const turn = myTurn(board, station);
  const held = rooms(board).filter((r) => r.manager === station);
  const own = mine(board, station).map((v) => {
    const a = [];
    const room = held.find((r) => r.visit === v.id) ?? held.find((r) => r.state === 'ready' || r.state === 'preparing');
    switch (v.stage) {
      case 'with_manager':
        if (room && room.state === 'ready') {
          a.push(tapButton(app, `已进入VIP${room.room}`, { kind: 'entered_vip', visit: v.id, room: room.room }, { ico: 'room' }));
        } else if (!room) {
          a.push(callButton(app, 'vip_request', '申请VIP室', { visit: v.id }, { ico: 'room', cls: 'primary' }));
        }
        a.push(callButton(app, 'drinks', '送饮品', { room: v.room ?? null }, { ico: 'cup' }));
        a.push(tapButton(app, '去样板房', { kind: 'model_house', visit: v.id }, { ico: 'door' }));
        a.push(callButton(app, 'see_off', '送客', { visit: v.id }, { ico: 'exit' }));
        break;
      case 'in_vip':
        a.push(callButton(app, 'drinks', '送饮品', { room: v.room }, { ico: 'cup', cls: 'primary' }));
        a.push(callButton(app, 'id_copy', '复印身份证', { room: v.room }, { ico: 'list' }));
        a.push(callButton(app, 'vip_departing', '离场', { visit: v.id, room: v.room }, { ico: 'exit' }));
        break;
      case 'model_house':
        a.push(callButton(app, 'see_off', '送客', { visit: v.id }, { ico: 'exit' }));
        break;
      case 'departing':
        a.push(callButton(app, 'taxi', '叫出租车', { visit: v.id }, { ico: 'car' }));
        a.push(tapButton(app, '已离开', { kind: 'left', visit: v.id }, { ico: 'exit' }));
        break;
      default:
        a.push(tapButton(app, '我已接待', { kind: 'took_over', visit: v.id }, { ico: 'person', cls: 'primary' }));
    }
    return groupRow(app, v, a);
  });
  const waiting = activeGroups(board).filter((v) => !v.manager && v.stage === 'at_door').map((v) => groupRow(app, v, [
    tapButton(app, '我来接待', { kind: 'took_over', visit: v.id }, { ico: 'person' }),
  ]));
  const place = myPlace(app, turn);
  return [
    own.length ? null : place,
    panel('我的客户', 'person', own, { empty: '暂无客户' }),
    own.length ? place : null,
    waiting.length ? panel('大门等经理接待', 'door', waiting) : null,
    panel('我要的服务', 'cup', openOrders(board, (o) => o.asked_by === station).map((o) => orderRow(app, o)), { empty: '暂无' }),
    rotaPanel(app, { me: station }),
  ];
}

/** A manager's place in the rota, in one line, with the taps that change it. */
function myPlace(app, turn) {
  const e = turn?.entry ?? null;
  let cls;
  let ico;
  let words;
  if (!e) [cls, ico, words] = ['wait', 'clock', '未签到接访轮序'];
  else if (e.busy) [cls, ico, words] = ['info', 'person', '接待中：暂不轮到新客户'];
  else if (e.on_business) [cls, ico, words] = ['wait', 'clock', '因公外出：轮次为您保留'];
  else if (!e.standing_by) [cls, ico, words] = ['wait', 'clock', '暂离：不在门口待命'];
  else if (turn.nextUp) [cls, ico, words] = ['ok', 'up', '下一位就是您'];
  else [cls, ico, words] = ['info', 'door', `门口待命，前面还有${turn.ahead}位`];
  const taps = [];
  if (!e) {
    taps.push(tapButton(app, '签到', { kind: 'sign_in', duty: null }, { cls: 'primary' }));
  } else {
    if (!e.standing_by || e.on_business) taps.push(tapButton(app, '回到门口待命', { kind: 'stand_by', at_door: true }, { ico: 'door', cls: 'primary' }));
    if (e.standing_by && !e.on_business) taps.push(tapButton(app, '暂离', { kind: 'stand_by', at_door: false }, { ico: 'clock' }));
    if (!e.on_business) taps.push(tapButton(app, '因公外出', { kind: 'away_on_business' }, { ico: 'exit' }));
    taps.push(tapButton(app, '签退', { kind: 'sign_out' }, { ico: 'exit', cls: 'quiet' }));
  }
  return h('section', { class: `panel my-place ${cls}` },
    h('h2', {}, icon('person'), '我的轮序'),
    h('p', { class: 'my-place-words' }, icon(ico), words),
    h('div', { class: 'row-actions' }, taps));
}

function lobby(app) {
  const { board } = app;
  const up = activeGroups(board).filter((v) => v.stage === 'model_house');
  const could = activeGroups(board).filter((v) => v.stage === 'with_manager');
  return [
    panel('在样板房的客户', 'room', up.map((v) => groupRow(app, v)), { empty: '暂无' }),
    panel('经理接待中（可能前来）', 'person', could.map((v) => groupRow(app, v, [
      tapButton(app, '到样板房了', { kind: 'model_house', visit: v.id }, { ico: 'door' }),
    ])), { empty: '暂无' }),
    recent(app),
  ];
}

function modelHouse(app) {
  const up = activeGroups(app.board).filter((v) => v.stage === 'model_house');
  return [panel('在样板房的客户', 'room', up.map((v) => groupRow(app, v)), { empty: '暂无' }), recent(app)];
}

function others(app) {
  const hint = app.station === 'SUP'
    ? h('section', { class: 'panel' }, h('p', { class: 'hint' }, '巡场主管请用看板：',
      h('a', { href: '/dashboard', text: '打开巡场主管看板' })))
    : null;
  return [hint, recent(app, '最近的呼叫', 12)];
}
