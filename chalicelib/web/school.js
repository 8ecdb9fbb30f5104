// The school space: roster import with its report, classes with each pupil's
// account status (50 rows a page), accounts for a class and their printable
// slips, campaigns (list, creation). Every call goes through the API with the
// member's own token; the organisation is named in the URL (?org=), never a secret.
import { api, upload, downloadPost, requireUser, roles } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, apiErrors, busy, announce, focus,
  frenchDate, plural, param, setTitle } from './ui.js';
import { COMPETENCES } from './framework.js';

initLayout();
const PAGE = 50;

if (requireUser()) start();

function start() {
  const orgs = Object.keys(roles().organizations);
  if (!orgs.length) {
    fill($('#choix'), h('p', { class: 'notice warning' },
      'Votre compte n\u2019est membre d\u2019aucun établissement. Demandez à l\u2019administrateur de votre établissement de vous ajouter.'));
    return;
  }
  const org = orgs.includes(param('org')) ? param('org') : orgs[0];
  if (orgs.length > 1) chooser(orgs, org);
  open(org);
}

function chooser(orgs, current) {
  // a GET form: the organisation id is no secret and the page can be bookmarked
  const select = h('select', { id: 'org', name: 'org' },
    orgs.map((id) => h('option', { value: id, selected: id === current }, id)));
  fill($('#choix'), h('form', { method: 'get', class: 'actions' },
    h('label', { for: 'org' }, 'Établissement'), select, h('button', { type: 'submit', class: 'secondary' }, 'Changer')));
  orgs.forEach(async (id, i) => {
    try { select.options[i].textContent = (await api('GET', `/organizations/${id}`, undefined, 'user')).name; } catch (e) { /* id shown */ }
  });
}

async function open(org) {
  const base = `/organizations/${encodeURIComponent(org)}`;
  try {
    const info = await api('GET', base, undefined, 'user');
    fill($('#titre'), 'Espace établissement : ', info.name);
    setTitle('Espace établissement – ' + info.name);
  } catch (e) {
    fill($('#choix'), h('p', { class: 'notice error' }, e.message));
    return;
  }
  $('#espace').hidden = false;
  initImport(base);
  loadClasses(base);
  initCampaignForm(base, org);
  loadCampaigns(base, org);
}

// --- roster import --------------------------------------------------------------------------

function initImport(base) {
  const form = $('#import');
  form.inert = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = form.elements.fichier.files[0];
    if (!file) { showErrors(form, { fichier: 'Choisissez le fichier de la liste des élèves.' }); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Import en cours…');
    const type = /\.xml$/i.test(file.name) ? 'application/octet-stream' : 'text/csv';
    let report;
    try {
      const done = await upload(`${base}/learners/import`, file, type);
      report = h('div', { class: 'notice success', tabindex: '-1' },
        h('h3', null, 'Import réussi'),
        h('ul', null,
          h('li', null, plural(done.lines, 'ligne lue', 'lignes lues')),
          h('li', null, plural(done.created, 'élève ajouté', 'élèves ajoutés')),
          h('li', null, plural(done.updated, 'élève modifié', 'élèves modifiés')),
          h('li', null, plural(done.unchanged, 'élève inchangé', 'élèves inchangés')),
          h('li', null, plural(done.left, 'élève absent du fichier, marqué comme parti', 'élèves absents du fichier, marqués comme partis'))));
      loadClasses(base);
    } catch (e) {
      const lines = Array.isArray(e.details) ? e.details : [];
      report = h('div', { class: 'notice error', tabindex: '-1' },
        h('h3', null, 'Import refusé'), h('p', null, e.message),
        lines.length ? h('div', { class: 'table-wrap' }, h('table', null,
          h('caption', null, 'Lignes refusées'),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Ligne'), h('th', { scope: 'col' }, 'Colonne'), h('th', { scope: 'col' }, 'Erreur'))),
          h('tbody', null, lines.map((l) => h('tr', null, h('td', null, String(l.line === undefined ? '' : l.line)),
            h('td', null, l.column || '–'), h('td', null, l.message)))))) : null);
    }
    busy(button, false);
    fill($('#rapport'), report);
    focus(report);
  });
}

// --- classes and accounts -------------------------------------------------------------------

