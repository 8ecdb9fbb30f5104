// The learner's profile: what to do next, a compact map of the 16 competences
// by area (level and pix in words, retry dates), what the levels mean, the
// total out of 1024, certifiability and the certificates obtained.
import { api, requireUser, pageUrl, download } from './api.js';
import { $, h, fill, initLayout, announce, frenchDate, moment, plural, setTitle } from './ui.js';
import { AREAS } from './framework.js';

initLayout();
const root = $('#profil');
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
    nextStep(profile),
    map(profile),
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

/** "Par où commencer ?": the competence the server suggests, with its reason. */
function nextStep(p) {
  const n = p.next_competence;
  return h('section', { 'aria-labelledby': 'suite-titre', class: 'notice', 'data-next': n ? n.code : '' },
    h('h2', { id: 'suite-titre' }, p.total_pix ? 'Et maintenant ?' : 'Par où commencer ?'),
    n ? [h('p', null, n.reason),
      h('p', null, h('a', { class: 'button', href: testUrl(n.code) }, `${n.code} ${n.title}`))]
      : h('p', null, 'Toutes vos compétences sont testées. Les dates où vous pourrez les retenter sont indiquées ci-dessous.'));
}

const testUrl = (code) => pageUrl('positionnement?competence=' + encodeURIComponent(code));

/** The map: 5 areas, 16 competences, each on one row with its level and pix
 * in words (a meter repeats the level as filled squares: never colour alone). */
function map(p) {
  const section = h('section', { 'aria-labelledby': 'carte-titre' },
    h('h2', { id: 'carte-titre' }, 'Mes 16 compétences'), levelsHelp(p.max_reachable_level));
  for (const [area, title] of Object.entries(AREAS)) {
    section.append(h('h3', null, `${area}. ${title}`),
      h('ul', { class: 'map' }, p.competences.filter((c) => String(c.area) === area)
        .map((c) => row(c, p.max_reachable_level))));
  }
  return section;
}

function row(c, maxLevel) {
  const [cls, label] = STATUS[c.status] || STATUS.not_started;
  const meter = h('span', { class: 'meter', 'aria-hidden': 'true' });
  for (let l = 1; l <= 8; l++) meter.append(h('i', { class: l <= c.level ? 'on' : l > maxLevel ? 'shut' : null }));
  const next = c.level >= maxLevel || c.status === 'not_started' ? null
    : h('span', { class: 'muted' }, `encore ${plural(c.pix_to_next_level, 'pix', 'pix')} pour le niveau ${c.level + 1}`);
  return h('li', { class: 'map-row', 'data-competence': c.code, 'data-status': c.status },
    h('span', { class: 'map-name' }, h('strong', null, c.code), ' ', c.title),
    h('span', { class: 'map-facts' },
      h('span', { 'data-level': c.level }, meter, h('strong', null, `Niveau ${c.level}`)),
      h('span', { 'data-pix': c.pix }, plural(c.pix, 'pix', 'pix')),
      h('span', { class: 'tag ' + cls }, label), next),
    h('span', { class: 'map-action' }, action(c)),
    h('span', { class: 'improve-message', 'aria-live': 'polite' }));
}

/** What the learner can do now; a retry not open yet shows its date, not a button. */
function action(c) {
  const name = h('span', { class: 'sr-only' }, ` : ${c.title}`);
  if (c.status === 'not_started') return h('a', { class: 'button secondary small', href: testUrl(c.code) }, 'Commencer', name);
  if (c.status === 'started') return h('a', { class: 'button small', href: testUrl(c.code) }, 'Reprendre', name);
  const recap = h('a', { href: testUrl(c.code), 'data-recap': '' }, 'Revoir le bilan', h('span', { class: 'sr-only' }, ` : ${c.title}`));
  if (c.can_improve) {
    return [recap, ' ', h('button', { type: 'button', class: 'secondary small', onclick: (e) => improve(c, e.currentTarget) }, 'Retenter', name)];
  }
  return [recap, h('br'), h('span', { 'data-retry': c.improve_available_at }, `Retenter possible le ${moment(c.improve_available_at)}`)];
}

/** What the levels mean, and the certificate's labels ("Expert 7"). */
function levelsHelp(maxLevel) {
  return h('details', { class: 'levels' }, h('summary', null, 'Que veulent dire les niveaux ?'),
    h('p', null, `Chaque compétence compte 8 niveaux ; 8 pix font un niveau (64 par compétence, 1024 en tout). `,
      `Le plus haut niveau ouvert aujourd\u2019hui est le ${maxLevel}.`),
    h('ul', null, [['1 et 2', 'novice', 'des tâches simples, avec de l\u2019aide si besoin'],
      ['3 et 4', 'indépendant', 'les situations courantes, seul'],
      ['5 et 6', 'avancé', 'des problèmes variés, en aidant les autres'],
      ['7 et 8', 'expert', 'des situations complexes ou nouvelles']]
      .map(([l, n, what]) => h('li', null, h('strong', null, `Niveaux ${l} : ${n}`), ` – vous maîtrisez ${what}.`))),
    h('p', null, 'Sur un certificat, le score global donne un libellé : Pré-initié (0 à 63 pix), Initié 1 (64 à 127), ',
      'Initié 2 (128 à 255), Indépendant 3 (256 à 383), Indépendant 4 (384 à 511), Avancé 5 (512 à 639), ',
      'Avancé 6 (640 à 767), Expert 7 (768 à 895), Expert 8 (896 à 1023).'));
}

async function improve(c, button) {
  const message = button.closest('.map-row').querySelector('.improve-message');
  button.disabled = true;
  try {
    await api('POST', `/me/competences/${encodeURIComponent(c.code)}/improve`, undefined, 'user');
    location.assign(testUrl(c.code));
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
