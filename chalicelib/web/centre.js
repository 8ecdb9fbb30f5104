// The certification centre space: sessions (list, creation), the invigilator
// kit printed right after creation (the invigilator password is shown once,
// the server keeps only its hash), candidates (form and CSV with its rejected
// lines), finalisation with each candidate's presence and incidents, then the
// session's state as the issuing job leaves it. Every call goes through the
// API with the member's own token; the centre is named in the URL (?centre=),
// never a secret.
import { api, upload, downloadPost, requireUser, roles } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, apiErrors, busy, announce, focus,
  frenchDate, isoDate, plural, param, setTitle } from './ui.js';

initLayout();

const STATUS = {
  created: 'Créée',
  in_progress: 'En cours',
  finalised: 'Finalisée, résultats en préparation',
  processed: 'Résultats traités, certains en attente d\u2019une décision du jury',
  published: 'Résultats publiés',
};
const INCIDENTS = [
  ['', 'Aucun incident'],
  ['technical_problem', 'Problème technique'],
  ['late_arrival', 'Arrivée en retard'],
  ['left_early', 'Départ anticipé'],
  ['fraud_suspicion', 'Suspicion de fraude'],
  ['accessibility', 'Aménagement / accessibilité'],
  ['identity_check', 'Contrôle d\u2019identité'],
  ['other', 'Autre'],
];
const CANDIDATE_FIELDS = { first_name: 'Indiquez le prénom.', last_name: 'Indiquez le nom.',
  birth_date: 'Date de naissance invalide (jj/mm/aaaa).', email: 'Adresse e-mail invalide.',
  extra_time_percent: 'Temps majoré : un nombre de 0 à 100.' };

if (requireUser()) start();

function start() {
  const centres = roles().centres;
  if (!centres.length) {
    fill($('#choix'), h('p', { class: 'notice warning' },
      'Votre compte n\u2019est membre d\u2019aucun centre de certification. Demandez à l\u2019administrateur de la plateforme de vous ajouter.'));
    return;
  }
  const centre = centres.includes(param('centre')) ? param('centre') : centres[0];
  if (centres.length > 1) {
    // a GET form: the centre id is no secret and the page can be bookmarked
    const select = h('select', { id: 'centre', name: 'centre' },
      centres.map((id) => h('option', { value: id, selected: id === centre }, id)));
    fill($('#choix'), h('form', { method: 'get', class: 'actions' },
      h('label', { for: 'centre' }, 'Centre'), select, h('button', { type: 'submit', class: 'secondary' }, 'Changer')));
  }
  open(centre);
}

async function open(centre) {
  const base = `/centres/${encodeURIComponent(centre)}`;
  try {
    const info = await api('GET', base, undefined, 'user');
    fill($('#titre'), 'Espace centre : ', info.name);
    setTitle('Espace centre – ' + info.name);
  } catch (e) {
    fill($('#choix'), h('p', { class: 'notice error' }, e.message));
    return;
  }
  $('#espace').hidden = false;
  initCreate(base);
  await loadSessions(base);
  const wanted = param('session');
  if (wanted) showSession(base, wanted);
}

// --- sessions ---------------------------------------------------------------------------------

/** What staff read aloud and type: the short number; sessions created before
 * numbers existed keep their id. */
function sessionNumber(s) {
  return s.session_number || s.session_id;
}

const PAGE = 20;
const LISTS = {
  upcoming: { box: '#sessions', caption: 'Sessions à venir', empty: 'Aucune session à venir.' },
  held: { box: '#sessions-passees', caption: 'Sessions passées', empty: 'Aucune session passée.' },
};

/** Both lists from their first page (after a creation or a finalisation). */
async function loadSessions(base) {
  await Promise.all([loadPeriod(base, 'upcoming', []), loadPeriod(base, 'held', [])]);
}

/** One page of one list (`period`: upcoming or held, each a bounded API page).
 * `cursors`: the cursors of the pages before this one (Précédent = pop). */
