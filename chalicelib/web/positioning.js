// A positioning test: one item at a time, the correction and tutorial after
// each answer, resumable after a reload (the server keeps the state; this tab
// only remembers which correction was on screen).
import { api, apiRetry, requireUser, pageUrl } from './api.js';
import { $, h, fill, initLayout, announce, focus, param, setTitle, plural } from './ui.js';
import { renderItem, renderResult, resultLabel } from './item.js';
import { COMPETENCES } from './framework.js';

initLayout();
const box = $('#test');
const code = param('competence') || '';
const base = `/me/competences/${encodeURIComponent(code)}/assessment`;
const PENDING = 'positioning.correction.' + code;
let state = null;

if (!COMPETENCES[code]) {
  fill(box, h('p', { class: 'notice error' }, 'Compétence inconnue. ',
    h('a', { href: pageUrl('profil') }, 'Choisissez une compétence depuis votre profil.')));
} else if (requireUser()) {
  const title = `${code} ${COMPETENCES[code]}`;
  fill($('#titre'), h('span', { class: 'muted' }, 'Test de positionnement : '), title);
  setTitle(`Test ${title}`);
  start();
}

function failure(e) {
  const note = h('div', { class: 'notice error', role: 'alert' }, h('p', null, e.message),
    h('p', null, h('button', { type: 'button', class: 'secondary', onclick: () => location.reload() }, 'Recharger la page')));
  box.append(note);
}

async function start() {
  try {
    state = await api('POST', base, undefined, 'user');
  } catch (e) {
    fill(box);
    failure(e);
    return;
  }
  const pending = sessionStorage.getItem(PENDING);
  if (pending) {
    try {
      const result = await api('GET', `${base}/answers/${encodeURIComponent(pending)}`, undefined, 'user');
      fill(box);
      showResult(result, null);
      return;
    } catch (e) {
      sessionStorage.removeItem(PENDING);
    }
  }
  next();
}

/** The header: question `n` (the one on screen, or the one just answered). */
function progress(n = state.answered + 1) {
  return h('div', { class: 'topbar', 'data-progress': '' },
    h('p', { class: 'big' }, h('strong', null, `Question ${n}`),
      h('span', { class: 'muted' }, ` · ${plural(state.answered, 'réponse donnée', 'réponses données')}`)),
    h('p', null, `Niveau atteint pour l\u2019instant : ${state.level} (${plural(state.pix, 'pix', 'pix')})`));
}

function next() {
  sessionStorage.removeItem(PENDING);
  fill(box);
  if (state.status === 'completed' || !state.item) { finished(); return; }
  box.append(progress());
  const item = state.item;
  const key = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  let view = null;
  const send = async (answer, focusedOut) => {
    let result;
    try {
      result = await apiRetry('POST', `${base}/answers`,
        { item_id: item.id, answer, focused_out: !!focusedOut, idempotency_key: key }, 'user');
    } catch (e) {
      if (e.code === 'not_current_item' || e.code === 'assessment_completed') {
        state = await api('GET', base, undefined, 'user');
        next();
        announce('Le test avait avancé dans un autre onglet : voici la question en cours.');
        return;
      }
      failure(e);
      return;
    }
    state = result.assessment;
    sessionStorage.setItem(PENDING, item.id);
    view.disable();
    // the header follows the answer: answers given and level reached so far
    const bar = box.querySelector('[data-progress]');
    if (bar) bar.replaceWith(progress(state.answered));
    showResult(result, item, answer);
  };
  view = renderItem(box, item, {
    heading: `Question ${state.answered + 1}`,
    startedAt: item.served_at,
    onAnswer: (answer, focusedOut) => send(answer, focusedOut),
    onSkip: (focusedOut) => send({ skip: true }, focusedOut),
  });
}

function showResult(result, item, given) {
  const section = renderResult(result, item, given);
  const last = state.status === 'completed' || !state.item;
  const button = h('button', { type: 'button', 'data-action': 'suivante' },
    last ? 'Voir mon résultat' : 'Question suivante');
  button.addEventListener('click', next);
  section.append(h('div', { class: 'actions' }, button));
  box.append(section);
  announce(`Réponse enregistrée : ${resultLabel(result.status)}. La correction est affichée.`);
  focus(section.querySelector('h2'));
}

function finished() {
  const heading = h('h2', { tabindex: '-1' }, 'Test terminé');
  fill(box, h('section', { class: 'notice success', 'data-finished': '' }, heading,
    h('p', { class: 'big' }, `Vous avez atteint le niveau ${state.level} dans cette compétence, avec ${plural(state.pix, 'pix', 'pix')}.`),
    h('p', null, 'Vous pourrez retenter cette compétence dans quelques jours pour progresser.')),
  h('div', { class: 'actions' }, h('a', { class: 'button', href: pageUrl('profil') }, 'Voir mon profil')));
  announce(`Test terminé : niveau ${state.level}, ${state.pix} pix.`);
  focus(heading);
}
