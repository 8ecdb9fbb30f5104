// One item on screen, for positioning and certification alike: the inputs its
// type needs, the timer, the "focused" guard, and reading the answer back.
// It only ever gets the candidate view of an item (no solution, no tutorial).
import { h, rich, inline, announce, focus, showErrors, clearErrors, plural } from './ui.js';
import { serverOffset, pageUrl } from './api.js';

const LEGENDS = {
  QCU: 'Choisissez une réponse.',
  QCM: 'Choisissez une ou plusieurs réponses.',
};

/**
 * Render `item` into `container`. Options: `heading` (text of the h2),
 * `startedAt` (ms, the moment the timer started), `timeFactor` (extra time),
 * `onAnswer(answer, focusedOut)` and `onSkip(focusedOut)`, both async.
 * Returns {form, disable(), stopTimer(), timedOut()}.
 */
export function renderItem(container, item, options) {
  const consigneId = 'consigne-' + item.id;
  const form = h('form', { class: 'question', 'data-item-id': item.id, 'data-type': item.type,
    'data-timer': item.timer || null, novalidate: true, 'aria-labelledby': 'question-titre' });
  const title = h('h2', { id: 'question-titre', tabindex: '-1' }, options.heading);
  form.append(title);
  let focusedOut = false;

  let timer = null;
  if (item.timer) {
    timer = startTimer(item.timer * (options.timeFactor || 1), options.startedAt || Date.now());
    form.append(timer.el);
  }
  if (item.focused) {
    form.append(h('p', { class: 'notice warning', id: 'focus-' + item.id },
      'Question à traiter sans quitter cette page : si vous changez d\u2019onglet ou de fenêtre, ',
      'votre réponse sera comptée comme fausse.'));
    const leave = () => {
      if (focusedOut) return;
      focusedOut = true;
      form.dataset.focusedOut = 'true';
      const warn = h('p', { class: 'notice error', role: 'alert' },
        'Vous avez quitté la page pendant cette question : votre réponse sera comptée comme fausse.');
      form.querySelector('.actions').before(warn);
    };
    const onVisibility = () => { if (document.visibilityState === 'hidden') leave(); };
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('blur', leave);
    form.cleanup = () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('blur', leave);
    };
  }

  form.append(h('div', { class: 'consigne', id: consigneId }, rich(item.instruction)));
  if (item.illustration) {
    form.append(h('figure', { class: 'illustration' },
      h('img', { src: pageUrl(item.illustration.url), alt: item.illustration.alt, 'data-role': 'illustration' })));
  } else if (item.illustration_alt) {
    form.append(h('p', { class: 'muted' }, 'Description de l\u2019illustration : ', item.illustration_alt));
  }
  if (item.attachment) {
    const a = item.attachment;
    // type and size in the link text itself: a screen reader listing links hears them
    form.append(h('p', { class: 'attachment' },
      h('a', { href: pageUrl(a.url), download: a.filename, 'data-role': 'attachment' },
        `Télécharger le fichier : ${a.title} (${a.format}, ${fileSize(a.size)})`)));
  }

  if (item.type === 'QCU' || item.type === 'QCM') {
    const type = item.type === 'QCU' ? 'radio' : 'checkbox';
    const name = item.type === 'QCU' ? 'choice' : 'choices';
    form.append(h('fieldset', { 'aria-describedby': consigneId },
      h('legend', null, LEGENDS[item.type]),
      item.proposals.map((p) => h('div', { class: 'choice' },
        h('input', { type, name, id: `p-${item.id}-${p.id}`, value: p.id }),
        h('label', { for: `p-${item.id}-${p.id}` }, inline(p.text))))));
  } else {
    // Number fields say beside the input what to type: their unit, or "nombre
    // seul" (the matcher accepts the unit when typed, nothing else).
    form.append(h('div', { class: 'fields' }, item.fields.map((f) => {
      const unitId = `u-${item.id}-${f.key}`;
      const number = f.kind === 'number';
      return h('div', { class: 'field' },
        h('label', { for: `f-${item.id}-${f.key}` }, f.label),
        h('input', { type: 'text', id: `f-${item.id}-${f.key}`, name: f.key, autocomplete: 'off',
          autocapitalize: 'off', spellcheck: 'false', class: number || f.kind === 'time' ? 'short' : null,
          inputmode: number ? 'decimal' : null, maxlength: '500',
          'aria-describedby': number ? `${consigneId} ${unitId}` : consigneId }),
        number ? h('span', { class: 'unit', id: unitId, 'data-role': 'unit' }, f.unit || 'nombre seul') : null);
    })));
  }

  const validate = h('button', { type: 'submit', 'data-action': 'valider' }, 'Je valide');
  const skip = h('button', { type: 'button', class: 'secondary', 'data-action': 'passer' }, 'Je passe');
  form.append(h('div', { class: 'actions' }, validate, skip));

  let sending = false;
  const send = async (fn) => {
    if (sending) return;
    sending = true;
    validate.disabled = skip.disabled = true;
    try {
      await fn();
    } finally {
      sending = false;
      if (form.isConnected && !form.dataset.done) validate.disabled = skip.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const answer = readAnswer(form, item);
    if (!answer) {
      const field = item.type === 'QCU' ? 'choice' : item.type === 'QCM' ? 'choices' : item.fields[0].key;
      showErrors(form, { [field]: item.type === 'QCM' || item.type === 'QCU'
        ? 'Sélectionnez une réponse, ou cliquez sur « Je passe ».'
        : 'Saisissez une réponse, ou cliquez sur « Je passe ».' });
      return;
    }
    clearErrors(form);
    send(() => options.onAnswer(answer, focusedOut));
  });
  skip.addEventListener('click', () => send(() => options.onSkip(focusedOut)));

  container.append(form);
  focus(title);
  return {
    form,
    disable() {
      form.dataset.done = 'true';
      form.querySelectorAll('input').forEach((el) => { el.disabled = true; });
      form.querySelector('.actions').remove();
      if (timer) timer.stop();
      if (form.cleanup) form.cleanup();
    },
    stopTimer() { if (timer) timer.stop(); },
  };
}

