// Asks the supervisor to confirm before something that changes how the whole site works
// (an important event, a media day): a dialog of the page's own, never `window.confirm`.

const dialog = () => document.getElementById('confirm');

/** Resolves true when confirmed, false when cancelled (the button, Esc, the backdrop). */
export function confirmAction(text, detail, yes = '确认开启') {
  const d = dialog();
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-detail').textContent = detail;
  document.getElementById('confirm-yes').textContent = yes;
  return new Promise((resolve) => {
    const done = (answer) => {
      d.removeEventListener('close', onClose);
      yesButton.removeEventListener('click', onYes);
      noButton.removeEventListener('click', onNo);
      if (d.open) d.close();
      resolve(answer);
    };
    const onClose = () => done(false);
    const onYes = () => done(true);
    const onNo = () => done(false);
    const yesButton = document.getElementById('confirm-yes');
    const noButton = document.getElementById('confirm-no');
    d.addEventListener('close', onClose);
    yesButton.addEventListener('click', onYes);
    noButton.addEventListener('click', onNo);
    d.showModal();
    noButton.focus();
  });
}
