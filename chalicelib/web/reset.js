// New password from the e-mailed link (?token=...). The token leaves the address
// bar at once so that it stays out of the history and of any shared screen.
import { api, pageUrl } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, apiErrors, busy, focus, param } from './ui.js';
import { initPasswords, passwordProblem } from './password.js';

initLayout();
initPasswords();

const form = $('#nouveau');
const token = param('token') || sessionStorage.getItem('reset.token') || '';
if (param('token')) {
  sessionStorage.setItem('reset.token', token);
  history.replaceState(null, '', location.pathname);
}

function invalidLink(message) {
  form.hidden = true;
  const note = h('div', { class: 'notice error', tabindex: '-1' },
    h('p', null, message),
    h('p', null, h('a', { href: pageUrl('mot-de-passe-oublie') }, 'Demander un nouveau lien')));
  fill($('#message'), note);
  focus(note);
}

if (!token) invalidLink('Ce lien de réinitialisation est incomplet.');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = form.elements.new_password.value;
  const errors = {};
  const problem = passwordProblem(password);
  if (problem) errors.new_password = problem;
  if (form.elements.confirmation.value !== password) {
    errors.confirmation = 'Les deux mots de passe saisis sont différents.';
  }
  if (Object.keys(errors).length) { showErrors(form, errors); return; }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Enregistrement…');
  try {
    await api('POST', '/auth/password-reset/confirm', { token, new_password: password });
  } catch (e) {
    busy(button, false);
    if (e.status === 410) { sessionStorage.removeItem('reset.token'); invalidLink(e.message); return; }
    showErrors(form, apiErrors(e, { weak_password: 'new_password' }));
    return;
  }
  sessionStorage.removeItem('reset.token');
  form.hidden = true;
  const note = h('div', { class: 'notice success', tabindex: '-1' },
    h('p', null, 'Votre mot de passe est modifié. Vous avez été déconnecté de vos autres appareils.'),
    h('p', null, h('a', { href: pageUrl('connexion') }, 'Se connecter')));
  fill($('#message'), note);
  focus(note);
});