/** The answer payload the API expects, or null when nothing was given. */
export function readAnswer(form, item) {
  if (item.type === 'QCU') {
    const checked = form.querySelector('input[name="choice"]:checked');
    return checked ? { choice: checked.value } : null;
  }
  if (item.type === 'QCM') {
    const checked = Array.from(form.querySelectorAll('input[name="choices"]:checked'));
    return checked.length ? { choices: checked.map((c) => c.value) } : null;
  }
  const fields = {};
  let any = false;
  for (const f of item.fields) {
    const value = form.elements[f.key].value;
    fields[f.key] = value;
    if (value.trim()) any = true;
  }
  return any ? { fields } : null;
}

/** 840 -> "840 octets", 12800 -> "12,5 ko" (French decimal comma). */
export function fileSize(bytes) {
  if (bytes < 1000) return plural(bytes, 'octet', 'octets');
  const [value, unit] = bytes < 1e6 ? [bytes / 1000, 'ko'] : [bytes / 1e6, 'Mo'];
  return `${value.toFixed(1).replace('.', ',').replace(/,0$/, '')} ${unit}`;
}

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function spoken(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const min = Math.floor(s / 60);
  const sec = s % 60;
  return [min ? plural(min, 'minute', 'minutes') : '', sec || !min ? plural(sec, 'seconde', 'secondes') : '']
    .filter(Boolean).join(' ');
}

/**
 * A visible countdown. Screen readers are told the duration at the start, then
 * at 30 and 10 seconds left and at the end, not every second.
 */
function startTimer(total, startedAt) {
  const value = h('span', { class: 'timer-value' });
  const el = h('p', { class: 'timer', 'data-role': 'timer' },
    'Temps restant : ', value);
  const said = new Set();
  const left = () => total - (Date.now() + serverOffset - startedAt) / 1000;
  const tick = () => {
    const remaining = left();
    value.textContent = clock(remaining);
    el.classList.toggle('low', remaining <= 10);
    for (const mark of [30, 10]) {
      if (remaining <= mark && remaining > mark - 2 && total > mark + 5 && !said.has(mark)) {
        said.add(mark);
        announce(`Plus que ${mark} secondes.`);
      }
    }
    if (remaining <= 0) {
      stop();
      el.classList.add('low');
      value.textContent = '0:00 (temps écoulé)';
      announce('Temps écoulé. Vous pouvez encore répondre, mais la réponse sera comptée hors délai.');
    }
  };
  const handle = setInterval(tick, 250);
  const stop = () => clearInterval(handle);
  tick();
  if (left() > 0) announce(`Question chronométrée : vous avez ${spoken(left())} pour répondre.`);
  return { el, stop };
}

const RESULTS = {
  ok: ['✔', 'Bonne réponse'],
  ko: ['✘', 'Mauvaise réponse'],
  aband: ['➜', 'Question passée'],
  timedout: ['✘', 'Temps écoulé : réponse hors délai, comptée comme fausse'],
  focusedOut: ['✘', 'Page quittée pendant la question : réponse comptée comme fausse'],
};

