// The platform administrator's space: the jury's work on a session (each
// result with its status and reason, validate or reject a held one, publish
// the session, cancel an issued certificate with a reason), organisations and
// centres (creation, centre members), organisation members (paged list, add
// by e-mail, role, removal). The
// page shows itself only to a token with the admin claim; the API checks
// every call against the same token.
import { api, requireUser, roles } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, apiErrors, busy, announce, focus, frenchDate } from './ui.js';

initLayout();

const CERT_STATUS = { validated: 'Validé', rejected: 'Rejeté', held: 'En attente du jury', cancelled: 'Annulé' };
const SESSION_STATUS = { created: 'Créée', in_progress: 'En cours', finalised: 'Finalisée',
  processed: 'Traitée, en attente de publication', published: 'Publiée' };

if (requireUser()) {
  if (!roles().admin) {
    fill($('#refus'), h('p', { class: 'notice warning' }, 'Cet espace est réservé aux administrateurs de la plateforme.'));
  } else {
    $('#espace').hidden = false;
    initJury();
    initOrgMembers();
    simpleForm($('#organisation'), '/organizations', (f) => ({ name: f.name.value.trim(), type: f.type.value,
      ...(f.uai.value.trim() ? { uai: f.uai.value.trim() } : {}) }),
    { name: 'Nom invalide.', uai: 'UAI invalide : 7 chiffres et une lettre (obligatoire pour un collège ou un lycée).' },
    (made) => done($('#org-cree'), `Organisation « ${made.name} » créée. Identifiant : `, made.org_id), { uai_taken: 'uai' },
    // the API's rule too (services/organizations.py): said here on the field
    (f) => (['college', 'lycee'].includes(f.type.value) && !f.uai.value.trim()
      ? { uai: 'Indiquez l\u2019UAI : obligatoire pour un collège ou un lycée.' } : {}));
    simpleForm($('#centre'), '/centres', (f) => ({ name: f.name.value.trim(), type: f.type.value,
      ...(f.uai.value.trim() ? { uai: f.uai.value.trim() } : {}) }),
    { name: 'Nom invalide.', uai: 'UAI invalide : 7 chiffres et une lettre.' },
    (made) => { done($('#centre-cree'), `Centre « ${made.name} » créé. Identifiant : `, made.centre_id); $('#membre-centre').value = made.centre_id; });
    simpleForm($('#membre'), (f) => `/centres/${encodeURIComponent(f.centre.value.trim())}/members`,
      (f) => ({ user_id: f.user_id.value.trim(), role: f.role.value }), { user_id: 'Identifiant invalide.' },
      (made) => announce(`Membre ${made.user_id} ajouté au centre.`), { user_not_found: 'user_id', centre_not_found: 'centre' });
  }
}

function done(box, text, id) {
  const note = h('p', { class: 'notice success', tabindex: '-1' }, text, h('code', null, id));
  fill(box, note);
  focus(note);
}

/** A form posting its fields as JSON; required text fields are checked here first. */
function simpleForm(form, path, body, fieldNames, after, codes = {}, check = () => ({})) {
  form.inert = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const errors = {};
    form.querySelectorAll('input[required]').forEach((input) => {
      if (!input.value.trim()) errors[input.name] = 'Ce champ est obligatoire.';
    });
    Object.assign(errors, check(form.elements));
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Envoi…');
    try {
      const made = await api('POST', typeof path === 'function' ? path(form.elements) : path, body(form.elements), 'user');
      form.reset();
      after(made);
    } catch (e) {
      showErrors(form, apiErrors(e, codes, fieldNames));
    }
    busy(button, false);
  });
}

function initJury() {
  const form = $('#examiner');
  form.inert = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sid = form.elements.session.value.trim();
    if (!sid) { showErrors(form, { session: 'Indiquez le numéro de session.' }); return; }
    clearErrors(form);
    try {
      await showResults(sid);
    } catch (e) {
      showErrors(form, apiErrors(e, { session_not_found: 'session' }));
    }
  });
}

