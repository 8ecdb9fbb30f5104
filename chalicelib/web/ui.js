// DOM helpers shared by every page: element builder, announcements for screen
// readers, inline form errors, the small markup of item texts, the layout.
// Text always goes in through text nodes, never parsed as HTML: nothing the
// API returns can inject markup.
import { session, signOut, pageUrl, roles } from './api.js';

export const $ = (selector, root = document) => root.querySelector(selector);

/** h('p', {class: 'x', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace the content of `el`. */
export function fill(el, ...children) {
  el.textContent = '';
  append(el, children);
  return el;
}

/** Say something to screen-reader users (polite live region of the page).
 * Messages of the same moment are read together, none hides another. */
let said = [];
let saying = null;
export function announce(message) {
  const region = document.getElementById('annonces');
  if (!region) return;
  said.push(message);
  if (saying) return;
  region.textContent = '';
  // the text arrives a moment after the clearing, so the same message twice is read twice
  saying = setTimeout(() => {
    region.textContent = said.join(' ');
    said = [];
    saying = null;
  }, 80);
}

export function focus(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
    el.setAttribute('tabindex', '-1');
  }
  el.focus();
}

export function setTitle(text) {
  document.title = text + ' – Compétences numériques';
}

// --- forms ---------------------------------------------------------------------------

/** Remove the errors shown by showErrors. */
export function clearErrors(form) {
  form.querySelectorAll('.error-text[data-for]').forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ')
      .filter((id) => id && !id.endsWith('-erreur'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  });
  const summary = form.querySelector('.summary');
  if (summary) summary.remove();
}

/**
 * Show errors inline: `errors` maps a field name (the input's name) to a
 * message; '' holds a message about the whole form. A summary with links to
 * the fields opens the form and takes the focus, so keyboard and screen-reader
 * users hear how many errors there are and can reach each one.
 */
export function showErrors(form, errors) {
  clearErrors(form);
  const items = [];
  for (const [name, message] of Object.entries(errors)) {
    if (!name) continue;
    const input = form.elements[name];
    const target = input && (input.length && !input.tagName ? input[0] : input);
    if (!target) { items.push(h('li', null, message)); continue; }
    const id = (target.id || name) + '-erreur';
    const p = h('p', { class: 'error-text', id, 'data-for': name }, message);
    const anchor = target.closest('fieldset') && (target.type === 'radio' || target.type === 'checkbox')
      ? target.closest('fieldset') : target.closest('.field') || target.parentElement;
    anchor.append(p);
    const controls = input.length && !input.tagName ? Array.from(input) : [input];
    controls.forEach((c) => {
      c.setAttribute('aria-invalid', 'true');
      c.setAttribute('aria-describedby', ((c.getAttribute('aria-describedby') || '') + ' ' + id).trim());
    });
    items.push(h('li', null, h('a', { href: '#' + target.id }, message)));
  }
  const count = Object.keys(errors).filter((k) => k).length;
  const summary = h('div', { class: 'notice error summary', role: 'alert', tabindex: '-1' },
    h('h2', null, count > 1 ? `Le formulaire contient ${count} erreurs`
      : count === 1 ? 'Le formulaire contient une erreur' : 'La demande n\u2019a pas abouti'),
    errors[''] ? h('p', null, errors['']) : null,
    items.length ? h('ul', null, items) : null);
  summary.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#"]');
    if (!link) return;
    event.preventDefault();
    focus(document.getElementById(link.getAttribute('href').slice(1)));
  });
  form.prepend(summary);
  summary.focus();
  return summary;
}

/**
 * Map an ApiError to field errors: pydantic details name the field; domain
 * codes go where `codeToField` says; anything else is a message for the form.
 */
export function apiErrors(error, codeToField = {}, fieldNames = {}) {
  const errors = {};
  if (error.code && codeToField[error.code] !== undefined) {
    errors[codeToField[error.code]] = error.message;
  } else if (error.code === 'invalid_input' && Array.isArray(error.details)) {
    for (const d of error.details) {
      const field = String(d.field || '').split('.')[0];
      if (fieldNames[field]) errors[field] = fieldNames[field];
      else errors[''] = error.message;
    }
  } else {
    errors[''] = error.message;
  }
  return errors;
}

export function busy(button, on, label) {
  if (on) {
    button.dataset.label = button.textContent;
    button.disabled = true;
    if (label) button.textContent = label;
  } else {
    button.disabled = false;
    if (button.dataset.label) button.textContent = button.dataset.label;
  }
}

// --- texts --------------------------------------------------------------------------