/** What the learner gave, in words: the texts of the chosen proposals, the
 * typed values with their labels; null for a skipped question. */
function givenTexts(item, given) {
  if (!item || !given || given.skip) return null;
  if (given.choice !== undefined || given.choices) {
    const ids = given.choices || [given.choice];
    return (item.proposals || []).filter((p) => ids.includes(p.id)).map((p) => inline(p.text));
  }
  return (item.fields || []).map((f) => `${f.label.replace(/\s*:\s*$/, '')} : ${(given.fields || {})[f.key] || '(vide)'}`);
}

/** The expected answer, in words (same shapes as givenTexts). */
function expectedTexts(c) {
  if (c.solution) return c.solution.map((s) => inline(s.text));
  if (c.groups) return c.groups.map((g) => g.join(' ou '));
  if (c.fields) return c.fields.map((f) => `${f.label.replace(/\s*:\s*$/, '')} : ${(f.solutions || []).join(' ou ')}`);
  return [];
}

/**
 * The correction shown after a positioning answer (never in certification).
 * `given`: the answer just sent, when this page sent it; "Votre réponse" and
 * the right answer then sit side by side (one above the other on a phone).
 */
export function renderResult(result, item, given) {
  const [icon, label] = RESULTS[result.status] || ['', result.status];
  const c = result.correction || {};
  const section = h('section', { class: 'result ' + result.status, 'aria-labelledby': 'resultat-titre',
    'data-status': result.status });
  section.append(h('h2', { id: 'resultat-titre', tabindex: '-1' },
    h('span', { 'aria-hidden': 'true' }, icon + ' '), label));
  const mine = givenTexts(item, given);
  if (given && result.status !== 'ok') {
    const expected = expectedTexts(c);
    section.append(h('div', { class: 'compare', 'data-compare': '' },
      h('div', { 'data-given': '' }, h('h3', null, 'Votre réponse'),
        mine ? h('ul', null, mine.map((t) => h('li', null, t))) : h('p', null, 'Vous avez passé la question.')),
      h('div', { 'data-expected': '' }, h('h3', null, expected.length > 1 ? 'Les bonnes réponses' : 'La bonne réponse'),
        h('ul', null, expected.map((t) => h('li', null, t))))));
    if (item && c.solution) markChoices(item, c, given);
  } else if (c.solution) {
    section.append(h('p', null, c.solution.length > 1 ? 'Les bonnes réponses étaient :' : 'La bonne réponse était :'),
      h('ul', null, c.solution.map((s) => h('li', null, inline(s.text)))));
    if (item) {
      for (const s of c.solution) {
        const input = document.getElementById(`p-${item.id}-${s.id}`);
        if (input) {
          input.closest('.choice').classList.add('is-solution');
          input.closest('.choice').querySelector('label').append(h('strong', null, ' (bonne réponse)'));
        }
      }
    }
  } else if (c.groups) {
    section.append(h('p', null, `Réponses attendues (${c.expected_correct} parmi celles-ci, dans n\u2019importe quel ordre) :`),
      h('ul', null, c.groups.map((g) => h('li', null, g.join(' ou ')))));
  } else if (c.fields) {
    section.append(h('p', null, 'Réponses attendues :'), h('ul', null, c.fields.map((f) =>
      h('li', null, `${f.label.replace(/\s*:\s*$/, '')} : ${(f.solutions || []).join(' ou ')}`))));
  }
  if (c.tutorial) {
    section.append(h('h3', null, 'Pour comprendre'), h('div', { class: 'tutorial' }, rich(c.tutorial)));
  }
  return section;
}

/** On the disabled question itself: which proposal was right, which was the learner's. */
function markChoices(item, c, given) {
  const right = new Set(c.solution.map((s) => s.id));
  const ids = given.choices || (given.choice !== undefined ? [given.choice] : []);
  for (const id of new Set([...right, ...ids])) {
    const input = document.getElementById(`p-${item.id}-${id}`);
    if (!input) continue;
    const box = input.closest('.choice');
    if (right.has(id)) box.classList.add('is-solution');
    const notes = [ids.includes(id) ? 'votre réponse' : '', right.has(id) ? 'bonne réponse' : ''].filter(Boolean);
    box.querySelector('label').append(h('strong', null, ` (${notes.join(', ')})`));
  }
}

export function resultLabel(status) {
  return (RESULTS[status] || ['', status])[1];
}
