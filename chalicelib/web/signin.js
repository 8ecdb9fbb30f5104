// Sign-in, then back to the page that asked for it (a page of this site only).
import { signIn, signInWithGarCode, pageUrl } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, busy, param } from './ui.js';
import { initPasswords } from './password.js';

initLayout();
initPasswords();

const form = $('#connexion');

function next() {
  const target = param('suite') || '';
  // a page name and its query string, nothing that could leave the site
  return /^[a-z][a-z-]*(\?[^#\\]*)?$/.test(target) ? target : 'profil';
}

// Back from the GAR (school ENT): a one-time code in the fragment, never sent
// to a server by the browser; removed from the address bar before use.
const garCode = (location.hash.match(/^#gar=([A-Za-z0-9_-]{20,100})$/) || [])[1];
if (garCode) {
  history.replaceState(null, '', location.pathname + location.search);
  signInWithGarCode(garCode).then(() => location.assign(pageUrl('profil')), (e) => {
    fill($('#message'), h('p', { class: 'notice error' }, e.message));
  });
}

if (param('expiree')) {
  fill($('#message'), h('p', { class: 'notice warning' }, 'Votre session a expiré : reconnectez-vous.'));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const login = form.elements.login.value.trim();
  const password = form.elements.password.value;
  const errors = {};
  if (!login) errors.login = 'Saisissez votre adresse e-mail ou votre identifiant.';
  if (!password) errors.password = 'Saisissez votre mot de passe.';
  if (Object.keys(errors).length) { showErrors(form, errors); return; }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Connexion…');
  try {
    await signIn(login, password);
  } catch (e) {
    busy(button, false);
    showErrors(form, { '': e.message });
    return;
  }
  location.assign(pageUrl(next()));
});