async function loadPeriod(base, period, cursors, moveFocus) {
  const list = LISTS[period];
  const box = $(list.box);
  const cursor = cursors[cursors.length - 1];
  let page;
  try {
    page = await api('GET', `${base}/sessions?period=${period}&limit=${PAGE}`
      + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), undefined, 'user');
  } catch (e) {
    box.removeAttribute('aria-busy');
    fill(box, h('p', { class: 'notice error' }, e.message));
    return;
  }
  box.removeAttribute('aria-busy');
  if (!page.sessions.length && !cursors.length) { fill(box, h('p', null, list.empty)); return; }
  const number = cursors.length + 1;
  const which = h('span', { class: 'sr-only' }, ` (${list.caption.toLowerCase()})`);
  const nav = cursors.length || page.next_cursor ? h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary small', 'data-page': 'precedent', disabled: !cursors.length,
      onclick: () => loadPeriod(base, period, cursors.slice(0, -1), true) }, 'Précédent', which.cloneNode(true)),
    h('span', null, `Page ${number}`),
    h('button', { type: 'button', class: 'secondary small', 'data-page': 'suivant', disabled: !page.next_cursor,
      onclick: () => loadPeriod(base, period, [...cursors, page.next_cursor], true) }, 'Suivant', which)) : null;
  fill(box, h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { tabindex: '-1' }, number > 1 ? `${list.caption} (page ${number})` : list.caption),
    h('thead', null, h('tr', null, ['Numéro', 'Date', 'Salle', 'État'].map((t) => h('th', { scope: 'col' }, t)),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Action')))),
    h('tbody', null, page.sessions.map((s) => h('tr', null,
      h('th', { scope: 'row' }, h('code', null, sessionNumber(s))),
      h('td', null, `${frenchDate(s.date)} à ${s.time}`), h('td', null, s.room),
      h('td', null, STATUS[s.status] || s.status,
        period === 'held' && (s.status === 'created' || s.status === 'in_progress') ? ' – à finaliser' : ''),
      h('td', null, h('button', { type: 'button', class: 'secondary small', 'data-session': s.session_id,
        onclick: () => showSession(base, s.session_id) }, 'Ouvrir',
      h('span', { class: 'sr-only' }, ` la session du ${frenchDate(s.date)}, salle ${s.room}`)))))))), nav);
  if (moveFocus) focus(box.querySelector('caption'));
}

function initCreate(base) {
  const form = $('#creer');
  form.inert = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = (name) => form.elements[name].value.trim();
    const date = isoDate(v('date'));
    const time = /^([01]?\d|2[0-3])[:hH]([0-5]\d)$/.exec(v('time'));
    const errors = {};
    if (!date) errors.date = 'Indiquez une date valide (jj/mm/aaaa).';
    if (!time) errors.time = 'Indiquez une heure valide (hh:mm).';
    for (const [name, message] of [['address', 'Indiquez l\u2019adresse.'], ['room', 'Indiquez la salle.'],
      ['examiner', 'Indiquez le nom du surveillant.']]) if (!v(name)) errors[name] = message;
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Création…');
    try {
      const created = await api('POST', `${base}/sessions`, { date, time: `${time[1].padStart(2, '0')}:${time[2]}`,
        address: v('address'), room: v('room'), examiner: v('examiner'), description: v('description') }, 'user');
      form.reset();
      await loadSessions(base);
      await showSession(base, created.session_id, created.invigilator_password);
    } catch (e) {
      showErrors(form, apiErrors(e, {}, { date: 'Date invalide.', time: 'Heure invalide.',
        address: 'Adresse invalide.', room: 'Salle invalide.', examiner: 'Surveillant invalide.' }));
    }
    busy(button, false);
  });
}

// --- one session --------------------------------------------------------------------------------

/** Every candidate of a session, page after page: the finalisation form and
 * the signing list need them all (the table shows one page at a time). */
