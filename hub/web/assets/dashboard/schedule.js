// When the dashboard draws: events only mark which parts changed; the parts are drawn once per
// animation frame, however many events came in it (a busy minute of the site is one redraw per
// frame, not one per event). A slow tick redraws what shows the time passing.

export class Schedule {
  /** `views`: name → `{render(), tick?()}`. */
  constructor(views, tickMs = 1000) {
    this.views = views;
    this.dirty = new Set();
    this.frame = 0;
    this.tickMs = tickMs;
    this.ticker = null;
    this.afterDraw = [];
  }

  /** Calls `fn` once, after the next frame is drawn. */
  whenDrawn(fn) {
    this.afterDraw.push(fn);
  }

  /** Marks parts to draw at the next frame. */
  mark(...parts) {
    for (const p of parts) this.dirty.add(p);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Marks every part. */
  markAll() {
    this.mark(...Object.keys(this.views));
  }

  /** Draws the marked parts now. */
  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const parts = [...this.dirty];
    this.dirty.clear();
    for (const p of parts) {
      try {
        this.views[p]?.render();
      } catch (e) {
        // One view failing must not stop the others (nor the next frame); the console says so
        // (and a browser test fails on it).
        console.error(`dashboard: drawing ${p} failed`, e);
      }
    }
    const after = this.afterDraw;
    this.afterDraw = [];
    for (const fn of after) fn();
  }

  /** Starts the tick that redraws the times shown (ages, time in a stage). */
  start() {
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      for (const view of Object.values(this.views)) view.tick?.();
    }, this.tickMs);
  }
}
