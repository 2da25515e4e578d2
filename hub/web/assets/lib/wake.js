// Keeps the screen on while a page is signed in and in view (Screen Wake Lock API). The system
// drops the lock whenever the page is hidden, so it is asked for again each time the page comes
// back. Where there is no such API, or it is refused (plain http on some browsers, low battery),
// nothing happens: the page works the same, the screen may just dim.

/** Starts keeping the screen awake; returns a function that stops. */
export function keepAwake() {
  if (!('wakeLock' in navigator)) return () => {};
  let lock = null;
  let wanted = true;
  const acquire = async () => {
    if (!wanted || lock || document.visibilityState !== 'visible') return;
    try {
      lock = await navigator.wakeLock.request('screen');
      lock.addEventListener('release', () => {
        lock = null;
      });
    } catch {
      lock = null;
    }
  };
  document.addEventListener('visibilitychange', acquire);
  acquire();
  return () => {
    wanted = false;
    document.removeEventListener('visibilitychange', acquire);
    lock?.release().catch(() => {});
    lock = null;
  };
}