async function showResults(sid) {
  const data = await api('GET', `/admin/sessions/${encodeURIComponent(sid)}/results`, undefined, 'user');
  const box = $('#resultats');
  const title = h('h3', { tabindex: '-1' }, 'Session ', h('code', null, data.session_id), ' : ', SESSION_STATUS[data.status] || data.status);
  const rows = data.certificates.map((c) => h('tr', null,
    h('th', { scope: 'row' }, `${c.first_name} ${c.last_name}`),
    h('td', { 'data-status': c.status }, CERT_STATUS[c.status] || c.status),
    h('td', null, c.message || '–'), h('td', null, c.global_score === null ? '–' : String(c.global_score)),
    h('td', null, c.status === 'held' ? h('div', { class: 'actions' },
      decision(sid, c, 'validate', 'Valider'), decision(sid, c, 'reject', 'Rejeter'))
      : c.status === 'validated' ? cancelButton(sid, c)
        : c.cancellation ? `Annulé le ${frenchDate(c.cancellation.at)} : ${c.cancellation.reason}` : '–')));
  const publish = data.status === 'processed'  // a held session (lifecycle: only processed -> published)
    ? h('button', { type: 'button', 'data-action': 'publier', onclick: async (event) => {
      const button = event.currentTarget;
      busy(button, true, 'Publication…');
      try {
        await api('POST', `/admin/sessions/${encodeURIComponent(sid)}/publish`, undefined, 'user');
        await showResults(sid);
        announce('La session est publiée.');
      } catch (e) {
        busy(button, false);
        announce(e.message);
        button.after(h('p', { class: 'notice error' }, e.message));
      }
    } }, 'Publier la session') : null;
  fill(box, title,
    h('p', null, data.held ? `${data.held} résultat(s) en attente d\u2019une décision.` : 'Aucun résultat en attente.'),
    data.certificates.length ? h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, 'Résultats de la session'),
      h('thead', null, h('tr', null, ['Candidat', 'Statut', 'Motif', 'Score', 'Décision'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows))) : h('p', null, 'Aucun résultat émis pour cette session.'),
    publish ? h('div', { class: 'actions' }, publish) : null);
  focus(title);
}

function decision(sid, cert, choice, label) {
  return h('button', { type: 'button', class: choice === 'reject' ? 'secondary small' : 'small',
    'data-decision': choice, onclick: async (event) => {
      busy(event.currentTarget, true);
      try {
        await api('POST', `/admin/certificates/${encodeURIComponent(cert.certificate_id)}/jury-decision`, { decision: choice }, 'user');
        await showResults(sid);
        announce(`Décision enregistrée pour ${cert.first_name} ${cert.last_name}.`);
      } catch (e) {
        announce(e.message);
        await showResults(sid);
      }
    } }, label, h('span', { class: 'sr-only' }, ` le résultat de ${cert.first_name} ${cert.last_name}`));
}

let cancelForms = 0;

/** "Annuler le certificat": opens a form under the table asking the mandatory
 * reason (10 to 1,000 characters, the API's rule); the certificate is cancelled
 * only when that form is confirmed. */
function cancelButton(sid, cert) {
  const who = `${cert.first_name} ${cert.last_name}`;
  return h('button', { type: 'button', class: 'secondary small', 'data-cancel': cert.certificate_id,
    onclick: () => openCancel(sid, cert, who) },
  'Annuler le certificat', h('span', { class: 'sr-only' }, ` de ${who}`));
}

function openCancel(sid, cert, who) {
  const id = `motif-annulation-${++cancelForms}`;
  const form = h('form', { id: 'annulation', method: 'post', novalidate: '' },
    h('h3', { tabindex: '-1' }, `Annuler le certificat de ${who}`),
    h('p', null, 'Le certificat ne sera plus reconnu : la page de vérification dira qu\u2019il est annulé, ',
      'son attestation et son Open Badge ne seront plus délivrés, le badge déjà téléchargé ne sera plus valide. ',
      'Le motif reste interne à la plateforme.'),
    h('div', { class: 'field' }, h('label', { for: id }, 'Motif de l\u2019annulation',
      h('span', { class: 'hint' }, 'Obligatoire, 10 caractères au moins (exemple : fraude établie après la session)')),
    h('textarea', { id, name: 'reason', rows: '3', maxlength: '1000', required: '' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'danger' }, 'Confirmer l\u2019annulation'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { form.remove(); focus($(`[data-cancel="${cert.certificate_id}"]`)); } },
        'Renoncer')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (reason.length < 10) {
      showErrors(form, { reason: 'Indiquez le motif de l\u2019annulation (10 caractères au moins).' });
      return;
    }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Annulation…');
    try {
      await api('POST', `/admin/certificates/${encodeURIComponent(cert.certificate_id)}/cancellation`, { reason }, 'user');
      await showResults(sid);
      announce(`Le certificat de ${who} est annulé.`);
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e, { invalid_cancellation_reason: 'reason' }));
    }
  });
  const old = $('#annulation');
  if (old) old.remove();
  $('#resultats').append(form);
  focus(form.querySelector('h3'));
}

// --- organisation members ------------------------------------------------------------

const ORG_ROLES = { member: 'Membre', admin: 'Administrateur' };
const MEMBERS_PAGE = 50;

/** Members of one organisation, a page at a time (the cursors of the pages
 * seen are kept to go back); add by e-mail, change a role, remove. The API
 * refuses to demote or remove the last admin; its message is shown as is. */
