// "J'ai un code": a pupil types the campaign code, finds themself in the
// school's list (names and birth date) when the school asks for it, joins;
// then "Mes parcours" lists their campaigns with progress and the button to
// send results once finished.
import { api, requireUser } from './api.js';
import { $, h, fill, initLayout, showErrors, clearErrors, apiErrors, busy, announce, focus,
  frenchDate, isoDate, param } from './ui.js';

initLayout();

if (requireUser()) start();

function start() {
  const form = $('#code-form');
  form.inert = false;
  if (param('code')) form.elements.code.value = param('code');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = form.elements.code.value.replace(/[\s-]/g, '').toUpperCase();
    if (!code) { showErrors(form, { code: 'Saisissez le code donné par votre établissement.' }); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Recherche…');
    try {
      const campaign = await api('GET', `/campaigns/${encodeURIComponent(code)}`, undefined, 'user');
      busy(button, false);
      step(code, campaign);
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e, { campaign_not_found: 'code' }));
    }
  });
  loadJourneys();
}

function step(code, campaign) {
  const box = $('#etape');
  const heading = h('h2', { tabindex: '-1' }, campaign.name);
  const intro = h('p', null, 'Campagne proposée par ', h('strong', null, campaign.organization.name), '.');
  if (campaign.joined) {
    fill(box, heading, intro, h('p', { class: 'notice success' }, 'Vous participez déjà à cette campagne : retrouvez-la dans « Mes parcours ».'));
  } else if (campaign.requires_reconciliation && !campaign.reconciled) {
    fill(box, heading, intro, reconciliationForm(code, campaign));
  } else {
    fill(box, heading, intro, joinButton(code));
  }
  focus(heading);
}

function reconciliationForm(code, campaign) {
  const form = h('form', { method: 'post', novalidate: true, id: 'rattachement' },
    h('p', null, 'Retrouvez-vous dans la liste des élèves de l\u2019établissement : saisissez vos nom, prénom et date de naissance.'),
    h('div', { class: 'field' }, h('label', { for: 'prenom' }, 'Prénom'),
      h('input', { type: 'text', id: 'prenom', name: 'first_name', autocomplete: 'given-name', maxlength: '100', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'nom' }, 'Nom de famille'),
      h('input', { type: 'text', id: 'nom', name: 'last_name', autocomplete: 'family-name', maxlength: '100', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'naissance' }, 'Date de naissance',
      h('span', { class: 'hint' }, 'Au format JJ/MM/AAAA, par exemple 14/05/2010')),
    h('input', { type: 'text', id: 'naissance', name: 'birth_date', autocomplete: 'bday', inputmode: 'numeric', class: 'short', maxlength: '10', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'C\u2019est moi')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { first_name: form.elements.first_name.value.trim(), last_name: form.elements.last_name.value.trim(),
      birth_date: isoDate(form.elements.birth_date.value) };
    const errors = {};
    if (!body.first_name) errors.first_name = 'Saisissez votre prénom.';
    if (!body.last_name) errors.last_name = 'Saisissez votre nom de famille.';
    if (!body.birth_date) errors.birth_date = 'Saisissez une date de naissance valide, au format JJ/MM/AAAA.';
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    busy(button, true, 'Vérification…');
    try {
      await api('POST', `/campaigns/${encodeURIComponent(code)}/reconciliation`, body, 'user');
      const join = joinButton(code);
      form.replaceWith(h('p', { class: 'notice success', tabindex: '-1', id: 'retrouve' }, 'Vous êtes bien inscrit ou inscrite dans la liste de l\u2019établissement.'), join);
      focus($('#retrouve'));
    } catch (e) {
      busy(button, false);
      showErrors(form, apiErrors(e));
    }
  });
  return form;
}

function joinButton(code) {
  const button = h('button', { type: 'button', 'data-action': 'rejoindre' }, 'Rejoindre la campagne');
  button.addEventListener('click', async () => {
    busy(button, true, 'Inscription…');
    try {
      await api('POST', `/campaigns/${encodeURIComponent(code)}/participation`, undefined, 'user');
      announce('Vous avez rejoint la campagne.');
      button.replaceWith(h('p', { class: 'notice success' }, 'C\u2019est fait : passez les tests de la campagne depuis « Mes parcours » ci-dessous.'));
      await loadJourneys();
      focus($('#t-parcours'));
    } catch (e) {
      busy(button, false);
      announce(e.message);
      button.after(h('p', { class: 'notice error' }, e.message));
    }
  });
  return h('div', { class: 'actions' }, button);
}

async function loadJourneys() {
  const box = $('#parcours');
  try {
    const { items } = await api('GET', '/me/campaign-participations', undefined, 'user');
    box.removeAttribute('aria-busy');
    if (!items.length) { fill(box, h('p', null, 'Vous ne participez à aucune campagne.')); return; }
    const details = await Promise.all(items.map((c) => api('GET', `/me/campaign-participations/${encodeURIComponent(c.campaign_id)}`, undefined, 'user')));
    fill(box, h('ul', { class: 'cards' }, details.map(journey)));
  } catch (e) {
    box.removeAttribute('aria-busy');
    fill(box, h('p', { class: 'notice error' }, e.message));
  }
}

function journey(p) {
  const c = p.campaign;
  const todo = p.competences.filter((k) => k.status !== 'completed');
  const card = h('li', { class: 'card' }, h('h3', null, c.name),
    h('p', null, 'Rejointe le ', frenchDate(p.joined_at)),
    c.type === 'assessment' ? h('p', null, h('label', { for: 'prog-' + c.campaign_id }, 'Progression : ', `${p.progress} %`), ' ',
      h('progress', { id: 'prog-' + c.campaign_id, max: '100', value: String(p.progress) })) : null,
    p.shared_at ? h('p', { class: 'tag done' }, 'Résultats envoyés le ' + frenchDate(p.shared_at)) : null,
    !p.shared_at && todo.length ? h('ul', null, todo.map((k) => h('li', null,
      h('a', { href: `positionnement?competence=${encodeURIComponent(k.code)}` }, `${k.code} ${k.title}`)))) : null);
  if (p.can_share) {
    const button = h('button', { type: 'button', 'data-action': 'envoyer' }, 'Envoyer mes résultats à l\u2019établissement');
    button.addEventListener('click', async () => {
      busy(button, true, 'Envoi…');
      try {
        await api('POST', `/me/campaign-participations/${encodeURIComponent(c.campaign_id)}/share`, undefined, 'user');
        announce('Vos résultats sont envoyés.');
        await loadJourneys();
      } catch (e) {
        busy(button, false);
        announce(e.message);
      }
    });
    card.append(h('p', null, 'Une fois envoyés, vos résultats ne changent plus.'), h('div', { class: 'actions' }, button));
  }
  return card;
}
