// Taking the certification: join, wait for the invigilator, answer without any
// correction, end screen. The page polls the course while waiting (and, much
// more slowly, while testing: the invigilator may end the test or replace an
// item). Every poll is a Lambda and API Gateway request, which cost more than
// the storage: while a question is shown the page polls once a minute and not at
// all when the tab is hidden; an answer to an item the invigilator replaced is
// refused (not_current_item) and the page then reloads the course anyway.
import { api, apiRetry, requireUser, pageUrl } from './api.js';
import { $, h, fill, initLayout, announce, focus, showErrors, clearErrors, apiErrors, busy, isoDate } from './ui.js';
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

function route() {
  stopPolling();
  if (view) { view.disable(); view = null; }
  if (course.status === 'started' && course.authorised && course.item) question();
  else if (course.status === 'waiting' || course.status === 'started') waiting();
  else ended();
}

function error(e) {
  step.append(h('div', { class: 'notice error', role: 'alert' }, h('p', null, e.message)));
}

function waiting() {
  const resume = course.status === 'started';
  const heading = h('h2', { tabindex: '-1' }, resume ? 'En attente de la reprise' : 'En attente du surveillant');
  fill(step, h('section', { class: 'notice', 'data-state': 'waiting' }, heading,
    h('p', null, resume
      ? 'Votre test est interrompu. Le surveillant doit autoriser sa reprise : prévenez-le.'
      : 'Vous avez rejoint la session. Le surveillant doit maintenant autoriser le début de votre test.'),
    h('p', null, 'Cette page se met à jour toute seule : ne la fermez pas.')));
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
      if (['awaiting_authorisation', 'course_not_started', 'not_current_item'].includes(e.code)) {
        course = await api('GET', path(), undefined, 'user');
        route();
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
      const replaced = fresh.status === 'started' && fresh.authorised && fresh.item;
      course = fresh;
      route();
      if (replaced) announce('Le surveillant a retiré cette question : une autre question vous est proposée.');
    } catch (e) { /* next tick */ }
  }, TEST_POLL_MS);
  timer = mine;
}

function ended() {
  sessionStorage.removeItem(KEY);
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
