// The dashboard's own words for the board's codes (PROTOCOL.md §7): stages, room states, alarm
// kinds, rota states. Each meaning has a word and a mark, so colour is never the only cue.
// (The sentences of calls, taps and alarms are the hub's own and are shown as they come.)

/** The stage columns, left to right, and the stages each holds. */
export const COLUMNS = [
  { key: 'gate', title: '门岗', stages: ['at_gate', 'awaiting_reception'] },
  { key: 'parking', title: '进场·停车', stages: ['parking'] },
  { key: 'at_door', title: '到达门口', stages: ['at_door'] },
  { key: 'with_manager', title: '经理接待', stages: ['with_manager'] },
  { key: 'in_vip', title: 'VIP室', stages: ['in_vip'] },
  { key: 'model_house', title: '样板房', stages: ['model_house'] },
  { key: 'departing', title: '离场', stages: ['departing'] },
];

/** Stages that are over: counted in the "today done" strip, not in a column. */
export const OVER = ['left', 'declined'];

/** The stages in the order a group goes through them (for a visitor's day). */
export const STAGE_ORDER = [
  'awaiting_reception', 'can_receive', 'at_gate', 'parking', 'parked', 'at_door', 'greeted',
  'with_manager', 'room_requested', 'in_vip', 'model_house', 'departing', 'left', 'declined',
];

/** The keys of `times` that are stages (the others are moments within one). */
export const STAGES = new Set([
  'at_gate', 'awaiting_reception', 'parking', 'at_door', 'with_manager', 'in_vip',
  'model_house', 'departing', 'left', 'declined',
]);

/** What each stage (and moment) is called on the dashboard. */
export const STAGE_WORDS = {
  at_gate: '已到门岗',
  awaiting_reception: '等接待中心答复',
  can_receive: '接待中心：可以接待',
  parking: '进场·停车',
  parked: '已停车',
  at_door: '已到门口',
  greeted: '门口已迎接',
  with_manager: '经理接待中',
  room_requested: '已申请VIP室',
  in_vip: '在VIP室',
  model_house: '参观样板房',
  departing: '准备离场',
  left: '已离开',
  declined: '已婉拒',
};

/**
 * After how long a stage counts as slow (ms): the door within the 5 minutes the hub allows
 * before its alarm, reception's answer within 3; the long stages get generous limits (project).
 */
export const SLOW_AFTER = {
  at_gate: 5 * 60_000,
  awaiting_reception: 3 * 60_000,
  parking: 5 * 60_000,
  at_door: 5 * 60_000,
  with_manager: 90 * 60_000,
  in_vip: 120 * 60_000,
  model_house: 60 * 60_000,
  departing: 10 * 60_000,
};

/** VIP room states: mark, word, and whether it wants attention. */
export const ROOM_STATES = {
  free: { mark: '○', word: '空闲' },
  preparing: { mark: '◐', word: '准备中' },
  ready: { mark: '✓', word: '已就绪' },
  occupied: { mark: '●', word: '使用中' },
  to_clear: { mark: '↻', word: '待清扫' },
};

/** Alarm kinds, as the supervisor calls them. */
export const ALERT_WORDS = {
  not_greeted: '门口未接到客人',
  room_not_cleared: 'VIP室未清扫',
  order_overdue: '服务超时',
  no_room_free: '没有空闲VIP室',
  walk_in_not_arrived: '散客未进场',
  few_standing_by: '门口待命经理不足',
  no_duty_manager: '值班经理不在线',
  discrepancy: '对讲与看板不符',
};

/** The same, short enough for a visitor's card. */
export const ALERT_SHORT = {
  not_greeted: '门口未接到',
  no_room_free: '无空闲VIP室',
  walk_in_not_arrived: '散客未进场',
};

/** Order kinds and states. */
export const ORDER_WORDS = {
  drinks: '饮品',
  id_copy: '复印身份证',
  documents: '资料',
  restock: '补货',
  taxi: '出租车',
  clear_room: '打扫VIP室',
};
export const ORDER_STATES = {
  asked: { mark: '◷', word: '待收到' },
  acknowledged: { mark: '✓', word: '已收到' },
  done: { mark: '✓', word: '已完成' },
};

/** What a visitor is called when the radio has not named them. */
export const UNNAMED = '未具名客人';

/** 「王先生 · 3人」 */
export function groupName(v) {
  return v.who ?? UNNAMED;
}

/** When the group entered the stage it is in now (the latest stage time: a group may come back). */
export function stageSince(v) {
  let since = v.times?.[v.stage] ?? 0;
  for (const [key, at] of Object.entries(v.times ?? {})) {
    if (STAGES.has(key) && at > since) since = at;
  }
  return since;
}
