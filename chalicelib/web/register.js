// Registration: inline errors (client checks first, then the API's), then sign-in.
import { api, signIn, pageUrl } from './api.js';
import { $, h, fill, initLayout, showAuthState, showErrors, clearErrors, apiErrors, busy, focus, isoDate, setTitle } from './ui.js';
import { initPasswords, passwordProblem } from './password.js';

initLayout();
initPasswords();

const form = $('#inscription');
const FIELD_MESSAGES = {
  first_name: 'Saisissez votre prénom.',
  last_name: 'Saisissez votre nom.',
  email: 'Saisissez une adresse e-mail valide, au format nom@domaine.fr, ou laissez le champ vide.',
  birth_date: 'Saisissez une date de naissance valide, au format JJ/MM/AAAA.',
  password: 'Le mot de passe n\u2019est pas valide.',
  accepted_terms: 'Vous devez accepter les conditions générales d\u2019utilisation.',
  guardian_consent: 'Avant 15 ans, un parent ou tuteur doit donner son accord : cochez la case une fois son accord obtenu.',
};
const CODE_FIELDS = {
  weak_password: 'password', email_taken: 'email', invalid_email: 'email',
  invalid_birth_date: 'birth_date', guardian_consent_required: 'guardian_consent',
  terms_not_accepted: 'accepted_terms', invalid_name: 'first_name',
};

const DIGITAL_MAJORITY = 15; // as chalicelib/domain/accounts.py: under 15, a guardian consents
const consentBox = $('#consentement');

/** Age in whole years today of an ISO birth date, null when none is typed yet. */
function age(iso) {
  if (!iso) return null;
  const [y, m, d] = iso.split('-').map(Number);
  const now = new Date();
  const had = now.getMonth() + 1 > m || (now.getMonth() + 1 === m && now.getDate() >= d);
  return now.getFullYear() - y - (had ? 0 : 1);
}

function underAge(iso) {
  const a = age(iso);
  return a !== null && a < DIGITAL_MAJORITY;
}

// the consent is asked only of whoever the typed birth date says is under 15
form.elements.birth_date.addEventListener('input', () => {
  const under = underAge(isoDate(form.elements.birth_date.value));
  consentBox.hidden = !under;
  if (!under) form.elements.guardian_consent.checked = false;
});

function check(data) {
  const errors = {};
  if (!data.first_name) errors.first_name = FIELD_MESSAGES.first_name;
  if (!data.last_name) errors.last_name = FIELD_MESSAGES.last_name;
  if (data.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(data.email)) errors.email = FIELD_MESSAGES.email;
  if (!data.birth_date) errors.birth_date = FIELD_MESSAGES.birth_date;
  const problem = passwordProblem(data.password);
  if (problem) errors.password = problem;
  if (!data.accepted_terms) errors.accepted_terms = FIELD_MESSAGES.accepted_terms;
  if (underAge(data.birth_date) && !data.guardian_consent) errors.guardian_consent = FIELD_MESSAGES.guardian_consent;
  return errors;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const f = form.elements;
  const data = {
    first_name: f.first_name.value.trim(),
    last_name: f.last_name.value.trim(),
    email: f.email.value.trim() || null,
    birth_date: isoDate(f.birth_date.value),
    password: f.password.value,
    accepted_terms: f.accepted_terms.checked,
    guardian_consent: f.guardian_consent.checked,
  };
  const errors = check(data);
  if (Object.keys(errors).length) { showErrors(form, errors); return; }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Création du compte…');
  let user;
  try {
    user = await api('POST', '/users', data);
  } catch (e) {
    busy(button, false);
    showErrors(form, apiErrors(e, CODE_FIELDS, FIELD_MESSAGES));
    return;
  }
  try {
    await signIn(user.email || user.username, data.password);
  } catch (e) {
    /* the account exists: the panel below still says how to sign in */
  }
  showAuthState(); // the menu follows the sign-in just done
  done(user);
});

function done(user) {
  $('#inscription-zone').hidden = true;
  const panel = $('#inscrit');
  setTitle('Compte créé');
  const heading = h('h2', { tabindex: '-1' }, 'Votre compte est créé');
  fill(panel, h('div', { class: 'notice success' }, heading,
    user.username
      ? [h('p', null, 'Votre identifiant de connexion est :'),
        h('p', { class: 'code-big', 'data-username': '' }, user.username),
        h('p', null, 'Notez-le précieusement : il vous sera demandé à chaque connexion, avec votre mot de passe.')]
      : h('p', null, `Vous vous connecterez avec votre adresse e-mail ${user.email}.`)),
  h('div', { class: 'actions' },
    h('a', { class: 'button', href: pageUrl('profil') }, 'Découvrir mon profil')));
  panel.hidden = false;
  focus(heading);
}
