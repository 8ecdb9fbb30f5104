// Taking the certification: join, wait for the invigilator, answer without any
// correction, end screen. The page polls the course while waiting (and, much
// more slowly, while testing: the invigilator may end the test or replace an
// item). Every poll is a Lambda and API Gateway request, which cost more than
// the storage: while a question is shown the page polls once a minute and not at
// all when the tab is hidden; an answer to an item the invigilator withdrew is
// refused (item_withdrawn) and the page says so before showing the next one.
//
// From the join to the end screen the page is in exam mode: no menu, no
// sign-out, no footer links, nothing to leave the test by mistake.
import { api, apiRetry, requireUser, pageUrl } from './api.js';
import { $, h, fill, initLayout, announce, focus, showErrors, clearErrors, apiErrors, busy, isoDate, frenchDate } from './ui.js';
import { renderItem } from './item.js';

initLayout();
const KEY = 'certification.course';
const WAIT_POLL_MS = 2500;
const TEST_POLL_MS = 60000;
const step = $('#etape');
const joinSection = $('#rejoindre');
const form = $('#join');
let course = null;
let timer = null;
let view = null;

if (requireUser()) init();

function path(suffix = '') {
  return `/me/certification-courses/${encodeURIComponent(course.course_id)}${suffix}`;
}

async function init() {
  const id = sessionStorage.getItem(KEY);
  if (id) {
    try {
      course = await api('GET', `/me/certification-courses/${encodeURIComponent(id)}`, undefined, 'user');
      route();
      return;
    } catch (e) {
      if (e.status !== 404) { error(e); return; }
      sessionStorage.removeItem(KEY);
    }
  }
  joinSection.hidden = false;
}

const JOIN_MESSAGES = {
  session_number: 'Le numéro de session compte 7 chiffres ; laissez ce champ vide si vous ne l\u2019avez pas.',
  access_code: 'Saisissez le code d\u2019accès de la session : 4 lettres puis 2 chiffres.',
  first_name: 'Saisissez votre prénom.',
  last_name: 'Saisissez votre nom.',
  birth_date: 'Saisissez votre date de naissance au format JJ/MM/AAAA.',
};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const f = form.elements;
  const data = {
    access_code: f.access_code.value.replace(/\s+/g, '').toUpperCase(),
    first_name: f.first_name.value.trim(),
    last_name: f.last_name.value.trim(),
    birth_date: isoDate(f.birth_date.value),
  };
  const errors = {};
  const number = f.session_number.value.replace(/\s+/g, '');
  if (number) {
    if (/^[1-9][0-9]{6}$/.test(number)) data.session_number = number;
    else errors.session_number = JOIN_MESSAGES.session_number;
  }
  if (!/^[A-Z0-9]{6}$/.test(data.access_code)) errors.access_code = JOIN_MESSAGES.access_code;
  if (!data.first_name) errors.first_name = JOIN_MESSAGES.first_name;
  if (!data.last_name) errors.last_name = JOIN_MESSAGES.last_name;
  if (!data.birth_date) errors.birth_date = JOIN_MESSAGES.birth_date;
  if (Object.keys(errors).length) { showErrors(form, errors); return; }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Connexion à la session…');
  try {
    course = await api('POST', '/certification/join', data, 'user');
  } catch (e) {
    busy(button, false);
    const summary = showErrors(form, apiErrors(e, { candidate_not_found: 'access_code', session_finalised: 'access_code' }, JOIN_MESSAGES));
    if (e.code === 'not_certifiable') {
      summary.append(h('p', null, h('a', { href: pageUrl('profil') }, 'Continuer à me positionner depuis mon profil')));
    }
    return;
  }
  busy(button, false);
  sessionStorage.setItem(KEY, course.course_id);
  joinSection.hidden = true;
  route();
});

function stopPolling() {
  if (timer) clearInterval(timer);
  timer = null;
}

/** Exam mode: the menu, the footer and the brand link go away while the
 * candidate is under test, and come back on the end screen. */
