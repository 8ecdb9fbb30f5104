// One campaign of the school: its code and a poster to print, who joined and
// who sent results (per class, then per pupil), the results 50 at a time with
// a CSV export, and a class's competence profile as a chart with its table.
import { api, getText, requireUser, saveBlob, pageUrl } from './api.js';
import { $, h, fill, initLayout, busy, announce, focus, frenchDate, plural, param, setTitle } from './ui.js';

initLayout();
const LIMIT = 50;
const MAX_LEVEL = 8;
const org = param('org') || '';
const id = param('id') || '';
const base = `/organizations/${encodeURIComponent(org)}/campaigns/${encodeURIComponent(id)}`;

if (requireUser()) start();

async function start() {
  $('#retour').href = `etablissement?org=${encodeURIComponent(org)}`;
  const box = $('#campagne');
  let campaign;
  try {
    campaign = await api('GET', base, undefined, 'user');
  } catch (e) {
    box.removeAttribute('aria-busy');
    fill(box, h('p', { class: 'notice error' }, e.message));
    return;
  }
  box.removeAttribute('aria-busy');
  fill($('#titre'), campaign.name);
  setTitle(campaign.name);
  const where = pageUrl('code');
  fill(box,
    h('p', { class: 'no-print' }, campaign.type === 'assessment' ? 'Évaluation' : 'Collecte des profils',
      ' · créée le ', frenchDate(campaign.created_at)),
    h('div', { class: 'poster' },
      h('p', { class: 'big' }, 'Pour participer, connectez-vous sur'),
      h('p', { class: 'code-big' }, where),
      h('p', { class: 'big' }, 'puis saisissez le code de la campagne :'),
      h('p', { class: 'poster-code', id: 'code' }, campaign.code)),
    h('div', { class: 'actions no-print' },
      h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Imprimer l\u2019affiche')));
  $('#suivi').hidden = false;
  const classes = await loadProgress();
  initProfile(classes);
  loadResults([]);
  document.querySelector('[data-action="export"]').addEventListener('click', exportCsv);
}

function table(caption, headings, rows) {
  return h('div', { class: 'table-wrap' }, h('table', null, h('caption', { tabindex: '-1' }, caption),
    h('thead', null, h('tr', null, headings.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows.map((cells) => h('tr', null, h('th', { scope: 'row' }, cells[0]),
      cells.slice(1).map((c) => h('td', null, c)))))));
}

const className = (d) => d === null ? 'Sans classe' : d;

async function loadProgress() {
  const box = $('#avancement');
  try {
    const progress = await api('GET', `${base}/progress`, undefined, 'user');
    if (!progress.classes.length) {
      fill(box, h('p', null, 'Personne n\u2019a encore rejoint la campagne.'));
      return [];
    }
    fill(box, h('p', null, plural(progress.joined, 'participant', 'participants'), ', ',
      plural(progress.shared, 'résultat envoyé', 'résultats envoyés'), '.'),
    table('Participants par classe', ['Classe', 'Ont rejoint', 'Ont envoyé leurs résultats', 'Élèves'],
      progress.classes.map((c) => [className(c.division), String(c.joined), String(c.shared),
        h('button', { type: 'button', class: 'secondary small', onclick: () => showPupils(c.division) },
          'Voir', h('span', { class: 'sr-only' }, ' les élèves de ', className(c.division)))])));
    return progress.classes.map((c) => c.division);
  } catch (e) {
    fill(box, h('p', { class: 'notice error' }, e.message));
    return [];
  }
}

async function showPupils(division) {
  const box = $('#eleves');
  try {
    const data = await api('GET', `${base}/progress?division=${encodeURIComponent(division || '')}`, undefined, 'user');
    fill(box, table(`Élèves : ${className(division)}`, ['Nom', 'Prénom', 'A rejoint le', 'Résultats'],
      data.pupils.map((p) => [p.last_name, p.first_name, frenchDate(p.joined_at),
        p.shared_at ? 'Envoyés le ' + frenchDate(p.shared_at) : 'En cours'])));
    focus(box.querySelector('caption'));
  } catch (e) {
    fill(box, h('p', { class: 'notice error' }, e.message));
  }
}

/** `cursors`: the cursors of the pages before this one (back = pop). */
async function loadResults(cursors, moveFocus) {
  const box = $('#resultats');
  const cursor = cursors[cursors.length - 1];
  let page;
  try {
    page = await api('GET', `${base}/results?limit=${LIMIT}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), undefined, 'user');
  } catch (e) {
    fill(box, h('p', { class: 'notice error' }, e.message));
    return;
  }
  if (!page.items.length && !cursors.length) {
    fill(box, h('p', null, 'Aucun résultat envoyé pour l\u2019instant.'));
    return;
  }
  const number = cursors.length + 1;
  const nav = h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary small', disabled: !cursors.length,
      onclick: () => loadResults(cursors.slice(0, -1), true) }, 'Page précédente'),
    h('span', null, `Page ${number}`),
    h('button', { type: 'button', class: 'secondary small', disabled: !page.next_cursor,
      onclick: () => loadResults([...cursors, page.next_cursor], true) }, 'Page suivante'));
  fill(box, table(`Résultats (page ${number})`, ['Élève', 'Classe', 'Envoyés le', 'Progression', 'Maîtrise', 'Pix'],
    page.items.map((r) => [`${r.last_name} ${r.first_name}`, className(r.division), frenchDate(r.shared_at),
      `${r.progress} %`, r.mastery_percent === null ? '–' : `${r.mastery_percent} %`, String(r.total_pix)])), nav);
  if (moveFocus) focus(box.querySelector('caption'));
}

async function exportCsv(event) {
  const button = event.currentTarget;
  busy(button, true, 'Export en cours…');
  try {
    const parts = [];
    let cursor = null;
    do {  // the export comes in pages that join into one file
      const page = await getText(`${base}/results/export` + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''));
      parts.push(page.text);
      cursor = page.next;
    } while (cursor);
    saveBlob(new Blob(parts, { type: 'text/csv;charset=utf-8' }), `resultats-${id}.csv`);
    announce('Le fichier des résultats est téléchargé.');
  } catch (e) {
    announce(e.message);
  }
  busy(button, false);
}

function initProfile(classes) {
  const form = $('#profil-classe');
  const select = form.elements.division;
  classes.forEach((d) => select.append(h('option', { value: d === null ? '' : d }, className(d))));
  form.inert = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showProfile(select.value === '*' ? null : select.value, select.selectedOptions[0].textContent);
  });
}

async function showProfile(division, label) {
  const box = $('#profil');
  let data;
  try {
    data = await api('GET', `${base}/competence-profile` + (division === null ? '' : `?division=${encodeURIComponent(division)}`), undefined, 'user');
  } catch (e) {
    fill(box, h('p', { class: 'notice error' }, e.message));
    return;
  }
  if (!data.pupils) {
    fill(box, h('p', { tabindex: '-1' }, 'Aucun résultat envoyé pour cette sélection.'));
    focus(box.firstChild);
    return;
  }
  const title = h('h3', { id: 'titre-profil', tabindex: '-1' }, `${label} : niveau moyen par compétence (${plural(data.pupils, 'élève', 'élèves')})`);
  fill(box, title, chart(data.competences),
    h('div', { class: 'table-wrap' }, h('table', { class: 'wide' },
      h('caption', null, 'Élèves par niveau et par compétence (les mêmes données que le graphique)'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Compétence'), h('th', { scope: 'col' }, 'Niveau moyen'),
        Array.from({ length: MAX_LEVEL + 1 }, (_, n) => h('th', { scope: 'col' }, `Niv. ${n}`)))),
      h('tbody', null, data.competences.map((c) => h('tr', null, h('th', { scope: 'row' }, `${c.code} ${c.title}`),
        h('td', null, String(c.mean_level).replace('.', ',')), c.by_level.map((n) => h('td', null, String(n)))))))));
  focus(title);
}

/** Horizontal bars of the mean level (0 to 8), one per competence. The SVG is
 * an image named by the heading; the table below gives every figure. */
function chart(competences) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs, text) => {
    const el = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const row = 28;
  const left = 44;
  const width = 320;
  const svg = s('svg', { viewBox: `0 0 ${left + width + 40} ${competences.length * row + 24}`, role: 'img',
    'aria-labelledby': 'titre-profil' });
  for (let n = 0; n <= MAX_LEVEL; n += 2) {
    const x = left + (n / MAX_LEVEL) * width;
    svg.append(s('line', { x1: x, x2: x, y1: 0, y2: competences.length * row, class: 'grid' }),
      s('text', { x, y: competences.length * row + 18, 'text-anchor': 'middle' }, String(n)));
  }
  competences.forEach((c, i) => {
    const y = i * row;
    svg.append(s('text', { x: 0, y: y + 19 }, c.code),
      s('rect', { x: left, y: y + 5, width: Math.max(1, (c.mean_level / MAX_LEVEL) * width), height: 18,
        class: 'a' + c.code[0] }),
      s('text', { x: left + (c.mean_level / MAX_LEVEL) * width + 6, y: y + 19 }, String(c.mean_level).replace('.', ',')));
  });
  return h('div', { class: 'chart' }, svg);
}
