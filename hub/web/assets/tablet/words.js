// The tablet's own words: labels for buttons, stages, states and the rules a refusal names.
// Never the sentences of the radio script — those are the hub's script table's (`lib/sentence.js`).

import { postName } from '../lib/posts.js';

/** What each quick action is called on its button: short, as the staff would say the task. */
export const CALL_LABEL = {
  walk_in_query: '散客：询问能否接待',
  heading_in: '散客已前往展示中心',
  appointment_arrived: '预约客户已抵达',
  arrival_broadcast: '到访通报各岗位',
  vip_request: '申请VIP室',
  vip_ready: 'VIP室已准备好',
  vip_departing: 'VIP室客户离场',
  drinks: '送饮品',
  id_copy: '复印身份证',
  documents: '准备资料',
  restock: '补货（操作间）',
  clear_room: '通知打扫VIP室',
  room_cleared: 'VIP室打扫完毕',
  see_off: '送客',
  taxi: '叫出租车',
  taxi_arrived: '出租车已到',
  model_house_ready: '客人上楼（样板房）',
  guests_down: '客人下楼（大堂）',
  shuttle: '呼叫电瓶车',
  assign: '分配接待经理',
  line_up: '列队送客（各岗位）',
  hail: '只呼叫（不说事项）',
  free: '其他事项【其他】',
};

/** The quick actions shown smaller, after the scripted ones. */
export const SECONDARY_CALLS = new Set(['hail', 'free']);

export const FIELD_LABEL = {
  visitor: '客户',
  party: '人数',
  copies: '份数',
  room: 'VIP室',
  drink: '饮品（含数量）',
  material: '资料种类（不写「资料」二字）',
  items: '需要的物品',
  description: '体貌特征（可不填）',
  plate: '车牌号（可不填）',
  appointment: '客户类型',
  next_run: '电瓶车',
  turn: '接待类型',
  text: '要说的事',
  target: '呼叫谁',
};

/** Suggestions under a text field, one tap each (the person may still type anything). */
export const TEXT_SUGGESTIONS = {
  drink: ['两杯柠檬水', '三杯柠檬水', '两杯热茶', '一杯咖啡'],
  material: ['户型', '楼书', '价格表'],
  items: ['柠檬和冰块', '矿泉水', '一次性纸杯', '茶叶'],
  description: ['黑色轿车', '白色SUV', '一家三口', '带小孩'],
};

export const BOOL_CHOICES = {
  appointment: [[true, '预约客户'], [false, '非预约客户']],
  next_run: [[false, '请前来接送'], [true, '车已满，等下一班']],
};

export const TURN_LABEL = {
  regular: '轮序接待',
  returning: '老客户再来访',
  stand_in: '代为接待',
  requested: '客户指定',
  non_sales: '非销售接待',
  appointment: '预约客户',
};

export const TITLE_LABEL = { mr: '先生', miss: '小姐', ms: '女士' };

export const STAGE_LABEL = {
  at_gate: '门岗已通报',
  awaiting_reception: '等接待中心答复',
  parking: '停车／前往大门',
  at_door: '已到大门',
  with_manager: '经理接待中',
  in_vip: 'VIP室',
  model_house: '样板房',
  departing: '准备离场',
  left: '已离开',
  declined: '已婉拒',
};

export const ROOM_LABEL = {
  free: '空闲',
  preparing: '准备中',
  ready: '已就绪',
  occupied: '使用中',
  to_clear: '待打扫',
};

export const ORDER_KIND = {
  drinks: '饮品',
  id_copy: '复印身份证',
  documents: '资料',
  restock: '补货',
  taxi: '出租车',
  clear_room: '打扫',
};

export const ORDER_STATE = {
  asked: '等待收到',
  acknowledged: '已收到·处理中',
  done: '已完成',
};

export const ANSWER_LABEL = {
  received: '收到',
  can_receive: '可以接待',
  cannot_receive: '无法接待',
};

