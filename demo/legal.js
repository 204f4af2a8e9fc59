/* global URLSearchParams */
import { api, formatDateTime, h, server } from './assets/demo.js';

/**
 * The legal console: the templates with their versions, <cs-template-builder> to build or edit
 * one, and <cs-clause-library> on the "Clause library" view. The page gets a short-lived legal
 * embed token from the demo back end and hands it to <cs-provider>.
 */

const view = new URLSearchParams(location.search).get('view') === 'clauses' ? 'clauses' : 'templates';
const builder = document.getElementById('builder');
const builderTitle = document.getElementById('builder-title');
const builderStatus = document.getElementById('builder-status');
const tbody = document.getElementById('templates');
let session;

function showLoadError(error) {
  document.getElementById('load-error-text').textContent = ` ${error.message}`;
  document.getElementById('load-error').hidden = false;
}

function openTemplate(template) {
  if (template) {
    builder.setAttribute('template-id', template.id);
    builderTitle.textContent = `Editing: ${template.name}`;
  } else {
    builder.removeAttribute('template-id');
    builderTitle.textContent = 'New template';
  }
  builderStatus.textContent = '';
  builderTitle.scrollIntoView({ block: 'start' });
  builderTitle.focus({ preventScroll: true });
}

let templates = [];

async function loadTemplates() {
  const { items } = await api('/api/v1/templates', { token: session.token });
  templates = items;
  if (!items.length) {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No templates yet.')));
    return;
  }
  tbody.replaceChildren(
    ...items.map((t) => {
      const open = h(
        'button',
        { type: 'button', class: 'button button--ghost' },
        'Open',
        h('span', { class: 'visually-hidden' }, ` ${t.name}`),
      );
      open.addEventListener('click', () => openTemplate(t));
      return h(
        'tr',
        { 'data-template-id': t.id },
        h('td', { class: 'title' }, t.name, h('span', { class: 'sub' }, `Updated ${formatDateTime(t.updatedAt)}`)),
        h(
          'td',
          { 'data-label': 'Latest version' },
          `v${t.version} · ${t.status === 'published' ? 'published' : 'draft'}`,
        ),
        h('td', { 'data-label': 'Published' }, t.latestPublishedVersion ? `v${t.latestPublishedVersion}` : 'not yet'),
        h('td', {}, open),
      );
    }),
  );
}

document.getElementById('new-template').addEventListener('click', () => openTemplate(undefined));

/** After a save the builder edits that template: the list and the heading say which. */
async function afterSave(templateId) {
  await loadTemplates();
  const saved = templates.find((t) => t.id === templateId);
  if (saved) builderTitle.textContent = `Editing: ${saved.name}`;
}

builder.addEventListener('cs-template-save', (event) => {
  builderStatus.textContent = `Draft saved as version ${event.detail.version}.`;
  afterSave(event.detail.templateId).catch(showLoadError);
});
builder.addEventListener('cs-template-publish', (event) => {
  builderStatus.textContent = `Version ${event.detail.version} published: agents can send it now.`;
  loadTemplates().catch(showLoadError);
});

async function start() {
  session = await api('/demo/api/legal-session');
  document.getElementById('user-name').textContent = session.user.name;
  const provider = document.getElementById('provider');
  provider.setAttribute('server', server);
  provider.setAttribute('token', session.token);
  document.getElementById(`${view}-view`).hidden = false;
  document.getElementById(`nav-${view}`).setAttribute('aria-current', 'page');
  document.title = `${view === 'clauses' ? 'Clause library' : 'Templates'} — Northwind Fibre legal console`;
  if (view === 'templates') await loadTemplates();
  document.body.dataset.ready = 'true';
}

start().catch(showLoadError);