async function loadClasses(base) {
  const box = $('#classes');
  try {
    const { items } = await api('GET', `${base}/divisions`, undefined, 'user');
    box.removeAttribute('aria-busy');
    if (!items.length) { fill(box, h('p', null, 'Aucun élève : importez la liste des élèves.')); return; }
    fill(box, h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', null, 'Classes'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Classe'), h('th', { scope: 'col' }, 'Élèves'),
        h('th', { scope: 'col' }, 'Partis'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Action')))),
      h('tbody', null, items.filter((c) => c.division).map((c) => h('tr', null,
        h('th', { scope: 'row' }, c.division), h('td', null, String(c.pupils)), h('td', null, String(c.left)),
        h('td', null, h('button', { type: 'button', class: 'secondary small', 'data-classe': c.division,
          onclick: () => showClass(base, c.division) }, 'Voir les élèves', h('span', { class: 'sr-only' }, ' de ', c.division)))))))));
  } catch (e) {
    box.removeAttribute('aria-busy');
    fill(box, h('p', { class: 'notice error' }, e.message));
  }
}

async function showClass(base, division, keep) {
  const box = $('#classe');
  let data;
  try {
    data = await api('GET', `${base}/division-roster?division=${encodeURIComponent(division)}`, undefined, 'user');
  } catch (e) {
    fill(box, h('p', { class: 'notice error', tabindex: '-1' }, e.message));
    focus(box.firstChild);
    return;
  }
  const present = data.items.filter((p) => !p.left);
  const without = present.filter((p) => !p.has_account).length;
  const title = h('h3', { tabindex: '-1' }, `Classe ${division} : `, plural(present.length, 'élève', 'élèves'));
  const table = h('div', { id: 'eleves' });
  const create = without ? h('button', { type: 'button', 'data-action': 'creer-comptes',
    onclick: (event) => createAccounts(base, division, event.currentTarget) },
  `Créer les comptes manquants (${without})`) : h('p', null, 'Tous les élèves de la classe ont un compte.');
  fill(box, title, h('div', { class: 'actions' }, create), table, h('div', { id: 'identifiants' }, keep || null));
  pagedTable(table, data.items, `Élèves de la classe ${division}`,
    ['Nom', 'Prénom(s)', 'Date de naissance', 'INE', 'Compte'],
    (p) => [p.usage_name ? `${p.usage_name} (${p.last_name})` : p.last_name, p.first_names,
      frenchDate(p.birth_date), p.learner_id, p.left ? 'Parti' : p.has_account ? 'Oui' : 'Non']);
  if (!keep) focus(title);
}

/** A table shown PAGE rows at a time: a 1,000-pupil list never renders whole. */
function pagedTable(box, rows, caption, headings, cells) {
  let start = 0;
  const render = (moveFocus) => {
    const slice = rows.slice(start, start + PAGE);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    const page = Math.floor(start / PAGE) + 1;
    const nav = pages > 1 ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary small', disabled: page === 1,
        onclick: () => { start -= PAGE; render(true); } }, 'Page précédente'),
      h('span', null, `Page ${page} sur ${pages}`),
      h('button', { type: 'button', class: 'secondary small', disabled: page === pages,
        onclick: () => { start += PAGE; render(true); } }, 'Page suivante')) : null;
    const cap = h('caption', { tabindex: '-1' }, caption, pages > 1 ? ` (page ${page} sur ${pages})` : '');
    fill(box, h('div', { class: 'table-wrap' }, h('table', { class: 'wide' }, cap,
      h('thead', null, h('tr', null, headings.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, slice.map((row) => {
        const values = cells(row);
        return h('tr', null, h('th', { scope: 'row' }, values[0]), values.slice(1).map((v) => h('td', null, v)));
      })))), nav);
    if (moveFocus) focus(cap);
  };
  render(false);
}