/** A rule a refusal names (PROTOCOL.md §4, §6, §9), in plain words with what to do. */
export const RULE_WORDS = {
  empty: '没有内容：请输入要说的话。',
  too_long: '太长了：一次呼叫只说一句简短的话。',
  no_caller: '没有说明本岗位：请以「我是…」开头。',
  no_target: '没有说明呼叫哪个岗位：请说「呼叫…」。',
  unknown_post: '说到的岗位不在本对讲网内。',
  bad_name: '经理的名字只能是文字，名字后面加逗号。',
  unknown_manager: '听不出是哪位经理：请说经理的全名。',
  matter_not_understood: '不是标准说辞：请用标准说法，或在事项前加【其他】作为其他事项发出。',
  bad_field: '有一项内容不对，请检查后再发。',
  missing_closing: '结尾少了「收到请回答」。',
  wrong_target: '这件事应该呼叫另一个岗位。',
  wrong_caller: '本岗位不做这项呼叫。',
  impersonation: '只能以本岗位的身份呼叫。',
  room_held: '这间VIP室已有别的客户在用：请选另一间。',
  no_such_room: '本案场没有这间VIP室。',
  appointments_only: '重要活动前一小时起只接待预约客户。',
  media_day: '今天是媒体开放日，暂停接待客户。',
  not_signed_in: '还没有签到接访轮序：请先签到。',
  already_signed_in: '已经签到过了。',
  wrong_post: '本岗位不做这项操作。',
  no_such_visit: '找不到这组客户。',
  visit_over: '这组客户已经离开或已婉拒。',
  no_such_order: '找不到这项服务。',
  not_yours: '这不是本岗位的事。',
  already_done: '这项服务已经完成了。',
  no_such_alert: '这条提醒已经解除。',
  off_site: '呼叫的岗位或VIP室不在本案场。',
  not_understood: '读不懂这句话：请用标准说法。',
  unknown_call: '这个呼叫已经结束（可能已在本岗位另一台平板上回复）。',
  bad_answer: '这个呼叫不能这样回答。',
  offline: '与对讲系统的连接已断开，正在重连，请稍后再试。',
  overloaded: '系统繁忙，请稍后再试。',
  internal: '系统出错，请稍后再试。',
  bad_frame: '页面发出的内容有误，请刷新页面。',
};

/** Which field a `bad_field` refusal is about, from the start of the hub's message. */
const FIELD_FAULT = [
  [/^who:/, '客户称呼不对：用姓加先生／小姐／女士，例如 王先生、欧阳女士。'],
  [/^party/, '人数不对：1到999人。'],
  [/^copies/, '份数不对：1到999份。'],
  [/^VIP room/, 'VIP室号不对。'],
  [/^plate/, '车牌号不对：省份简称加字母和5到6位字母数字，例如 粤B12345。'],
  [/^material/, '资料种类不要带「资料」二字，例如只写「户型」。'],
  [/^(drink|items|material|description|text) must/, '文字不对：1到120个字，不要带标点。'],
];

/**
 * A refusal for a person: `{words, detail}` — the rule in plain Chinese (with what to do) and
 * the hub's own message as the detail.
 */
export function refusalWords(err) {
  const rule = err?.rule ?? null;
  const code = err?.code ?? null;
  const message = err?.message ?? '';
  const inner = message.replace(/^bad field:\s*/, '');
  let words = (rule && RULE_WORDS[rule]) || (code && RULE_WORDS[code]) || '被拒绝。';
  if (rule === 'bad_field') {
    const fault = FIELD_FAULT.find(([re]) => re.test(inner));
    if (fault) words = fault[1];
  }
  // The gate's standard words for a mode that turns visitors away are already Chinese.
  const detail = message && message !== words ? message : '';
  return { rule: rule ?? code, words, detail };
}

/** Where a group is, in a word or two: 「经理接待中」, 「在VIP2」. */
export function stageWords(v) {
  if (v.stage === 'in_vip' && v.room) return `在VIP${v.room}`;
  // The desk has answered 可以接待: not waiting for it any more.
  if (v.stage === 'awaiting_reception' && v.reception_ok) return '接待中心可以接待';
  return STAGE_LABEL[v.stage] ?? v.stage;
}

/** 「王先生一行3人」, for a visitor group on the board (what the board says, not a sentence). */
export function groupName(v) {
  const who = v.who ?? (v.appointment ? '预约客户' : '一组散客');
  return v.party ? `${who}一行${v.party}人` : who;
}

/** A station or target as the staff say it: 门岗L1, 大客户经理张伟, 各岗位. */
export function stationName(s) {
  if (s === 'ALL') return '各岗位';
  return postName(s);
}

/** 「大客户经理张伟」 → 「张伟经理」: a manager as colleagues say them on a busy screen. */
export function managerName(station) {
  if (typeof station === 'string' && station.startsWith('X:')) return `${station.slice(2)}经理`;
  return postName(station);
}

/** 「王先生」 → `{surname: '王', title: 'mr'}` (null when it is not that shape). */
export function splitVisitor(who) {
  if (typeof who !== 'string') return null;
  for (const [title, word] of Object.entries(TITLE_LABEL)) {
    if (who.endsWith(word) && who.length > word.length) {
      return { surname: who.slice(0, -word.length), title };
    }
  }
  return null;
}
