// The invigilator's screen: the session's candidates and their state, refreshed
// by polling; authorise a start or a resume, report a live alert, end a test.
// Rows are updated in place, so a poll never steals the keyboard focus.
import { api, session } from './api.js';
import { $, h, fill, initLayout, announce, focus, showErrors, clearErrors, busy, frenchDate, param } from './ui.js';

initLayout();
// Each refresh reads every candidate's course (O(session size) read units) and
// is one Lambda + API Gateway request: every 10 s, and not while the tab is
// hidden, keeps the invigilator's screen below a candidate's own cost
// (docs/benchmarks.md); "Actualiser" refreshes at once.
const POLL_MS = 10000;
const accessSection = $('#acces');
const accessForm = $('#acces-form');
const live = $('#suivi');
const STATES = {
  not_joined: 'Pas encore connecté',
  waiting_authorisation: 'Attend l\u2019autorisation de commencer',
  waiting_resume: 'Attend l\u2019autorisation de reprendre',
  testing: 'Test en cours',
  completed: 'Test terminé',
  ended: 'Test arrêté par le surveillant',
};
const ANNOUNCED = {
  waiting_authorisation: 'attend votre autorisation pour commencer',
  waiting_resume: 'attend votre autorisation pour reprendre',
  completed: 'a terminé son test',
};
const rows = new Map();
let timer = null;
let parts = null;

if (session.invigilator()) startLive(); else showAccess();

function showAccess(message) {
  stop();
  live.hidden = true;
  accessSection.hidden = false;
  if (param('session') && !accessForm.elements.session_id.value) accessForm.elements.session_id.value = param('session');
  if (message) showErrors(accessForm, { '': message });
}

accessForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const sessionId = accessForm.elements.session_id.value.trim();
  const password = accessForm.elements.password.value.replace(/\s+/g, '').toUpperCase();
  const errors = {};
  if (!sessionId) errors.session_id = 'Saisissez le numéro de session.';
  if (!password) errors.password = 'Saisissez le mot de passe surveillant.';
  if (Object.keys(errors).length) { showErrors(accessForm, errors); return; }
  clearErrors(accessForm);
  const button = accessForm.querySelector('button[type="submit"]');
  busy(button, true, 'Connexion…');
  try {
    const answer = await api('POST', '/invigilation/token', { session_id: sessionId, password });
    session.setInvigilator({ token: answer.access_token, sessionId: answer.session_id });
  } catch (e) {
    busy(button, false);
    // a wrong number or password is a mistake in a field, not a failed request
    showErrors(accessForm, e.status === 401 ? { password: e.message } : { '': e.message });
    return;
  }
  busy(button, false);
  accessForm.reset();
  startLive();
});

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
}

function skeleton() {
  const heading = h('h2', { id: 'session-titre', tabindex: '-1' }, 'Session');
  const status = h('p', { 'data-session-status': '' });
  const updated = h('span', { class: 'muted', 'data-updated': '' });
  const tbody = h('tbody');
  const refreshButton = h('button', { type: 'button', class: 'secondary small', onclick: () => refresh() }, 'Actualiser');
  const quit = h('button', { type: 'button', class: 'secondary small', onclick: () => { session.setInvigilator(null); rows.clear(); showAccess(); } }, 'Quitter la session');
  const alertBox = h('div', { id: 'signalement' });
  const feedback = h('div', { 'data-feedback': '' });
  fill(live, heading, status,
    h('p', null, `Mise à jour automatique toutes les ${POLL_MS / 1000} secondes. `, updated),
    h('div', { class: 'actions' }, refreshButton, quit), feedback,
    h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': 'candidats-legende', tabindex: '0' },
      h('table', { class: 'wide' },
        h('caption', { id: 'candidats-legende' }, 'Candidats de la session'),
        h('thead', null, h('tr', null,
          ['Candidat', 'Date de naissance', 'Temps majoré', 'État', 'Réponses', 'Actions']
            .map((t) => h('th', { scope: 'col' }, t)))),
        tbody)),
    alertBox);
  return { heading, status, updated, tbody, alertBox, feedback };
}

