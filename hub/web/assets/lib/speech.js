// How a page makes itself heard: a chime made on the spot with WebAudio (no sound files), the
// call's sentence read aloud in Mandarin (speechSynthesis, zh-CN), and a vibration. Each one
// does nothing, silently, where the device cannot: no audio, no Chinese voice, no vibrator.
//
// Browsers keep audio shut until the person touches the page: `audioLocked()` says whether it
// still is, and `unlockAudio()`, called from a tap, opens it.

let context = null;
const listeners = new Set();

function audio() {
  if (context) return context;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  try {
    context = new Context();
  } catch {
    return null;
  }
  context.addEventListener('statechange', () => listeners.forEach((f) => f()));
  return context;
}

/** Whether sound still waits for a tap (false where there is no audio at all). */
export function audioLocked() {
  const a = audio();
  return a !== null && a.state !== 'running';
}

/** Calls `f` when sound is unlocked (or locked again by the system). */
export function onAudioChange(f) {
  listeners.add(f);
}

/** Opens sound; call it from a tap. Resolves to whether sound now plays. */
export async function unlockAudio() {
  const a = audio();
  if (!a) return false;
  try {
    await a.resume();
  } catch {
    // stays locked: the button stays
  }
  // Some browsers also want the first utterance to come from a tap.
  if ('speechSynthesis' in window) {
    try {
      const hush = new SpeechSynthesisUtterance('');
      hush.volume = 0;
      window.speechSynthesis.speak(hush);
    } catch {
      // no speech
    }
  }
  listeners.forEach((f) => f());
  return a.state === 'running';
}

/**
 * A chime: two soft notes for a call, three rising bursts (twice) for an urgent one. Resolves
 * when it has finished (at once when sound is locked or absent).
 */
export function chime(urgent = false) {
  const a = audio();
  if (!a || a.state !== 'running') return Promise.resolve();
  const notes = urgent
    ? [[988, 0], [1319, 0.16], [1760, 0.32], [988, 0.62], [1319, 0.78], [1760, 0.94]]
    : [[880, 0], [660, 0.28]];
  const length = urgent ? 0.14 : 0.45;
  const start = a.currentTime + 0.02;
  for (const [frequency, at] of notes) {
    const tone = a.createOscillator();
    const gain = a.createGain();
    tone.type = urgent ? 'square' : 'sine';
    tone.frequency.value = frequency;
    const t = start + at;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(urgent ? 0.18 : 0.35, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + length);
    tone.connect(gain).connect(a.destination);
    tone.start(t);
    tone.stop(t + length + 0.02);
  }
  const total = notes[notes.length - 1][1] + length;
  return new Promise((done) => setTimeout(done, total * 1000 + 60));
}

function chineseVoice() {
  if (!('speechSynthesis' in window)) return null;
  const voices = window.speechSynthesis.getVoices();
  return voices.find((v) => /^zh[-_]?(CN|Hans)/i.test(v.lang))
    ?? voices.find((v) => /^(zh|cmn)/i.test(v.lang))
    ?? null;
}

// The voice list fills in later on some browsers.
if ('speechSynthesis' in window) {
  window.speechSynthesis.addEventListener?.('voiceschanged', () => chineseVoice());
}

/**
 * Reads `text` aloud in Mandarin. Resolves to true once it has been said, or to false at once
 * without a Chinese voice (nothing is said then).
 */
export function speak(text) {
  const voice = chineseVoice();
  if (!voice) return Promise.resolve(false);
  return new Promise((done) => {
    try {
      const said = new SpeechSynthesisUtterance(text);
      said.lang = 'zh-CN';
      said.voice = voice;
      said.rate = 0.95;
      // A sentence takes a few seconds; never wait on a voice that went quiet for good.
      const limit = setTimeout(() => done(true), 20_000);
      const end = () => {
        clearTimeout(limit);
        done(true);
      };
      said.addEventListener('end', end);
      said.addEventListener('error', end);
      window.speechSynthesis.speak(said);
    } catch {
      done(false);
    }
  });
}

/** Stops whatever is being read. */
export function hush() {
  if ('speechSynthesis' in window) window.speechSynthesis.cancel();
}

/** Vibrates where the device can (`pattern` in ms, as `navigator.vibrate` takes it). */
export function vibrate(pattern) {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    // no vibrator
  }
}