function examMode(on) {
  document.body.toggleAttribute('data-exam', on);
  document.querySelectorAll('header.site nav, footer.foot').forEach((el) => { el.hidden = on; });
  const brand = $('header.site .brand');
  if (on && brand.hasAttribute('href')) {
    brand.dataset.href = brand.getAttribute('href');
    brand.removeAttribute('href');
  } else if (!on && brand.dataset.href) {
    brand.setAttribute('href', brand.dataset.href);
  }
}

function route() {
  stopPolling();
  if (view) { view.disable(); view = null; }
  examMode(course.status === 'waiting' || course.status === 'started');
  if (course.status === 'started' && course.authorised && course.item) question();
  else if (course.status === 'waiting' || course.status === 'started') waiting();
  else ended();
}

function error(e) {
  step.append(h('div', { class: 'notice error', role: 'alert' }, h('p', null, e.message)));
}

const RECAP_KEY = 'certification.recap';

/** Where and when: remembered from the join, so a resume shows it too. */
function recap() {
  if (course.session) sessionStorage.setItem(RECAP_KEY, JSON.stringify(course.session));
  let s = course.session;
  try { s = s || JSON.parse(sessionStorage.getItem(RECAP_KEY) || 'null'); } catch (e) { s = null; }
  if (!s) return null;
  const row = (term, value) => (value ? [h('dt', null, term), h('dd', null, value)] : null);
  return h('section', { 'aria-labelledby': 'recap-titre', 'data-recap': '' },
    h('h3', { id: 'recap-titre' }, 'Votre session'),
    h('dl', { class: 'pairs' },
      row('Date', `${frenchDate(s.date)}${s.time ? ' à ' + s.time.replace(':', ' h ') : ''}`),
      row('Lieu', s.address), row('Salle', s.room), row('Surveillant', s.examiner)));
}

function rules() {
  return h('section', { 'aria-labelledby': 'regles-titre', 'data-rules': '' },
    h('h3', { id: 'regles-titre' }, 'Comment se passe le test'),
    h('ul', null,
      h('li', null, `${course.max_items} questions au plus, sur les 16 compétences ; le test peut s’arrêter plus tôt quand votre niveau est mesuré.`),
      h('li', null, 'Aucune correction n’est affichée : vos réponses sont enregistrées une par une, sans retour en arrière.'),
      h('li', null, 'Certaines questions sont chronométrées : le temps restant est affiché avec la question. Si vous ne savez pas, passez la question.'),
      h('li', null, 'Restez sur cette page : changer d’onglet ou de fenêtre pendant une question « focus » est signalé.'),
      h('li', null, 'Un problème avec une question (image illisible, page bloquée) ? Levez la main : le surveillant peut la retirer, elle ne compte alors pas.')));
}

function waiting() {
  const resume = course.status === 'started';
  const heading = h('h2', { tabindex: '-1' }, resume ? 'En attente de la reprise' : 'En attente du surveillant');
  fill(step, h('section', { class: 'notice', 'data-state': 'waiting' }, heading,
    h('p', null, resume
      ? 'Votre test est interrompu. Le surveillant doit autoriser sa reprise : prévenez-le.'
      : 'Vous avez rejoint la session. Le surveillant doit maintenant autoriser le début de votre test.'),
    h('p', null, 'Cette page se met à jour toute seule : ne la fermez pas.')),
  recap(), rules());
  focus(heading);
  const mine = setInterval(async () => {
    try {
      const fresh = await api('GET', path(), undefined, 'user');
      if (timer !== mine) return; // the page moved on while this request was out
      if (fresh.authorised || fresh.status !== course.status) {
        course = fresh;
        if (course.item) announce('Le surveillant vous a autorisé : le test commence.');
        route();
      }
    } catch (e) { /* next tick */ }
  }, WAIT_POLL_MS);
  timer = mine;
}