function startLive() {
  accessSection.hidden = true;
  live.hidden = false;
  rows.clear();
  parts = skeleton();
  refresh(true).then(() => focus(parts.heading));
  stop();
  timer = setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
}

async function refresh(first) {
  const current = session.invigilator();
  if (!current) return;
  let data;
  const candidates = [];
  try {
    // one page per request (the server bounds it); a large session takes a few
    let cursor = null;
    do {
      const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      data = await api('GET', `/sessions/${encodeURIComponent(current.sessionId)}/invigilation${query}`, undefined, 'invigilator');
      candidates.push(...data.candidates);
      cursor = data.next_cursor;
    } while (cursor);
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      session.setInvigilator(null);
      showAccess('Votre accès à la session a expiré : saisissez à nouveau le mot de passe surveillant.');
    } else {
      parts.updated.textContent = `Dernière mise à jour impossible : ${e.message}`;
    }
    return;
  }
  const s = data.session;
  const room = /^salle\b/i.test(s.room) ? s.room : `salle ${s.room}`;
  parts.heading.textContent = `Session du ${frenchDate(s.date)} à ${s.time.replace(':', ' h ')}, ${room}`;
  parts.status.textContent = `Numéro de session : ${s.session_number || s.session_id}`;
  parts.updated.textContent = `Dernière mise à jour à ${new Date().toLocaleTimeString('fr-FR')}.`;
  for (const c of candidates) update(c, first);
}

function fullName(c) {
  return `${c.first_name} ${c.last_name}`;
}

function update(c, first) {
  let row = rows.get(c.candidate_id);
  if (!row) {
    row = {
      tr: h('tr', { 'data-candidate': c.candidate_id }),
      name: h('th', { scope: 'row', tabindex: '-1' }),
      state: h('td', { 'data-state': '' }),
      answered: h('td'),
      actions: h('td'),
      last: null,
    };
    row.tr.append(row.name, h('td', null, frenchDate(c.birth_date)),
      h('td', null, c.extra_time_percent ? `${c.extra_time_percent} %` : 'Non'),
      row.state, row.answered, row.actions);
    parts.tbody.append(row.tr);
    rows.set(c.candidate_id, row);
  }
  row.data = c;
  row.name.textContent = `${c.last_name.toUpperCase()} ${c.first_name}`;
  const alerts = c.alerts.length ? ` · ${c.alerts.length} signalement${c.alerts.length > 1 ? 's' : ''}` : '';
  row.answered.textContent = `${c.answered}${alerts}`;
  const signature = `${c.state}|${c.current_item_id || ''}`;
  if (signature === row.last) return;
  const stateChanged = !row.last || row.last.split('|')[0] !== c.state;
  row.last = signature;
  row.state.textContent = STATES[c.state] || c.state;
  row.state.dataset.state = c.state;
  const hadFocus = row.actions.contains(document.activeElement);
  fill(row.actions, actionsFor(c));
  if (hadFocus) focus(row.actions.querySelector('button') || row.name);
  if (!first && stateChanged && ANNOUNCED[c.state]) announce(`${fullName(c)} ${ANNOUNCED[c.state]}.`);
}

/** What an action did, shown on screen (and read to screen readers) until the next one. */
function confirmation(message, failed) {
  fill(parts.feedback, h('p', { class: failed ? 'notice error' : 'notice success', 'data-confirmation': '' }, message));
  announce(message);
}

function button(label, who, cls, onclick) {
  return h('button', { type: 'button', class: `small ${cls}`, onclick }, label, h('span', { class: 'sr-only' }, ` : ${who}`));
}