async function createAccounts(base, division, button) {
  busy(button, true, 'Création des comptes…');
  const created = [];
  try {
    for (;;) {  // by batches: the API creates at most 30 accounts a call
      const batch = await api('POST', `${base}/learner-accounts`, { division }, 'user');
      created.push(...batch.created);
      if (!batch.remaining || !batch.created.length) break;
    }
  } catch (e) {
    busy(button, false);
    if (!created.length) { announce(e.message); fill($('#identifiants'), h('p', { class: 'notice error' }, e.message)); return; }
  }
  const sheet = credentials(base, division, created);
  await showClass(base, division, sheet);
  focus(sheet.querySelector('h3'));
  announce(plural(created.length, 'compte créé', 'comptes créés'));
}

function credentials(base, division, created) {
  const slips = created.map((c) => ({ first_name: c.first_name, last_name: c.last_name,
    division: c.division || '', username: c.username, temporary_password: c.temporary_password }));
  const print = h('button', { type: 'button', 'data-action': 'fiche', onclick: async (event) => {
    const button = event.currentTarget;
    busy(button, true, 'Préparation du PDF…');
    try {
      await downloadPost(`${base}/credentials-sheet`, { slips }, `identifiants-${division}.pdf`, 'application/pdf');
      announce('La fiche des identifiants est téléchargée.');
    } catch (e) {
      announce(e.message);
    }
    busy(button, false);
  } }, 'Télécharger la fiche à imprimer (PDF)');
  return h('div', { class: 'notice success' },
    h('h3', { tabindex: '-1' }, plural(created.length, 'compte créé', 'comptes créés')),
    h('p', null, h('strong', null, 'Les mots de passe temporaires ne sont affichés qu\u2019ici, une seule fois :'),
      ' imprimez la fiche maintenant et remettez à chaque élève son coupon.'),
    h('div', { class: 'actions' }, print),
    h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, 'Identifiants créés'),
      h('thead', null, h('tr', null, ['Élève', 'Identifiant', 'Mot de passe temporaire'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, created.map((c) => h('tr', null, h('th', { scope: 'row' }, `${c.first_name} ${c.last_name}`),
        h('td', null, h('code', null, c.username)), h('td', null, h('code', null, c.temporary_password))))))));
}

// --- campaigns ------------------------------------------------------------------------------

async function loadCampaigns(base, org) {
  const box = $('#campagnes');
  try {
    const { items } = await api('GET', `${base}/campaigns`, undefined, 'user');
    box.removeAttribute('aria-busy');
    if (!items.length) { fill(box, h('p', null, 'Aucune campagne pour l\u2019instant.')); return; }
    fill(box, h('ul', { class: 'cards' }, items.map((c) => h('li', { class: 'card' },
      h('h3', null, h('a', { href: `campagne?org=${encodeURIComponent(org)}&id=${encodeURIComponent(c.campaign_id)}` }, c.name)),
      h('p', null, c.type === 'assessment' ? 'Évaluation' : 'Collecte des profils', ' · créée le ', frenchDate(c.created_at)),
      h('p', null, 'Code : ', h('span', { class: 'code-big' }, c.code))))));
  } catch (e) {
    box.removeAttribute('aria-busy');
    fill(box, h('p', { class: 'notice error' }, e.message));
  }
}

function initCampaignForm(base, org) {
  const form = $('#campagne');
  fill($('#liste-competences'), Object.entries(COMPETENCES).map(([code, title]) => h('div', { class: 'check' },
    h('input', { type: 'checkbox', id: 'c-' + code, name: 'competences', value: code }),
    h('label', { for: 'c-' + code }, `${code} ${title}`))));
  const sync = () => { $('#competences').hidden = form.elements.type.value !== 'assessment'; };
  form.querySelectorAll('input[name="type"]').forEach((r) => r.addEventListener('change', sync));
  form.inert = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    const type = form.elements.type.value;
    const competences = Array.from(form.querySelectorAll('input[name="competences"]:checked')).map((i) => i.value);
    const errors = {};
    if (!name) errors.name = 'Donnez un nom à la campagne.';
    if (type === 'assessment' && !competences.length) errors.competences = 'Choisissez au moins une compétence.';
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Création…');
    try {
      const body = { name, type, competences: type === 'assessment' ? competences : [] };
      const created = await api('POST', `${base}/campaigns`, body, 'user');
      location.assign(`campagne?org=${encodeURIComponent(org)}&id=${encodeURIComponent(created.campaign_id)}`);
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e, {}, { name: 'Le nom est invalide.' }));
    }
  });
}
