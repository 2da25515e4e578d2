// What a post's forms and lists take from the board: the groups that matter to it, the managers
// one may call, the room a call is most likely about. Choices only — the hub decides what is
// allowed, and the form's preview says so before anything is sent.

const ACTIVE = (v) => v.stage !== 'left' && v.stage !== 'declined';
const ARRIVING = new Set(['at_gate', 'awaiting_reception', 'parking']);

/** When the group last moved: the latest of its stage times. */
export function movedAt(v) {
  return Math.max(0, ...Object.values(v.times ?? {}).filter((t) => typeof t === 'number'));
}

/** Since when the group has been at its current stage. */
export function stageSince(v) {
  return v.times?.[v.stage] ?? movedAt(v);
}

/** Active groups, most recently moved first. */
export function activeGroups(board) {
  return [...board.visitors.values()].filter(ACTIVE).sort((a, b) => movedAt(b) - movedAt(a));
}

/** Groups on the way in: announced at the gate, waiting for reception, or heading to the door. */
export function arriving(board) {
  return activeGroups(board).filter((v) => ARRIVING.has(v.stage));
}

/** The groups a manager takes care of. */
export function mine(board, station) {
  return activeGroups(board).filter((v) => v.manager === station);
}

/** Whom a visitor field offers for a call of `kind` from `station`, most likely first. */
export function groupsFor(board, station, kind) {
  const all = activeGroups(board).filter((v) => v.who);
  const is = (...stages) => (v) => stages.includes(v.stage);
  if (station.startsWith('X:')) {
    const own = all.filter((v) => v.manager === station);
    return own.length ? own : all.filter((v) => !v.manager || v.manager === station);
  }
  switch (kind) {
    case 'arrival_broadcast':
      return all.filter(is('at_gate', 'awaiting_reception', 'parking'));
    case 'taxi_arrived': {
      const waiting = openOrders(board, (o) => o.kind === 'taxi' && o.owed_by === station)
        .map((o) => board.visitors.get(o.visit))
        .filter((v) => v?.who);
      return waiting.length ? waiting : all.filter(is('departing'));
    }
    case 'assign':
      return all.filter((v) => !v.manager);
    case 'line_up':
    case 'vip_departing':
    case 'see_off':
      return all.filter(is('in_vip', 'departing', 'with_manager'));
    case 'heading_in':
    case 'appointment_arrived':
      return []; // a group the gate names now: typed
    default:
      return all;
  }
}

/** The managers one may call: the rota's, then any the board names; for `X|SUP` the supervisor too. */
export function managers(board, withSupervisor = false) {
  const seen = new Set();
  const add = (s) => {
    if (typeof s === 'string' && s.startsWith('X:')) seen.add(s);
  };
  const rota = board.rota ?? {};
  if (rota.next_up) add(`X:${rota.next_up}`);
  for (const e of [...(rota.visit ?? []), ...(rota.phone ?? [])]) add(`X:${e.manager}`);
  for (const v of activeGroups(board)) add(v.manager);
  for (const r of board.rooms.values()) add(r.manager);
  const list = [...seen];
  if (withSupervisor) list.push('SUP');
  return list;
}

/** Open orders matching `f`, oldest first. */
export function openOrders(board, f = () => true) {
  return [...board.orders.values()]
    .filter((o) => o.state !== 'done' && f(o))
    .sort((a, b) => a.asked_at - b.asked_at);
}

export function rooms(board) {
  return [...board.rooms.values()].sort((a, b) => a.room - b.room);
}

/** The room a manager's next call is about: the one held for them, in use first. */
export function managersRoom(board, station) {
  const held = rooms(board).filter((r) => r.manager === station);
  const order = ['occupied', 'ready', 'preparing'];
  held.sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  return held[0]?.room ?? null;
}

/** The room most likely meant by a call of `kind` from `station` (to `target`). */
export function likelyRoom(board, station, kind, target) {
  const first = (...states) => rooms(board).find((r) => states.includes(r.state))?.room ?? null;
  if (station.startsWith('X:')) return managersRoom(board, station);
  switch (kind) {
    case 'vip_ready': {
      const forTarget = rooms(board).find((r) => r.state === 'preparing' && r.manager === target);
      return forTarget?.room ?? first('preparing') ?? first('free');
    }
    case 'clear_room': {
      const gone = rooms(board).find((r) => {
        const v = r.visit != null ? board.visitors.get(r.visit) : null;
        return r.state === 'occupied' && v && (v.stage === 'departing' || v.stage === 'left');
      });
      return gone?.room ?? first('occupied');
    }
    case 'room_cleared':
      return first('to_clear');
    case 'drinks':
    case 'id_copy':
      return first('occupied', 'ready');
    default:
      return null;
  }
}

/** The manager a call of `kind` is most likely for. */
export function likelyManager(board, station, kind, visit) {
  if (visit?.manager && kind !== 'assign') return visit.manager;
  if (kind === 'assign' && board.rota?.next_up) return `X:${board.rota.next_up}`;
  if (kind === 'vip_ready') {
    const preparing = rooms(board).find((r) => r.state === 'preparing' && r.manager);
    if (preparing) return preparing.manager;
  }
  if (kind === 'taxi_arrived') {
    const taxi = openOrders(board, (o) => o.kind === 'taxi' && o.owed_by === station
      && (!visit || o.visit === visit.id))[0];
    if (taxi) return taxi.asked_by;
  }
  return managers(board)[0] ?? null;
}

/** This manager's line on the rota, and where they stand in it. */
export function myTurn(board, station) {
  if (!station.startsWith('X:')) return null;
  const name = station.slice(2);
  const rota = board.rota ?? {};
  const visit = rota.visit ?? [];
  const phone = rota.phone ?? [];
  const entry = visit.find((e) => e.manager === name) ?? phone.find((e) => e.manager === name) ?? null;
  const free = visit.filter((e) => e.standing_by && !e.busy && !e.on_business);
  return {
    entry,
    nextUp: rota.next_up === name,
    place: entry && entry.duty === 'visit' ? visit.indexOf(entry) + 1 : null,
    ahead: entry ? free.filter((e) => visit.indexOf(e) < visit.indexOf(entry)).length : 0,
  };
}