async function allCandidates(path) {
  const all = [];
  let cursor = null;
  do {
    const page = await api('GET', `${path}/candidates?limit=200` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), undefined, 'user');
    all.push(...page.candidates);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/** `ref`: the session's id, or the number in a link (`/centre?session=4071293`);
 * the calls after the first use the id the session carries. */
async function showSession(base, ref, password) {
  const box = $('#session');
  let session, candidates, path;
  try {
    session = await api('GET', `${base}/sessions/${encodeURIComponent(ref)}`, undefined, 'user');
    path = `${base}/sessions/${encodeURIComponent(session.session_id)}`;
    const open = session.status === 'created' || session.status === 'in_progress';
    candidates = open || password ? await allCandidates(path) : [];
  } catch (e) {
    fill(box, h('p', { class: 'notice error', tabindex: '-1' }, e.message));
    focus(box.firstChild);
    return;
  }
  const sessionId = session.session_id;
  const open = session.status === 'created' || session.status === 'in_progress';
  const title = h('h2', { tabindex: '-1' }, `Session du ${frenchDate(session.date)} à ${session.time}, salle ${session.room}`);
  fill(box, h('section', { 'aria-label': 'Session ouverte' }, title,
    h('dl', { class: 'facts' },
      h('dt', null, 'Numéro de session'), h('dd', null, h('code', { id: 'numero' }, sessionNumber(session))),
      h('dt', null, 'Code d\u2019accès candidats'), h('dd', null, h('span', { class: 'code-big', id: 'code-acces' }, session.access_code)),
      h('dt', null, 'État'), h('dd', { id: 'etat' }, STATUS[session.status] || session.status,
        session.has_fraud_report ? ' (signalement de fraude : examen par le jury)' : '')),
    h('div', { id: 'candidats' }),
    open ? enrolForms(base, path, sessionId) : null,
    open ? finaliseForm(base, path, sessionId, candidates) : null));
  await candidatesTable($('#candidats'), path, []);
  if (password) {
    kit(session, password, candidates);
    focus($('#kit h2'));
  } else {
    fill($('#kit'));
    focus(title);
  }
}

const CANDIDATES_PAGE = 50;

/** The enrolled candidates, one API page at a time (a session may hold
 * thousands: the table never renders them all). */
async function candidatesTable(box, path, cursors, moveFocus) {
  const cursor = cursors[cursors.length - 1];
  let page;
  try {
    page = await api('GET', `${path}/candidates?limit=${CANDIDATES_PAGE}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), undefined, 'user');
  } catch (e) {
    fill(box, h('p', { class: 'notice error' }, e.message));
    return;
  }
  if (!page.candidates.length && !cursors.length) { fill(box, h('p', null, 'Aucun candidat inscrit.')); return; }
  const number = cursors.length + 1;
  const which = h('span', { class: 'sr-only' }, ' (candidats)');
  const nav = cursors.length || page.next_cursor ? h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary small', disabled: !cursors.length,
      onclick: () => candidatesTable(box, path, cursors.slice(0, -1), true) }, 'Précédent', which.cloneNode(true)),
    h('span', null, `Page ${number}`),
    h('button', { type: 'button', class: 'secondary small', disabled: !page.next_cursor,
      onclick: () => candidatesTable(box, path, [...cursors, page.next_cursor], true) }, 'Suivant', which)) : null;
  fill(box, h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { tabindex: '-1' }, number > 1 ? `Candidats inscrits (page ${number})` : 'Candidats inscrits'),
    h('thead', null, h('tr', null, ['Nom', 'Prénom', 'Date de naissance', 'Temps majoré', 'A rejoint']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, page.candidates.map((c) => h('tr', null, h('th', { scope: 'row' }, c.last_name),
      h('td', null, c.first_name), h('td', null, frenchDate(c.birth_date)),
      h('td', null, c.extra_time_percent ? `${c.extra_time_percent} %` : '–'), h('td', null, c.joined ? 'Oui' : 'Non')))))), nav);
  if (moveFocus) focus(box.querySelector('caption'));
}

/** The invigilator kit, printed from the browser: the password exists in
 * clear only in the creation answer, so the kit is offered right then. */
function kit(session, password, candidates) {
  const box = $('#kit');
  fill(box, h('section', { class: 'kit', 'aria-labelledby': 't-kit' },
    h('h2', { id: 't-kit', tabindex: '-1' }, 'Kit du surveillant'),
    h('p', { class: 'no-print notice warning' }, h('strong', null, 'Le mot de passe surveillant n\u2019est affiché qu\u2019ici, une seule fois :'),
      ' imprimez le kit maintenant et remettez-le au surveillant.'),
    h('dl', { class: 'facts' },
      h('dt', null, 'Session'), h('dd', null, `${frenchDate(session.date)} à ${session.time}, ${session.address}, salle ${session.room}`),
      h('dt', null, 'Surveillant(e)'), h('dd', null, session.examiner),
      h('dt', null, 'Numéro de session'), h('dd', null, h('span', { class: 'code-big', id: 'numero-kit' }, sessionNumber(session))),
      h('dt', null, 'Mot de passe surveillant'), h('dd', null, h('span', { class: 'code-big', id: 'mot-de-passe-surveillant' }, password)),
      h('dt', null, 'Code d\u2019accès à donner aux candidats'), h('dd', null, h('span', { class: 'code-big' }, session.access_code))),
    h('h3', null, 'Consignes'),
    h('ol', null,
      h('li', null, 'Connectez-vous à l\u2019« Espace surveillant » avec le numéro de session et le mot de passe ci-dessus.'),
      h('li', null, 'Vérifiez l\u2019identité de chaque candidat et faites signer la liste ci-dessous.'),
      h('li', null, 'Écrivez le code d\u2019accès au tableau : chaque candidat le saisit sur la page « Certification ».'),
      h('li', null, 'Autorisez chaque candidat à commencer depuis l\u2019espace surveillant ; signalez tout incident.'),
      h('li', null, 'À la fin, terminez les tests restants puis remettez la liste signée au centre pour la finalisation.')),
    h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, 'Liste d\u2019émargement'),
      h('thead', null, h('tr', null, ['Nom', 'Prénom', 'Date de naissance', 'Signature'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, candidates.length ? candidates.map((c) => h('tr', null, h('th', { scope: 'row' }, c.last_name),
        h('td', null, c.first_name), h('td', null, frenchDate(c.birth_date)), h('td', { class: 'signature' }, '')))
        : h('tr', null, h('td', { colspan: '4' }, 'Aucun candidat inscrit pour l\u2019instant.'))))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', 'data-action': 'kit-pdf', onclick: async (event) => {
        const button = event.currentTarget;
        busy(button, true, 'Préparation du PDF…');
        try {  // the password goes in the POST body, never in a URL
          await downloadPost(`/centres/${encodeURIComponent(session.centre_id)}/sessions/${encodeURIComponent(session.session_id)}/kit`,
            { invigilator_password: password }, `kit-surveillant-${session.date}.pdf`, 'application/pdf');
          announce('Le kit du surveillant est téléchargé.');
        } catch (e) {
          announce(e.message);
        }
        busy(button, false);
      } }, 'Télécharger le kit (PDF)'),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'imprimer-kit', onclick: () => window.print() },
        'Imprimer cette page'))));
}

function enrolForms(base, path, sessionId) {
  const field = (name, label, attrs = {}, hint) => h('div', { class: 'field' },
    h('label', { for: 'c-' + name }, label, hint ? h('span', { class: 'hint' }, hint) : null),
    h('input', { type: 'text', id: 'c-' + name, name, ...attrs }));
  const form = h('form', { id: 'inscrire', method: 'post', novalidate: true },
    field('last_name', 'Nom de naissance', { maxlength: '100', required: true, autocomplete: 'off' }),
    field('first_name', 'Prénom', { maxlength: '100', required: true, autocomplete: 'off' }),
    field('birth_date', 'Date de naissance', { inputmode: 'numeric', required: true, autocomplete: 'off' }, 'Format : jj/mm/aaaa'),
    field('email', 'E-mail de convocation (facultatif)', { type: 'email', maxlength: '254', autocomplete: 'off' }),
    field('extra_time_percent', 'Temps majoré en % (facultatif)', { inputmode: 'numeric', maxlength: '3' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Inscrire le candidat')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = (name) => form.elements[name].value.trim();
    const errors = {};
    const birth = isoDate(v('birth_date'));
    if (!v('last_name')) errors.last_name = CANDIDATE_FIELDS.last_name;
    if (!v('first_name')) errors.first_name = CANDIDATE_FIELDS.first_name;
    if (!birth) errors.birth_date = CANDIDATE_FIELDS.birth_date;
    if (v('extra_time_percent') && !/^\d{1,3}$/.test(v('extra_time_percent'))) errors.extra_time_percent = CANDIDATE_FIELDS.extra_time_percent;
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Inscription…');
    const body = { first_name: v('first_name'), last_name: v('last_name'), birth_date: birth,
      extra_time_percent: Number(v('extra_time_percent') || 0) };
    if (v('email')) body.email = v('email');
    try {
      await api('POST', `${path}/candidates`, body, 'user');
      await showSession(base, sessionId);
      announce(`${body.first_name} ${body.last_name} est inscrit(e).`);
      focus($('#candidats caption') || $('#candidats p'));
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e, {}, CANDIDATE_FIELDS));
    }
  });
  const file = h('form', { id: 'import-candidats', method: 'post', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'fichier-candidats' }, 'Fichier des candidats',
      h('span', { class: 'hint' }, 'CSV séparé par des points-virgules : Nom;Prénom;Date de naissance (jj/mm/aaaa), colonnes facultatives E-mail, Temps majoré (%)')),
    h('input', { type: 'file', id: 'fichier-candidats', name: 'fichier', accept: '.csv,.txt,text/csv', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Importer les candidats')),
    h('div', { id: 'rapport-candidats' }));
  file.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.elements.fichier.files[0];
    if (!chosen) { showErrors(file, { fichier: 'Choisissez le fichier des candidats.' }); return; }
    clearErrors(file);
    const button = file.querySelector('button[type="submit"]');
    busy(button, true, 'Import en cours…');
    try {
      const done = await upload(`${path}/candidates/import`, chosen, 'text/csv');
      await showSession(base, sessionId);
      announce(plural(done.enrolled, 'candidat inscrit', 'candidats inscrits'));
      focus($('#candidats caption') || $('#candidats p'));
    } catch (e) {
      busy(button, false);
      const lines = Array.isArray(e.details) ? e.details : [];
      const report = h('div', { class: 'notice error', tabindex: '-1' },
        h('h4', null, 'Import refusé'), h('p', null, e.message),
        lines.length ? h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, 'Lignes refusées'),
          h('thead', null, h('tr', null, ['Ligne', 'Colonne', 'Erreur'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, lines.map((l) => h('tr', null, h('td', null, String(l.line === undefined ? '' : l.line)),
            h('td', null, l.column || '–'), h('td', null, l.message)))))) : null);
      fill($('#rapport-candidats'), report);
      focus(report);
    }
  });
  return h('section', { 'aria-labelledby': 't-inscrire' }, h('h3', { id: 't-inscrire' }, 'Inscrire des candidats'),
    form, h('h4', null, 'Ou depuis un fichier (tout ou rien)'), file);
}

function finaliseForm(base, path, sessionId, candidates) {
  const rows = candidates.map((c, i) => h('fieldset', { class: 'candidate-report' },
    h('legend', null, `${c.first_name} ${c.last_name}`),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `present-${i}`, name: `present-${i}`, checked: true }),
      h('label', { for: `present-${i}` }, 'Présent(e)')),
    h('div', { class: 'field' }, h('label', { for: `incident-${i}` }, 'Incident'),
      h('select', { id: `incident-${i}`, name: `incident-${i}` }, INCIDENTS.map(([value, label]) => h('option', { value }, label)))),
    h('div', { class: 'field' }, h('label', { for: `detail-${i}` }, 'Description de l\u2019incident (facultatif)'),
      h('input', { type: 'text', id: `detail-${i}`, name: `detail-${i}`, maxlength: '500' }))));
  const form = h('form', { id: 'finaliser', method: 'post', novalidate: true },
    rows.length ? rows : h('p', null, 'Aucun candidat inscrit.'),
    h('div', { class: 'field' }, h('label', { for: 'commentaire' }, 'Commentaire sur la session (facultatif)'),
      h('textarea', { id: 'commentaire', name: 'comment', maxlength: '500', rows: '3' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Finaliser la session')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Finalisation…');
    const reports = candidates.map((c, i) => {
      const category = form.elements[`incident-${i}`].value;
      return { candidate_id: c.candidate_id, present: form.elements[`present-${i}`].checked,
        incidents: category ? [{ category, description: form.elements[`detail-${i}`].value.trim() }] : [] };
    });
    try {
      await api('POST', `${path}/finalise`, { comment: form.elements.comment.value.trim(), candidates: reports }, 'user');
      await loadSessions(base);
      await showSession(base, sessionId);
      announce('La session est finalisée.');
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e));
    }
  });
  return h('section', { 'aria-labelledby': 't-finaliser' }, h('h3', { id: 't-finaliser' }, 'Finaliser la session'),
    h('p', { class: 'muted' }, 'Après le passage : indiquez les absents et les incidents de chaque candidat (la liste d\u2019émargement signée fait foi). Une suspicion de fraude fait examiner les résultats par le jury.'),
    form);
}
