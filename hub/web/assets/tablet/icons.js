// Small line icons, drawn as SVG from the DOM (no icon font, no emoji font needed): the second
// cue beside every colour that carries meaning — waiting, urgent, done — for colour-blind staff.

const NS = 'http://www.w3.org/2000/svg';

const PATHS = {
  bell: ['M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z', 'M10 20.5a2 2 0 0 0 4 0'],
  clock: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7v5l3.5 2.5'],
  check: ['M4.5 12.5l5 5L20 6.5'],
  cross: ['M6 6l12 12', 'M18 6L6 18'],
  alert: ['M12 3.5L2.5 20h19z', 'M12 10v4.5', 'M12 17.3v.4'],
  repeat: ['M4 11a7.5 7.5 0 0 1 13.5-4.5', 'M18 3v4h-4', 'M20 13a7.5 7.5 0 0 1-13.5 4.5', 'M6 21v-4h4'],
  up: ['M12 20V5', 'M6 11l6-6 6 6'],
  sound: ['M4 9h4l5-4v14l-5-4H4z', 'M16.5 9a4 4 0 0 1 0 6', 'M19 6.5a7.5 7.5 0 0 1 0 11'],
  mute: ['M4 9h4l5-4v14l-5-4H4z', 'M16 9.5l5 5', 'M21 9.5l-5 5'],
  send: ['M3.5 11.5L20.5 4l-7.5 17-2.5-7z', 'M10.5 14l10-10'],
  person: ['M12 4a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z', 'M5 20a7 7 0 0 1 14 0'],
  door: ['M6 20V4h12v16', 'M3 20h18', 'M14.5 12v.5'],
  room: ['M3 20h18', 'M5 20V8l7-4 7 4v12', 'M10 20v-6h4v6'],
  cup: ['M5 8h12v5a6 6 0 0 1-12 0z', 'M17 10h1.5a2.5 2.5 0 0 1 0 5H17', 'M8 3v2.5', 'M12 3v2.5'],
  car: ['M4 16v-4l2-5h12l2 5v4z', 'M4 16v2.5', 'M20 16v2.5', 'M7.5 13.5h.5', 'M16 13.5h.5'],
  list: ['M9 6h11', 'M9 12h11', 'M9 18h11', 'M4.5 6h.5', 'M4.5 12h.5', 'M4.5 18h.5'],
  keyboard: ['M3 7h18v11H3z', 'M7 14.5h10', 'M7 10.5h.5', 'M11 10.5h.5', 'M15 10.5h.5'],
  link: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M8 12.5l3 3 5-6'],
  unlink: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M9 9l6 6', 'M15 9l-6 6'],
  wave: ['M3 12h2l2-5 3 10 3-12 3 10 2-3h3'],
  exit: ['M10 4H5v16h5', 'M15 8l4 4-4 4', 'M19 12H9'],
};

/** An icon as an inline SVG element (hidden from screen readers: a word always goes with it). */
export function icon(name, cls = '') {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', cls ? `icon ${cls}` : 'icon');
  for (const d of PATHS[name] ?? PATHS.alert) {
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
