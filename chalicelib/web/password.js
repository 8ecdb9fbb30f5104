// Password fields: the rules shown as they are met, and a show/hide button.
// The rules mirror chalicelib/domain/passwords.py; the server stays the judge.
import { $ } from './ui.js';

const RULES = {
  length: (p) => p.length >= 8,
  upper: (p) => Array.from(p).some((c) => c !== c.toLowerCase() && c === c.toUpperCase()),
  lower: (p) => Array.from(p).some((c) => c !== c.toUpperCase() && c === c.toLowerCase()),
  digit: (p) => /\d/.test(p),
};

const MISSING = {
  length: 'au moins 8 caractères',
  upper: 'une lettre majuscule',
  lower: 'une lettre minuscule',
  digit: 'un chiffre',
};

/** The French sentence for a refused password, or '' when it is acceptable. */
export function passwordProblem(password) {
  if (password.length > 200) return 'Le mot de passe doit contenir au plus 200 caractères.';
  const missing = Object.keys(RULES).filter((rule) => !RULES[rule](password.normalize('NFC')));
  if (!missing.length) return '';
  return 'Le mot de passe doit contenir au moins 8 caractères, dont une majuscule, une minuscule '
    + 'et un chiffre. Il manque : ' + missing.map((m) => MISSING[m]).join(', ') + '.';
}

export function initPasswords(root = document) {
  root.querySelectorAll('[data-toggle-password]').forEach((button) => {
    const input = document.getElementById(button.dataset.togglePassword);
    button.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(show));
      button.firstChild.textContent = show ? 'Masquer' : 'Afficher';
    });
  });
  root.querySelectorAll('[data-rules-for]').forEach((list) => {
    const input = document.getElementById(list.dataset.rulesFor);
    const update = () => {
      for (const li of list.querySelectorAll('[data-rule]')) {
        const ok = RULES[li.dataset.rule](input.value.normalize('NFC'));
        li.classList.toggle('ok', ok);
        $('[data-state]', li).textContent = ok ? ' : respecté' : ' : non respecté';
      }
    };
    input.addEventListener('input', update);
    update();
  });
}
