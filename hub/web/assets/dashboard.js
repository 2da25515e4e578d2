// The supervisor's dashboard (`/dashboard`, a SUP token): the whole site on one screen, live.
//
// The shape is the board's own (lib/board.js): a snapshot, then every event folded in. Each
// event marks the parts of the page it changes; the marked parts are drawn once per animation
// frame (dashboard/schedule.js), each by its own view in dashboard/. Nothing here has rules of
// its own: what is shown is what the hub says, in the hub's sentences.

import { Board } from './lib/board.js';
import { noteHubTime, resetHubTime } from './lib/clock.js';
import { Link } from './lib/link.js';
import { forgetToken, takeToken } from './lib/token.js';
import { AlertsView } from './dashboard/alerts.js';
import { CallsView } from './dashboard/calls.js';
import { FiguresView } from './dashboard/figures.js';
import { VisitHistory } from './dashboard/history.js';
import { ModeView } from './dashboard/mode.js';
import { PresenceView } from './dashboard/presence.js';
import { RadioLogView } from './dashboard/radio_log.js';
import { RoomsView } from './dashboard/rooms.js';
import { RotaView } from './dashboard/rota.js';
import { Schedule } from './dashboard/schedule.js';
import { Status } from './dashboard/status.js';
import { VisitorDay } from './dashboard/visitor_day.js';
import { VisitorsView } from './dashboard/visitors.js';

const TOKEN_KEY = 'radio.dashboard.token';

/** Which parts of the page each event changes. */
const PARTS = {
  visit_updated: ['visitors', 'rooms', 'day'],
  room_updated: ['rooms'],
  order_updated: ['rooms'],
  rota_updated: ['rota', 'presence', 'alerts'],
  mode_changed: ['mode'],
  announcement: ['mode', 'log'],
  alert_raised: ['alerts', 'visitors', 'rota'],
  alert_resolved: ['alerts', 'visitors', 'rota'],
  call_placed: ['calls', 'log', 'presence'],
  call_answered: ['calls', 'alerts', 'log', 'day'],
  call_repeated: ['calls', 'alerts'],
  call_escalated: ['calls', 'alerts'],
  target_offline: ['calls'],
  station_online: ['presence'],
  station_offline: ['presence'],
  tapped: ['log', 'day'],
};

/** Events after which today's figures are asked for again soon. */
const FIGURES_MOVE = new Set(['call_answered', 'call_escalated', 'call_repeated', 'visit_updated']);

const status = new Status();
const token = takeToken(TOKEN_KEY);
const signOut = document.getElementById('sign-out');
signOut.addEventListener('click', () => {
  forgetToken(TOKEN_KEY);
  window.location.reload();
});

if (!token) {
  status.notSignedIn();
} else {
  signOut.hidden = false;
  start(token);
}

function start(token) {
  const app = {
    board: new Board(),
    history: new VisitHistory(),
    posts: null,
    managersSeen: new Set(),
    link: null,
    schedule: null,
    request: (cmd) => app.link.request(cmd),
    openVisitor: (id) => day.open(id),
  };
  const visitors = new VisitorsView(app);
  const day = new VisitorDay(app);
  const figures = new FiguresView(app);
  const log = new RadioLogView(app);
  app.schedule = new Schedule({
    alerts: new AlertsView(app),
    visitors,
    day,
    calls: new CallsView(app),
    rooms: new RoomsView(app),
    rota: new RotaView(app),
    presence: new PresenceView(app),
    mode: new ModeView(app),
    figures,
    log,
    clock: { render: () => status.tick(), tick: () => status.tick() },
  });

  let welcomed = false;
  app.link = new Link(token, {
    onState(state, detail, code) {
      if (state === 'refused') {
        status.linkState('refused');
        status.refused(code); // a token revoked while the board was up: the board would only go stale
        return;
      }
      status.linkState(state, app.link?.attempt ?? 0);
      if (state === 'online' && welcomed) figures.soon();
    },
    onWelcome(welcome) {
      if (!welcomed) performance.mark('dashboard-welcome');
      if (welcome.station !== 'SUP') {
        queueMicrotask(() => {
          app.link.stop(); // once the link has finished its welcome
          status.linkState('wrong-post');
        });
        status.notSupervisor(welcome.station, token);
        return;
      }
      if (!welcomed) {
        welcomed = true;
        status.signedIn(welcome.station);
        app.schedule.start();
        figures.start();
      }
    },
    onSnapshot(s) {
      if (!performance.getEntriesByName('dashboard-snapshot').length) performance.mark('dashboard-snapshot');
      app.board.reset(s);
      app.history.reset();
      app.posts = Array.isArray(s.posts) ? s.posts : null;
      app.managersSeen.clear();
      for (const v of app.board.visitors.values()) if (v.manager) app.managersSeen.add(v.manager);
      resetHubTime();
      noteSnapshotTimes(app.board);
      visitors.reset();
      log.reset();
      document.getElementById('site').textContent = s.site ? `· ${s.site}` : '';
      app.schedule.markAll();
      // The first board drawn: the page is usable (measured by the tests).
      if (!performance.getEntriesByName('dashboard-usable').length) {
        app.schedule.whenDrawn(() => performance.mark('dashboard-usable'));
      }
    },
    onEvent(e) {
      noteHubTime(e.at);
      app.history.apply(e);
      const kind = app.board.apply(e);
      const w = e.what;
      if (kind === 'visit_updated') {
        visitors.touched(w.visit.id);
        if (w.visit.manager) app.managersSeen.add(w.visit.manager);
      } else if (kind === 'alert_raised' || kind === 'alert_resolved') {
        visitors.alertsChanged();
      } else if (kind === 'call_placed') {
        for (const s of [w.call.caller, w.call.target]) {
          if (typeof s === 'string' && s.startsWith('X:')) app.managersSeen.add(s);
        }
      } else if (kind === 'board_pruned') {
        app.history.keepOnly(new Set(app.board.visitors.keys()));
        visitors.reset();
        app.schedule.markAll();
      }
      if (FIGURES_MOVE.has(kind)) figures.soon();
      const parts = PARTS[kind];
      if (parts) app.schedule.mark(...parts);
    },
  });
  app.link.start();
  // For tests and the curious: the page's state (read-only use).
  window.dashboard = app;
}

/** The latest time on a fresh board is the least the hub's clock can show. */
function noteSnapshotTimes(board) {
  let latest = 0;
  for (const v of board.visitors.values()) {
    for (const at of Object.values(v.times ?? {})) if (at > latest) latest = at;
  }
  for (const r of board.rooms.values()) if (r.since > latest) latest = r.since;
  for (const a of board.alerts.values()) if (a.raised_at > latest) latest = a.raised_at;
  for (const c of board.calls.values()) if (c.last_said_at > latest) latest = c.last_said_at;
  noteHubTime(latest);
}
