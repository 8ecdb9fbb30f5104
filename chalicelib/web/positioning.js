// A positioning test: one item at a time, the correction and tutorial after
// each answer, resumable after a reload (the server keeps the state; this tab
// only remembers which correction was on screen).
import { api, apiRetry, requireUser, pageUrl } from './api.js';
import { $, h, fill, initLayout, announce, focus, param, setTitle, plural, moment, rich } from './ui.js';
import { renderItem, renderResult, resultLabel, spoken } from './item.js';
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

/** The header: question `n` (the one on screen, or the one just answered), of
 * about how many (the server's honest length: the usual one, or this test's
 * bound when smaller; past the usual maximum, no number it could contradict). */
function progress(n = state.answered + 1) {
  const len = state.length;
  let of = '';
  if (len && n <= len.usual_max) of = len.at_most <= len.expected ? ` sur ${len.at_most} au plus` : ` sur environ ${len.expected}`;
  else if (len) of = ' · le test s\u2019arrête dès que votre niveau est établi';
  const bar = len ? h('progress', { max: String(Math.max(len.expected, n)), value: String(state.answered),
    'aria-label': `Progression : ${plural(state.answered, 'réponse donnée', 'réponses données')}${of.startsWith(' sur') ? of : ''}` }) : null;
  return h('div', { class: 'topbar', 'data-progress': '' },
    h('p', { class: 'big' }, h('strong', null, `Question ${n}`), of,
      h('span', { class: 'muted' }, ` · ${plural(state.answered, 'réponse donnée', 'réponses données')}`)),
    bar,
    h('p', null, `Niveau atteint pour l\u2019instant : ${state.level} (${plural(state.pix, 'pix', 'pix')})`),
    n === 1 && len ? h('p', { class: 'muted small-print' }, `Le test s\u2019adapte à vos réponses et s\u2019arrête dès que votre niveau est établi : `,
      `${len.typical} questions en général, ${len.usual_max} au plus pour 9 tests sur 10.`) : null);
}

function next() {
  sessionStorage.removeItem(PENDING);
  fill(box);
  if (state.status === 'completed' || !state.item) { finished(); return; }
  box.append(progress());
  if (state.item.start_required) { warning(); return; }
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

/** Before a timed or focused question: what is coming, and the choice of
 * when. The server sent no question text yet; its clock starts with the start
 * call (or the question is skipped unseen). */
function warning() {
  const item = state.item;
  const startPath = `${base}/items/${encodeURIComponent(item.id)}/start`;
  const key = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  const heading = h('h2', { id: 'avertissement-titre', tabindex: '-1' },
    item.timer ? 'Question chronométrée' : 'Question à traiter sans quitter la page');
  const start = h('button', { type: 'button', 'data-action': 'commencer' }, 'Commencer la question');
  const skip = h('button', { type: 'button', class: 'secondary', 'data-action': 'passer' }, 'Je passe sans la voir');
  const section = h('section', { class: 'notice warning', 'data-warning': item.id, 'aria-labelledby': 'avertissement-titre' },
    heading,
    item.timer ? h('p', null, `Vous aurez ${spoken(item.timer)} pour répondre. Le temps ne part que quand vous cliquez sur «\u00a0Commencer la question\u00a0».`) : null,
    item.focused ? h('p', null, 'Pendant cette question, ne changez pas d\u2019onglet ni de fenêtre : sinon votre réponse sera comptée comme fausse.') : null,
    h('p', null, 'Prenez le temps qu\u2019il vous faut avant de commencer.'),
    h('div', { class: 'actions' }, start, skip));
  const go = async (fn) => {
    start.disabled = skip.disabled = true;
    try {
      await fn();
    } catch (e) {
      start.disabled = skip.disabled = false;
      failure(e);
    }
  };
  start.addEventListener('click', () => go(async () => {
    state = await apiRetry('POST', startPath, undefined, 'user');
    next();
  }));
  skip.addEventListener('click', () => go(async () => {
    const result = await apiRetry('POST', `${base}/answers`, { item_id: item.id, answer: { skip: true }, idempotency_key: key }, 'user');
    state = result.assessment;
    sessionStorage.setItem(PENDING, item.id);
    section.remove();
    const bar = box.querySelector('[data-progress]');
    if (bar) bar.replaceWith(progress(state.answered));
    showResult(result, null, { skip: true });
  }));
  box.append(section);
  announce(heading.textContent + '.');
  focus(heading);
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

/** The end: level and pix, answers counted, the tutorials of the questions
 * missed, when a retry opens, the next competence. The server keeps it: the
 * profile links back here to read the tutorials again later. */
async function finished() {
  const heading = h('h2', { tabindex: '-1' }, 'Test terminé');
  let r;
  try {
    r = await api('GET', `${base}/recap`, undefined, 'user');
  } catch (e) {
    fill(box);
    failure(e);
    return;
  }
  const a = r.answers;
  const next = r.next_competence;
  fill(box, h('section', { class: 'notice success', 'data-finished': '' }, heading,
    h('p', { class: 'big' }, `Vous avez atteint le niveau ${r.level} dans cette compétence, avec ${plural(r.pix, 'pix', 'pix')}.`),
    h('p', null, `Vos réponses : ${plural(a.right, 'juste', 'justes')}, ${plural(a.wrong, 'fausse', 'fausses')}, `,
      `${plural(a.skipped, 'passée', 'passées')}.`),
    h('p', { 'data-retry': r.improve_available_at || '' }, r.can_improve
      ? 'Vous pouvez retenter cette compétence dès maintenant, depuis votre profil.'
      : `Vous pourrez retenter cette compétence à partir du ${moment(r.improve_available_at)} : vos acquis seront gardés.`)),
  h('section', { 'aria-labelledby': 'revoir-titre', 'data-review': '' },
    h('h2', { id: 'revoir-titre' }, 'À revoir'),
    r.to_review.length
      ? [h('p', null, 'Les explications des questions manquées. Vous les retrouverez depuis votre profil (« Revoir le bilan »).'),
        r.to_review.map((t) => h('article', { class: 'review', 'data-item-id': t.item_id },
          h('h3', null, `Question ${t.position} · ${resultLabel(t.status)}`),
          h('p', { class: 'muted' }, t.excerpt),
          h('div', { class: 'tutorial' }, rich(t.tutorial))))]
      : h('p', null, 'Toutes vos réponses étaient justes : rien à revoir.')),
  next ? h('section', { 'aria-labelledby': 'suivante-titre', 'data-next': next.code },
    h('h2', { id: 'suivante-titre' }, 'Compétence suivante'),
    h('p', null, next.reason),
    h('p', null, h('a', { class: 'button', href: pageUrl('positionnement?competence=' + encodeURIComponent(next.code)) },
      `${next.code} ${next.title}`))) : null,
  h('div', { class: 'actions' }, h('a', { class: next ? 'button secondary' : 'button', href: pageUrl('profil') }, 'Voir mon profil')));
  announce(`Test terminé : niveau ${r.level}, ${r.pix} pix.`);
  focus(heading);
}
