// The tablet at a post (placeholder): signs in and shows which post it is.

import { run } from './lib/page.js';

run({ tokenKey: 'radio.tablet.token' });
