// What the staff call each post (DOMAIN.md §1), for showing a station code to a person.

const NAMES = {
  L1: '门岗L1',
  L2: '停车场L2',
  Y1: '大门迎宾Y1',
  Y2: '巡场礼宾Y2',
  G1: '大客户管家',
  S1: '水吧',
  OPS: '操作间',
  RC: '接待中心',
  SUP: '巡场主管',
  LOBBY: '大堂岗',
  MODEL: '样板房',
  SHUTTLE: '电瓶车',
};

/** `L1` → 门岗L1, `X:张伟` → 大客户经理张伟; an unknown code as it is. */
export function postName(station) {
  if (typeof station !== 'string') return '';
  if (station.startsWith('X:')) return `大客户经理${station.slice(2)}`;
  return NAMES[station] ?? station;
}