function initOrgMembers() {
  const choose = $('#orga-choix');
  const add = $('#orga-ajout');
  const box = $('#orga-membres');
  let orgId = null;
  let cursors = [null];

  async function load(pageCursors, focusTitle) {
    const cursor = pageCursors[pageCursors.length - 1];
    const query = `?limit=${MEMBERS_PAGE}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const page = await api('GET', `/organizations/${encodeURIComponent(orgId)}/members${query}`, undefined, 'user');
    cursors = pageCursors;
    const title = h('h3', { tabindex: '-1' }, `Membres (page ${cursors.length})`);
    const rows = page.items.map((m) => memberRow(m));
    const pager = h('div', { class: 'actions' },
      cursors.length > 1 ? h('button', { type: 'button', class: 'secondary small', 'data-action': 'membres-precedents',
        onclick: () => load(cursors.slice(0, -1), true) }, 'Page précédente') : null,
      page.next_cursor ? h('button', { type: 'button', class: 'secondary small', 'data-action': 'membres-suivants',
        onclick: () => load([...cursors, page.next_cursor], true) }, 'Page suivante') : null);
    fill(box, title, h('div', { id: 'orga-message' }),
      rows.length ? h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, 'Membres de l\u2019organisation'),
        h('thead', null, h('tr', null, ['Nom', 'Identifiant de connexion', 'Rôle', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows))) : h('p', null, 'Aucun membre pour l\u2019instant.'),
      pager);
    add.hidden = false;
    add.inert = false;
    if (focusTitle) focus(title);
  }

  function memberRow(m) {
    const name = `${m.first_name} ${m.last_name}`;
    const selectId = `orga-role-${m.user_id}`;
    const select = h('select', { id: selectId, 'data-user': m.user_id },
      Object.entries(ORG_ROLES).map(([value, label]) => h('option', { value, selected: value === m.role }, label)));
    return h('tr', { 'data-user': m.user_id },
      h('th', { scope: 'row' }, name), h('td', null, m.login),
      h('td', null, h('label', { for: selectId, class: 'sr-only' }, `Rôle de ${name}`), select),
      h('td', null, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'small', 'data-action': 'changer-role', onclick: (event) =>
          act(event.currentTarget, 'PATCH', m, { role: select.value },
            `Rôle de ${name} : ${ORG_ROLES[select.value].toLowerCase()}.`) },
        'Changer le rôle', h('span', { class: 'sr-only' }, ` de ${name}`)),
        h('button', { type: 'button', class: 'secondary small', 'data-action': 'retirer', onclick: (event) => {
          // removing someone cuts their access at once: asked once more, as ending a test is
          if (!window.confirm(`Retirer ${name} de l\u2019organisation ? Son accès à l\u2019espace est supprimé.`)) return;
          act(event.currentTarget, 'DELETE', m, undefined, `${name} ne fait plus partie de l\u2019organisation.`);
        } },
        'Retirer', h('span', { class: 'sr-only' }, ` ${name}`)))));
  }

  async function act(button, method, member, body, said) {
    busy(button, true);
    try {
      await api(method, `/organizations/${encodeURIComponent(orgId)}/members/${encodeURIComponent(member.user_id)}`, body, 'user');
      await load(cursors, false);
      const note = h('p', { class: 'notice success', tabindex: '-1' }, said);
      fill($('#orga-message'), note);
      focus(note);
    } catch (e) {
      busy(button, false);
      const note = h('p', { class: 'notice error', role: 'alert', tabindex: '-1' }, e.message);
      fill($('#orga-message'), note);
      focus(note);
    }
  }

  choose.inert = false;
  choose.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = choose.elements.org.value.trim();
    if (!value) { showErrors(choose, { org: 'Indiquez l\u2019identifiant de l\u2019organisation.' }); return; }
    clearErrors(choose);
    orgId = value;
    try {
      await load([null], true);
    } catch (e) {
      add.hidden = true;
      fill(box);
      showErrors(choose, apiErrors(e, { organization_not_found: 'org' }));
    }
  });

  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = add.elements.email.value.trim();
    if (!email) { showErrors(add, { email: 'Indiquez l\u2019adresse e-mail du compte.' }); return; }
    clearErrors(add);
    const button = add.querySelector('button[type="submit"]');
    busy(button, true, 'Envoi…');
    try {
      const made = await api('POST', `/organizations/${encodeURIComponent(orgId)}/members`,
        { email, role: add.elements.role.value }, 'user');
      add.reset();
      await load(cursors, false);
      announce(`${email} ajouté à l\u2019organisation (${ORG_ROLES[made.role].toLowerCase()}).`);
    } catch (e) {
      showErrors(add, apiErrors(e, { user_not_found: 'email', last_admin: '' }, { email: 'Adresse e-mail invalide.' }));
    }
    busy(button, false);
  });
}