/** Inline markup of item texts: `code`, **bold** and *italics* (not the * of a
 * formula like =B2*C1: an opening * follows a space or an opening sign). */
export function inline(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|(^|[\s(«"'])\*([^\s*](?:[^*]*[^\s*])?)\*(?=$|[\s).,;:!?»"'])/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', null, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', null, m[2]));
    else out.push(m[3] || '', h('em', null, m[4]));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|(\s*:?-{2,}:?\s*\|)+\s*$/;

function cells(line) {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/**
 * A Markdown table as a real table: the first row gives column headers
 * (`th scope="col"`). When its first cell is empty (a spreadsheet grid: column
 * letters above, row numbers on the left), the first column gives row
 * headers (`th scope="row"`) and the empty corner stays a plain cell.
 */
function table(rows) {
  const [head, ...body] = rows.map(cells);
  const rowHeaders = head[0] === '';
  return h('table', { class: 'data' },
    h('thead', null, h('tr', null, head.map((c) => (c === '' ? h('td') : h('th', { scope: 'col' }, inline(c)))))),
    h('tbody', null, body.map((row) => h('tr', null, row.map((c, i) => (rowHeaders && i === 0
      ? h('th', { scope: 'row' }, inline(c)) : h('td', null, inline(c))))))));
}

/** Block markup: paragraphs, ``` code blocks ```, "- " lists, Markdown tables. */
export function rich(text) {
  const blocks = [];
  const lines = String(text || '').replace(/\r/g, '').split('\n');
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) blocks.push(h('p', null, inline(para.join(' '))));
    para = [];
    if (list) blocks.push(list);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line.trim())) {
      flush();
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i].trim()); i++) code.push(lines[i]);
      blocks.push(h('pre', null, h('code', null, code.join('\n'))));
    } else if (TABLE_ROW.test(line) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      flush();
      const rows = [line];
      for (i += 2; i < lines.length && TABLE_ROW.test(lines[i]); i++) rows.push(lines[i]);
      i--;
      blocks.push(h('div', { class: 'table-scroll' }, table(rows)));
    } else if (/^\s*[-*] /.test(line)) {
      if (para.length) { blocks.push(h('p', null, inline(para.join(' ')))); para = []; }
      list = list || h('ul');
      list.append(h('li', null, inline(line.replace(/^\s*[-*] /, ''))));
    } else if (!line.trim()) {
      flush();
    } else {
      if (list) { blocks.push(list); list = null; }
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
  'septembre', 'octobre', 'novembre', 'décembre'];

/** '2008-05-14' -> '14 mai 2008' (no time zone involved). */
export function frenchDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!m) return iso || '';
  return `${Number(m[3])}${m[3] === '01' ? 'er' : ''} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

const MOMENT = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long',
  hour: '2-digit', minute: '2-digit' });

/** Epoch ms -> '10 décembre à 14:05' (Paris time: the learner's clock in France). */
export function moment(ms) {
  return MOMENT.format(new Date(ms));
}

/** '2008-05-14' from what a person typed (JJ/MM/AAAA, or ISO), '' when it is no real date. */
export function isoDate(value) {
  const v = (value || '').trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) || /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (!m) return '';
  const [y, mo, d] = m[1].length === 4 ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return '';
  return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}

// --- layout --------------------------------------------------------------------------

/** Navigation state: current page, signed in or not, sign-out button. */
export function initLayout() {
  const here = location.pathname.split('/').pop();
  document.querySelectorAll('.site nav a').forEach((a) => {
    if (new URL(a.href).pathname.split('/').pop() === here) a.setAttribute('aria-current', 'page');
  });
  showAuthState();
  // each person sees the spaces they hold a role in (the API checks every call anyway)
  const held = roles();
  const spaces = { organisation: Object.keys(held.organizations).length > 0,
    centre: held.centres.length > 0, admin: held.admin };  // centre and admin spaces (issue 19)
  document.querySelectorAll('[data-space]').forEach((el) => { el.hidden = !spaces[el.dataset.space]; });
  document.querySelectorAll('[data-signout]').forEach((button) => {
    button.addEventListener('click', async () => {
      const garLogout = await signOut();
      location.assign(garLogout || pageUrl(''));
    });
  });
}

/** The menu items that depend on being signed in; called again by a page
 * that signs the person in without a reload (registration). */
export function showAuthState() {
  const signedIn = !!session.user();
  document.querySelectorAll('[data-auth="in"]').forEach((el) => { el.hidden = !signedIn; });
  document.querySelectorAll('[data-auth="out"]').forEach((el) => { el.hidden = signedIn; });
}

/** The query-string parameter `name` of the page URL. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
