// The tablet's token: taken from the sign-in link's fragment (`#token=…`, which never reaches a
// server), kept in this browser's localStorage, and wiped from the address bar at once.

/** The token for this page: from the fragment if there is one (kept for next time), or the one kept. */
export function takeToken(key) {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    window.localStorage.setItem(key, token);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return window.localStorage.getItem(key);
}

/** Signs this browser out: the kept token is forgotten. */
export function forgetToken(key) {
  window.localStorage.removeItem(key);
}
