// The learner's profile: 16 competences by area (pix, level, progress to the
// next level), the total out of 1024, certifiability, an SVG chart of levels
// and the certificates obtained.
import { api, requireUser, pageUrl, download } from './api.js';
import { $, h, fill, initLayout, announce, frenchDate, plural, setTitle } from './ui.js';
import { AREAS } from './framework.js';

initLayout();
const root = $('#profil');
const SVG = 'http://www.w3.org/2000/svg';
const STATUS = {
  not_started: ['none', 'Non commencée'],
  started: ['progress', 'En cours'],
  completed: ['done', 'Terminée'],
};

if (requireUser()) {
  load();
  garLink();
}

// GAR (school ENT) link: back from the GAR with a one-time code in the fragment,
// confirmed by this signed-in tab; otherwise a button, shown only where the
// platform has GAR sign-in configured.
async function garLink() {
  const box = $('#gar');
  const code = (location.hash.match(/^#garlien=([A-Za-z0-9_-]{20,100})$/) || [])[1];
  if (code) {
    history.replaceState(null, '', location.pathname + location.search);
    try {
      await api('POST', '/me/gar-link', { code }, 'user');
      fill(box, h('p', { class: 'notice success' },
        'Votre compte est lié à votre ENT : vous pourrez vous connecter par le GAR.'));
    } catch (e) {
      fill(box, h('p', { class: 'notice error', role: 'alert' }, e.message));
    }
    return;
  }
  let configured = false;
  try {
    configured = (await fetch(pageUrl('gar/metadata'), { cache: 'no-store', credentials: 'omit' })).ok;
  } catch (e) { /* no GAR here */ }
  if (!configured) return;
  const button = h('button', { type: 'button', class: 'secondary small' }, 'Lier mon compte ENT (GAR)');
  button.addEventListener('click', async () => {
    try {
      const { url } = await api('POST', '/me/gar-link/start', undefined, 'user');
      location.assign(url);
    } catch (e) {
      fill(box, h('p', { class: 'notice error', role: 'alert' }, e.message));
    }
  });
  fill(box, h('p', {}, button));
}

async function load() {
  let me, profile, certificates;
  try {
    [me, profile, certificates] = await Promise.all([
      api('GET', '/me', undefined, 'user'),
      api('GET', '/me/profile', undefined, 'user'),
      api('GET', '/me/certificates', undefined, 'user').catch(() => ({ certificates: [] })),
    ]);
  } catch (e) {
    fill(root, h('p', { class: 'notice error', role: 'alert' }, e.message));
    root.removeAttribute('aria-busy');
    return;
  }
  setTitle(`Profil de ${me.first_name} ${me.last_name}`);
  fill(root,
    h('p', { class: 'lead' }, `${me.first_name} ${me.last_name}`,
      me.username ? h('span', { class: 'muted' }, ` · identifiant : ${me.username}`) : null),
    summary(profile),
    chart(profile),
    competences(profile),
    certificatesSection(certificates.certificates || []));
  root.removeAttribute('aria-busy');
  announce(`Profil chargé : ${profile.total_pix} pix sur ${profile.max_pix}.`);
}

function summary(p) {
  const n = p.competences_at_level_1_or_more;
  return h('section', { 'aria-labelledby': 'resume-titre' },
    h('h2', { id: 'resume-titre' }, 'En résumé'),
    h('p', null, h('span', { class: 'stat', 'data-total-pix': p.total_pix }, p.total_pix),
      ` pix sur ${p.max_pix}`),
    h('p', null, h('progress', { max: String(p.max_pix), value: String(p.total_pix), 'aria-label': `Pix obtenus : ${p.total_pix} sur ${p.max_pix}` })),
    p.certifiable
      ? h('div', { class: 'notice success', 'data-certifiable': 'true' },
        h('p', null, h('strong', null, '✔ Votre profil est certifiable.'),
          ' Vous pouvez passer la certification dans un centre agréé.'),
        h('p', null, h('a', { href: pageUrl('certification') }, 'Rejoindre une session de certification')))
      : h('div', { class: 'notice', 'data-certifiable': 'false' },
        h('p', null, h('strong', null, 'Votre profil n\u2019est pas encore certifiable.'),
          ` Il faut au moins 5 compétences de niveau 1 ou plus : vous en avez ${n}.`)));
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Bar chart of the 16 levels: plain SVG, horizontal bars (readable at 360 px),
 * each value written at the end of its bar, areas named in the legend. */
function chart(p) {
  const W = 400; const rowH = 22; const gap = 6; const left = 36; const right = 24; const top = 8;
  const plotW = W - left - right;
  const x = (level) => left + (level / 8) * plotW;
  const rows = [];
  let y = top;
  p.competences.forEach((c, i) => {
    if (i && c.area !== p.competences[i - 1].area) y += gap;
    rows.push([c, y]);
    y += rowH;
  });
  const H = y + 40;
  const desc = p.competences.map((c) => `${c.code} : niveau ${c.level}`).join(' ; ');
  const graph = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'graphe-titre graphe-desc', focusable: 'false' },
    svg('title', { id: 'graphe-titre' }, 'Niveau atteint dans chacune des 16 compétences, de 0 à 8'),
    svg('desc', { id: 'graphe-desc' }, desc));
  for (let level = 0; level <= 8; level += 2) {
    graph.append(svg('line', { class: 'grid', x1: x(level), x2: x(level), y1: top - 4, y2: y + 2 }),
      svg('text', { x: x(level), y: y + 16, 'text-anchor': 'middle' }, level));
  }
  for (const [c, rowY] of rows) {
    const mid = rowY + rowH / 2 + 4;
    graph.append(
      svg('text', { x: left - 6, y: mid, 'text-anchor': 'end' }, c.code),
      svg('rect', { class: 'a' + c.area, x: left, y: rowY + 4, width: Math.max(0, x(c.level) - left), height: rowH - 8, 'data-code': c.code }),
      svg('text', { x: x(c.level) + 5, y: mid, 'font-weight': '700' }, c.level));
  }
  graph.append(svg('text', { x: left + plotW / 2, y: y + 34, 'text-anchor': 'middle' }, 'Niveau (de 0 à 8)'));
  return h('section', { 'aria-labelledby': 'graphe-h2' },
    h('h2', { id: 'graphe-h2' }, 'Niveaux par compétence'),
    h('figure', { class: 'chart' }, graph,
      h('figcaption', null, h('ul', { class: 'legend' }, Object.entries(AREAS).map(([code, title]) =>
        h('li', null, h('span', { class: 'swatch a' + code, 'aria-hidden': 'true' }), `Domaine ${code} : ${title}`))))));
}

function competences(p) {
  const section = h('section', { 'aria-labelledby': 'competences-titre' },
    h('h2', { id: 'competences-titre' }, 'Mes compétences'));
  for (const [area, title] of Object.entries(AREAS)) {
    section.append(h('h3', null, `${area}. ${title}`),
      h('ul', { class: 'cards' }, p.competences.filter((c) => String(c.area) === area)
        .map((c) => competenceCard(c, p.max_reachable_level))));
  }
  return section;
}

function competenceCard(c, maxLevel) {
  const [cls, label] = STATUS[c.status] || STATUS.not_started;
  const inLevel = Math.max(0, Math.min(8, 8 - c.pix_to_next_level));
  const progressId = 'progression-' + c.code.replace('.', '-');
  const top = c.level >= maxLevel;
  const target = pageUrl('positionnement?competence=' + encodeURIComponent(c.code));
  const name = h('span', { class: 'sr-only' }, ` : ${c.title}`);
  let action;
  if (c.status === 'not_started') action = h('a', { class: 'button', href: target }, 'Commencer', name);
  else if (c.status === 'started') action = h('a', { class: 'button', href: target }, 'Reprendre', name);
  else action = h('button', { type: 'button', class: 'secondary', onclick: (e) => improve(c, e.currentTarget) }, 'Retenter', name);
  return h('li', { class: 'card', 'data-competence': c.code },
    h('h4', null, `${c.code} ${c.title}`),
    h('p', { class: 'comp-meta' },
      h('span', { class: 'tag ' + cls }, label),
      h('span', { 'data-level': c.level }, h('strong', null, `Niveau ${c.level}`)),
      h('span', { 'data-pix': c.pix }, plural(c.pix, 'pix', 'pix'))),
    top
      ? h('p', null, 'Niveau maximal actuellement ouvert atteint.')
      : [h('p', { id: progressId }, `Vers le niveau ${c.level + 1} : ${inLevel} pix sur 8 `,
        h('span', { class: 'muted' }, `(encore ${c.pix_to_next_level})`)),
      h('progress', { max: '8', value: String(inLevel), 'aria-labelledby': progressId })],
    h('div', { class: 'actions' }, action),
    h('p', { class: 'improve-message', 'aria-live': 'polite' }));
}

async function improve(c, button) {
  const message = button.closest('.card').querySelector('.improve-message');
  button.disabled = true;
  try {
    await api('POST', `/me/competences/${encodeURIComponent(c.code)}/improve`, undefined, 'user');
    location.assign(pageUrl('positionnement?competence=' + encodeURIComponent(c.code)));
  } catch (e) {
    button.disabled = false;
    message.textContent = e.message;
  }
}

function certificatesSection(list) {
  const section = h('section', { 'aria-labelledby': 'certificats-titre' },
    h('h2', { id: 'certificats-titre' }, 'Mes certificats'));
  if (!list.length) {
    section.append(h('p', null, 'Vous n\u2019avez pas encore de certificat.'));
    return section;
  }
  section.append(h('ul', { class: 'cards' }, list.map((c) => {
    if (!c.verification_code) {
      // pending, held for the jury or rejected: the status's French reason, never a score
      return h('li', { class: 'card', 'data-status': c.status || '' },
        c.date ? h('h3', null, `Certification du ${frenchDate(c.date)}`) : null,
        h('p', null, c.message || 'Résultat en cours de traitement.'));
    }
    return h('li', { class: 'card' },
      h('h3', null, `Certification du ${frenchDate(c.date)}`),
      h('p', null, h('strong', null, `${c.global_score} pix`), ` · ${c.level_label}`),
      h('p', null, 'Code de vérification : ', h('span', { class: 'code-big' }, c.verification_code)),
      h('div', { class: 'actions' },
        h('a', { href: pageUrl('verification?code=' + encodeURIComponent(c.verification_code)) }, 'Page de vérification'),
        h('button', { type: 'button', class: 'secondary small', onclick: (e) => getPdf(c, e.currentTarget) },
          'Télécharger l\u2019attestation (PDF)')));
  })));
  return section;
}

async function getPdf(c, button) {
  button.disabled = true;
  try {
    await download(`/me/certificates/${encodeURIComponent(c.certificate_id)}/attestation`,
      `attestation-${c.verification_code}.pdf`);
  } catch (e) {
    announce(e.message);
  } finally {
    button.disabled = false;
  }
}
