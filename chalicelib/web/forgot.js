// Password reset request: always the same answer, whether the account exists or not.
import { api } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, busy, focus } from './ui.js';

initLayout();
const form = $('#oubli');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const email = form.elements.email.value.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    showErrors(form, { email: 'Saisissez une adresse e-mail valide, au format nom@domaine.fr.' });
    return;
  }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Envoi…');
  try {
    const answer = await api('POST', '/auth/password-reset', { email });
    const note = h('p', { class: 'notice success', tabindex: '-1' }, answer.message,
      ' Pensez à regarder dans vos courriers indésirables.');
    fill($('#envoye'), note);
    form.hidden = true;
    focus(note);
  } catch (e) {
    showErrors(form, { '': e.message });
  } finally {
    busy(button, false);
  }
});