function actionsFor(c) {
  const who = fullName(c);
  const list = [];
  if (c.state === 'waiting_authorisation') list.push(button('Autoriser à commencer', who, '', (e) => act(c, 'authorise', e.currentTarget, `${who} peut commencer son test.`)));
  if (c.state === 'waiting_resume') list.push(button('Autoriser la reprise', who, '', (e) => act(c, 'authorise', e.currentTarget, `${who} peut reprendre son test.`)));
  if (c.state === 'testing' && c.current_item_id) list.push(button('Signaler un problème', who, 'secondary', (e) => openAlert(c, e.currentTarget)));
  if (['waiting_authorisation', 'waiting_resume', 'testing'].includes(c.state)) {
    list.push(button('Terminer le test', who, 'danger', (e) => {
      // eslint-disable-next-line no-alert
      if (window.confirm(`Terminer le test de ${who} ? Cette action est définitive.`)) {
        act(c, 'end', e.currentTarget, `Le test de ${who} est terminé.`);
      }
    }));
  }
  return list.length ? h('div', { class: 'actions' }, list) : h('span', { class: 'muted' }, 'Aucune action');
}

async function act(c, action, control, done) {
  const { sessionId } = session.invigilator() || {};
  control.disabled = true;
  try {
    await api('POST', `/sessions/${encodeURIComponent(sessionId)}/candidates/${encodeURIComponent(c.candidate_id)}/${action}`, undefined, 'invigilator');
    confirmation(done);
  } catch (e) {
    confirmation(e.message, true);
    control.disabled = false;
  }
  await refresh();
}

const REASONS = [
  'Image ou contenu illisible',
  'Problème technique (page bloquée, lenteur)',
  'Consigne incompréhensible',
  'Autre problème',
];

async function openAlert(stale, opener) {
  // the screen may be seconds old: the question reported is the one on the
  // candidate's screen now, not the one of the last automatic update
  await refresh();
  const c = (rows.get(stale.candidate_id) || { data: stale }).data;
  if (!c.current_item_id) { confirmation(`${fullName(c)} n’a plus de question à l’écran.`); return; }
  const who = fullName(c);
  const itemId = c.current_item_id;
  const number = c.answered + 1;
  const heading = h('h3', { tabindex: '-1' }, `Signaler un problème : ${who}`);
  const form = h('form', { class: 'card', novalidate: true },
    heading,
    h('p', null, `La question ${number}, à l’écran du candidat, sera retirée : elle ne comptera pas et une autre question lui sera proposée à la place.`),
    h('div', { class: 'field' }, h('label', { for: 'alerte-motif' }, 'Motif'),
      h('select', { id: 'alerte-motif', name: 'motif' }, REASONS.map((r) => h('option', null, r)))),
    h('div', { class: 'field' }, h('label', { for: 'alerte-precisions' }, 'Précisions (facultatif)'),
      h('textarea', { id: 'alerte-precisions', name: 'precisions', maxlength: '400' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Signaler et neutraliser la question'),
      h('button', { type: 'button', class: 'secondary', onclick: close }, 'Annuler')));
  function close() {
    fill(parts.alertBox);
    focus(opener.isConnected ? opener : rows.get(c.candidate_id).name);
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reason = [form.elements.motif.value, form.elements.precisions.value.trim()].filter(Boolean).join(' : ');
    const submit = form.querySelector('button[type="submit"]');
    busy(submit, true, 'Envoi…');
    try {
      const { sessionId } = session.invigilator() || {};
      await api('POST', `/sessions/${encodeURIComponent(sessionId)}/candidates/${encodeURIComponent(c.candidate_id)}/alerts`,
        { item_id: itemId, reason: reason.slice(0, 500) }, 'invigilator');
    } catch (e) {
      busy(submit, false);
      showErrors(form, { '': e.message });
      return;
    }
    fill(parts.alertBox);
    confirmation(`Signalement enregistré pour ${who} : la question ${number} est retirée.`);
    await refresh();
    focus(rows.get(c.candidate_id).name);
  });
  fill(parts.alertBox, form);
  focus(heading);
}
