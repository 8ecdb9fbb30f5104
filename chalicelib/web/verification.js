// Public verification of a certificate: the code typed here, or read from the
// QR code of the PDF attestation (/verification?code=P-XXXXXXXX).
import { api } from './api.js';
import { $, h, fill, initLayout, focus, showErrors, clearErrors, busy, frenchDate, param, setTitle } from './ui.js';
import { AREAS, COMPETENCES } from './framework.js';

initLayout();
const form = $('#verifier');
const out = $('#certificat');

function normalise(text) {
  const code = text.replace(/\s+/g, '').toUpperCase();
  return /^P[A-Z0-9]{8}$/.test(code) ? `P-${code.slice(1)}` : code;
}

async function verify(code) {
  fill(out);
  if (!/^P-[A-Z0-9]{8}$/.test(code)) {
    showErrors(form, { code: 'Le code doit commencer par P- et compter 8 caractères ensuite (exemple : P-2B7KQ9XC).' });
    return;
  }
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  busy(button, true, 'Vérification…');
  let cert;
  try {
    cert = await api('GET', `/certificates/${encodeURIComponent(code)}`);
  } catch (e) {
    busy(button, false);
    showErrors(form, e.status === 404
      ? { code: `${e.message} Vérifiez chaque caractère du code.` } : { '': e.message });
    return;
  }
  busy(button, false);
  history.replaceState(null, '', `${location.pathname}?code=${encodeURIComponent(code)}`);
  show(cert);
}

/** A cancelled certificate: said plainly, with whom and since when, never a score. */
function showCancelled(cert) {
  const holder = cert.holder;
  setTitle(`Certificat ${cert.verification_code} annulé`);
  fill(out, h('section', { 'aria-labelledby': 'certificat-titre', 'data-certificate': cert.verification_code, 'data-status': 'cancelled' },
    h('div', { class: 'notice error' }, h('h2', { id: 'certificat-titre', tabindex: '-1' }, '✖ Certificat annulé'),
      h('p', null, cert.message)),
    h('dl', { class: 'pairs' },
      h('dt', null, 'Titulaire'), h('dd', { 'data-holder': '' }, `${holder.first_name} ${holder.last_name}`),
      h('dt', null, 'Année de naissance'), h('dd', null, String(holder.birth_year)),
      h('dt', null, 'Date de la certification'), h('dd', null, frenchDate(cert.date)),
      h('dt', null, 'Centre de certification'), h('dd', null, cert.centre),
      cert.cancelled_at ? [h('dt', null, 'Annulé le'), h('dd', null, frenchDate(cert.cancelled_at))] : null,
      h('dt', null, 'Code de vérification'), h('dd', { class: 'code-big' }, cert.verification_code))));
  focus(out.querySelector('h2'));
}

function show(cert) {
  if (cert.status === 'cancelled') { showCancelled(cert); return; }
  const holder = cert.holder;
  setTitle(`Certificat ${cert.verification_code}`);
  // every competence: its level, or « non évalué » when the test measured nothing of it (never 0)
  const levels = cert.competences.map((c) => [c.code, c.evaluated ? String(c.level) : c.label]);
  fill(out, h('section', { 'aria-labelledby': 'certificat-titre', 'data-certificate': cert.verification_code },
    h('div', { class: 'notice success' }, h('h2', { id: 'certificat-titre', tabindex: '-1' }, '✔ Certificat authentique'),
      h('p', null, 'Ce certificat a bien été délivré par la plateforme. Comparez l\u2019identité ci-dessous avec celle de la personne qui le présente.')),
    h('dl', { class: 'pairs' },
      h('dt', null, 'Titulaire'), h('dd', { 'data-holder': '' }, `${holder.first_name} ${holder.last_name}`),
      h('dt', null, 'Année de naissance'), h('dd', null, String(holder.birth_year)),
      h('dt', null, 'Date de la certification'), h('dd', null, frenchDate(cert.date)),
      h('dt', null, 'Centre de certification'), h('dd', null, cert.centre),
      h('dt', null, 'Score'), h('dd', null, h('strong', { 'data-score': '' }, `${cert.global_score} pix`), ' sur 1024'),
      h('dt', null, 'Niveau global'), h('dd', null, cert.level_label),
      h('dt', null, 'Code de vérification'), h('dd', { class: 'code-big' }, cert.verification_code)),
    h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': 'niveaux-legende', tabindex: '0' },
      h('table', null,
        h('caption', { id: 'niveaux-legende' }, 'Niveau certifié dans chaque compétence (de 0 à 8)'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Compétence'), h('th', { scope: 'col' }, 'Niveau'))),
        Object.entries(AREAS).map(([area, title]) => h('tbody', null,
          h('tr', null, h('th', { colspan: '2', scope: 'rowgroup', class: 'area' }, `${area}. ${title}`)),
          levels.filter(([code]) => code.split('.')[0] === area).map(([code, level]) => h('tr', null,
            h('th', { scope: 'row' }, `${code} ${COMPETENCES[code] || ''}`),
            h('td', { 'data-level': code }, level))))))),
    h('p', { class: 'muted' }, `Référentiel de certification ${cert.certification_version}, délivré le ${frenchDate(cert.issued_at)}.`)));
  focus(out.querySelector('h2'));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = normalise(form.elements.code.value);
  form.elements.code.value = code;
  verify(code);
});

const fromQr = param('code');
if (fromQr) {
  form.elements.code.value = normalise(fromQr);
  verify(normalise(fromQr));
}
