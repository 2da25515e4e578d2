// The supervisor's dashboard (placeholder): signs in and shows whose token it holds.

import { run } from './lib/page.js';

run({
  tokenKey: 'radio.dashboard.token',
  welcomed: (station) => (station === 'SUP' ? '' : '看板需要巡场主管（SUP）的令牌：此令牌只能看到本岗位的内容。'),
});