function question() {
  const item = course.item;
  const startKey = `certification.start.${course.course_id}.${item.id}`;
  const startedAt = Number(sessionStorage.getItem(startKey)) || Date.now();
  sessionStorage.setItem(startKey, String(startedAt));
  const n = course.answered + 1;
  fill(step, h('div', { class: 'topbar', 'data-progress': '' },
    h('p', { class: 'big', id: 'progression' }, h('strong', null, `Question ${n}`), ` sur ${course.max_items} au plus`),
    h('progress', { max: String(course.max_items), value: String(course.answered), 'aria-labelledby': 'progression' })));
  const send = async (answer, focusedOut) => {
    let result;
    try {
      result = await apiRetry('POST', path('/answers'), { item_id: item.id, answer, focused_out: !!focusedOut }, 'user');
    } catch (e) {
      if (['awaiting_authorisation', 'course_not_started', 'not_current_item', 'item_withdrawn'].includes(e.code)) {
        course = await api('GET', path(), undefined, 'user');
        if ((course.withdrawn || []).includes(item.id)) withdrawn(n);
        else route();
        return;
      }
      error(e);
      return;
    }
    sessionStorage.removeItem(startKey);
    course = result.course;
    announce('Réponse enregistrée.');
    route();
  };
  view = renderItem(step, item, {
    heading: `Question ${n}`,
    startedAt,
    timeFactor: 1 + (item.extra_time_percent || 0) / 100,
    onAnswer: send,
    onSkip: (focusedOut) => send({ skip: true }, focusedOut),
  });
  const mine = setInterval(async () => {
    if (document.hidden) return;
    try {
      const fresh = await api('GET', path(), undefined, 'user');
      if (timer !== mine) return;
      const changed = fresh.status !== 'started' || !fresh.authorised || (fresh.item && fresh.item.id !== item.id);
      if (!changed) return;
      course = fresh;
      if ((course.withdrawn || []).includes(item.id)) withdrawn(n);
      else route();
    } catch (e) { /* next tick */ }
  }, TEST_POLL_MS);
  timer = mine;
}

/** The invigilator withdrew the question on screen: say so plainly, and let
 * the candidate move on when ready (never a silent swap of questions). */
function withdrawn(n) {
  stopPolling();
  if (view) { view.disable(); view = null; }
  const sk = Object.keys(sessionStorage).filter((k) => k.startsWith(`certification.start.${course.course_id}.`));
  sk.forEach((k) => sessionStorage.removeItem(k));
  const heading = h('h2', { tabindex: '-1' }, 'Question retirée par le surveillant');
  const next = course.status === 'started' && course.authorised && course.item;
  fill(step, h('section', { class: 'notice warning', 'data-state': 'withdrawn' }, heading,
    h('p', null, `Le surveillant a retiré la question ${n}. Elle ne compte pas : ni réponse enregistrée, ni pénalité, et elle n’occupe aucune place dans votre test.`),
    h('p', null, next ? `Une autre question vous est proposée : ce sera toujours la question ${course.answered + 1}.`
      : 'Votre test continue selon les consignes du surveillant.')),
  h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => route() },
    next ? 'Afficher la question suivante' : 'Continuer')));
  announce(`Le surveillant a retiré la question ${n}. Elle ne compte pas.`);
  focus(heading);
}

function ended() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(RECAP_KEY);
  const heading = h('h2', { tabindex: '-1' }, 'Test terminé');
  fill(step, h('section', { class: 'notice success', 'data-state': 'ended' }, heading,
    h('p', null, course.ended_by === 'invigilator'
      ? 'Le surveillant a mis fin à votre test. Vos réponses sont enregistrées.'
      : 'Vous avez répondu à toutes les questions. Vos réponses sont enregistrées.'),
    h('p', null, 'Votre résultat sera disponible sur votre profil après la finalisation de la session par votre centre.')),
  h('div', { class: 'actions' }, h('a', { class: 'button', href: pageUrl('profil') }, 'Retour à mon profil')));
  announce('Test terminé.');
  focus(heading);
}
