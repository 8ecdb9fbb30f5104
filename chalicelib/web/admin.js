// The platform administrator's space: the jury's work on a session (each
// result with its status and reason, validate or reject a held one, publish
// the session, cancel an issued certificate with a reason), organisations and centres (creation, centre members). The
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
