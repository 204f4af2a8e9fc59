import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Clause, ClauseProposal, ClauseVersion } from '@countersign/core';
import '../../packages/elements/src/clause-library/define.ts';
import type { CsClauseLibrary } from '../../packages/elements/src/clause-library/clause-library.ts';
import { $, $$, expectCrossOriginServer, mintToken, ok, serverCommand } from './support.ts';

type Role = 'legal' | 'agent';
const USERS = {
  legal: { id: 'u_legal', name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' },
  agent: { id: 'u_agent', name: '山田太郎', email: 'taro@example.jp' },
};

const tokens = new Map<Role, string>();
async function tokenFor(role: Role): Promise<string> {
  if (!tokens.has(role)) {
    tokens.set(role, await mintToken(role, USERS[role]));
  }
  return tokens.get(role)!;
}

let n = 0;
const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}`;

async function seedClause(input: Partial<Clause> & { title: string; body: string }, publish = false): Promise<Clause> {
  const clause = await ok<Clause>('POST', '/api/v1/clauses', { key: `k_${unique()}`, ...input });
  if (publish) await ok('POST', `/api/v1/clauses/${clause.id}/versions/1/publish`, {});
  return clause;
}

async function mount(role: Role, mode: 'manage' | 'browse' = role === 'legal' ? 'manage' : 'browse') {
  const { server } = await serverCommand<{ server: string }>('cs-server');
  const token = await tokenFor(role);
  const el = await fixture<CsClauseLibrary>(
    html`<cs-clause-library server=${server} token=${token} mode=${mode} search-delay="50"></cs-clause-library>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('.list'), 'the list loads');
  return el;
}

const text = (node: Element | null) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const item = (el: CsClauseLibrary, id: string) => $<HTMLButtonElement>(el, `[data-clause-id="${id}"]`);
const button = (el: CsClauseLibrary, label: string | RegExp) => {
  const found = $$<HTMLButtonElement>(el, 'button').find((b) =>
    typeof label === 'string' ? text(b) === label : label.test(text(b)),
  );
  if (!found) throw new Error(`No button "${label}"`);
  return found;
};
const field = <T extends HTMLInputElement | HTMLTextAreaElement>(el: CsClauseLibrary, name: string) =>
  $<T>(el, `form [name="${name}"]`)!;

async function open(el: CsClauseLibrary, id: string) {
  await waitUntil(() => item(el, id), `clause ${id} is listed`);
  item(el, id)!.click();
  await waitUntil(() => $(el, '#detail-heading'), 'the clause opens');
  await el.updateComplete;
}

function typeInto(control: HTMLInputElement | HTMLTextAreaElement, value: string) {
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

/** Presses Tab until the focused control inside the element matches, as a keyboard user would. */
async function tabTo(el: CsClauseLibrary, matches: (e: Element) => boolean, what: string) {
  for (let i = 0; i < 40; i++) {
    const active = el.shadowRoot!.activeElement;
    if (active && matches(active)) return active as HTMLElement;
    await sendKeys({ press: 'Tab' });
  }
  throw new Error(`Tab never reached ${what}`);
}

const versionsOf = (id: string) => ok<{ items: ClauseVersion[] }>('GET', `/api/v1/clauses/${id}/versions`);
const proposalsOf = (id: string) => ok<{ items: ClauseProposal[] }>('GET', `/api/v1/clauses/${id}/proposals`);

describe('<cs-clause-library> (legal, real server)', () => {
  before(expectCrossOriginServer);

  it('lists clauses and narrows the list as you search', async () => {
    const word = `zebra${unique()}`;
    const a = await seedClause({ title: `Liability ${word}`, body: 'Liability is capped at {{cap}}.' });
    const b = await seedClause({ title: 'Termination', body: 'Either party may end this agreement.' });
    const el = await mount('legal');
    await waitUntil(() => item(el, a.id) && item(el, b.id), 'both clauses are listed');
    await expect(el).to.be.accessible();

    typeInto($<HTMLInputElement>(el, 'input[type=search]')!, word);
    await waitUntil(() => !item(el, b.id), 'the search narrows the list');
    expect($$(el, '.list > li')).to.have.length(1);
    expect(text(item(el, a.id))).to.contain(`Liability ${word}`);
    expect(text($(el, '.count'))).to.equal('1 clause');
  });

  it('filters by category, tag and locked on the client', async () => {
    const cat = `cat${unique()}`;
    const a = await seedClause({ title: 'Data', body: 'Data text.', category: cat, tags: ['gdpr'], locked: true });
    const b = await seedClause({ title: 'Fees', body: 'Fee text.', category: cat, tags: ['money'] });
    const el = await mount('legal');
    await waitUntil(() => item(el, a.id) && item(el, b.id));
    const [category, tag] = $$<HTMLSelectElement>(el, '.filters select');
    category!.value = cat;
    category!.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.visibleClauses.map((c) => c.id)).to.have.members([a.id, b.id]);
    tag!.value = 'money';
    tag!.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.visibleClauses.map((c) => c.id)).to.deep.equal([b.id]);
    tag!.value = '';
    tag!.dispatchEvent(new Event('change'));
    const [locked, pending] = $$<HTMLInputElement>(el, '.filters input[type=checkbox]');
    locked!.click();
    await el.updateComplete;
    expect(el.visibleClauses.map((c) => c.id)).to.deep.equal([a.id]);
    expect(text(item(el, a.id))).to.contain('Locked');
    locked!.click();
    await ok('POST', `/api/v1/clauses/${b.id}/proposals`, { body: 'Fee text, lower.', comment: 'Cheaper' });
    await el.reload();
    pending!.click();
    await waitUntil(() => el.visibleClauses.length === 1, 'only clauses with pending proposals remain');
    expect(el.visibleClauses.map((c) => c.id)).to.deep.equal([b.id]);
    expect(text(item(el, b.id))).to.contain('1 pending');
    await expect(el).to.be.accessible();
  });

  it('keeps unsaved edits of a clause while another one is open', async () => {
    const a = await seedClause({ title: 'First', body: 'First text.' });
    const b = await seedClause({ title: 'Second', body: 'Second text.' });
    const el = await mount('legal');
    await open(el, a.id);
    typeInto(field(el, 'body'), 'First text, edited.');
    await open(el, b.id);
    expect(field(el, 'body').value).to.equal('Second text.');
    expect($(el, '.unsaved')).to.equal(null);
    await open(el, a.id);
    expect(field(el, 'body').value).to.equal('First text, edited.');
    expect(text($(el, '.unsaved'))).to.equal('Unsaved changes');
    // A search that leaves the open clause out of the list leaves it open, edits and all.
    typeInto($<HTMLInputElement>(el, 'input[type=search]')!, `nothing-matches-${unique()}`);
    await waitUntil(() => el.visibleClauses.length === 0, 'the search empties the list');
    expect(text($(el, '#detail-heading'))).to.equal('First');
    expect(field(el, 'body').value).to.equal('First text, edited.');
    expect(text($(el, '.list-pane'))).to.contain('No clauses match.');
  });

  it('edits and saves: version n+1 with the exact text, then publishes it', async () => {
    const clause = await seedClause({ title: 'Payment', body: 'Pay within **30** days.' }, true);
    const el = await mount('legal');
    await open(el, clause.id);
    expect(text($(el, '#detail-heading'))).to.equal('Payment');
    await expect(el).to.be.accessible();

    const body = 'Pay within **14** days of {{invoice_date}}.\n\n1. By card\n2. By *bank transfer*';
    typeInto(field(el, 'body'), body);
    await el.updateComplete;
    // The live preview is formatted DOM built from the parsed text.
    const preview = $(el, '[part=preview]')!;
    expect(text(preview.querySelector('strong'))).to.equal('14');
    expect(text(preview.querySelector('em'))).to.equal('bank transfer');
    expect([...preview.querySelectorAll('ol > li')].map(text)).to.deep.equal(['By card', 'By bank transfer']);
    expect(text(preview.querySelector('[part=variable]'))).to.equal('variable invoice_date');
    expect(text($(el, '.unsaved'))).to.equal('Unsaved changes');

    const saved = oneEvent(el, 'cs-clause-save');
    button(el, 'Save as new version').click();
    expect((await saved).detail).to.deep.equal({ clauseId: clause.id, version: 2 });
    await el.updateComplete;
    expect(text($(el, '[role=status][part=status]'))).to.contain('Saved as version 2 (draft)');
    const versions = (await versionsOf(clause.id)).items;
    expect(versions.map((v) => [v.version, v.status])).to.deep.equal([
      [1, 'published'],
      [2, 'draft'],
    ]);
    expect(versions[1]!.body).to.equal(body);
    expect(versions[1]!.createdBy.name).to.equal('Zoë Łukasz-Müller');

    const published = oneEvent(el, 'cs-clause-publish');
    button(el, 'Publish version 2').click();
    expect((await published).detail).to.deep.equal({ clauseId: clause.id, version: 2 });
    await waitUntil(() => text($(el, '[part=status]')).includes('Version 2 is published'));
    expect((await versionsOf(clause.id)).items[1]!.status).to.equal('published');
    expect(() => button(el, 'Publish version 2')).to.throw();
    await expect(el).to.be.accessible();
  });

  it('creates a clause', async () => {
    const el = await mount('legal');
    button(el, 'New clause').click();
    await el.updateComplete;
    // Empty required fields are refused before any request, with messages beside the fields.
    button(el, 'Create clause').click();
    await el.updateComplete;
    expect(text($(el, '#error-key'))).to.contain('Required.');
    expect(text($(el, '#error-title'))).to.contain('Required.');
    await expect(el).to.be.accessible();
    const key = `new_${unique()}`;
    typeInto(field(el, 'key'), key);
    typeInto(field(el, 'title'), 'Confidentiality');
    typeInto(field(el, 'body'), 'Keep {{company}} secrets secret.');
    typeInto(field(el, 'tags'), 'nda, core');
    // The condition through the shared <cs-condition-input>, in its JSON mode.
    const condition = $(el, 'cs-condition-input')!;
    condition.shadowRoot!.querySelector<HTMLInputElement>('input[value=advanced]')!.click();
    await el.updateComplete;
    const json = condition.shadowRoot!.querySelector<HTMLTextAreaElement>('textarea#json')!;
    typeInto(json, '{">": [{"var": "amount"}, ');
    await el.updateComplete;
    button(el, 'Create clause').click();
    await el.updateComplete;
    expect(text($(el, '.condition .field-error'))).to.contain('Finish the condition');
    typeInto(json, '{">": [{"var": "amount"}, 5000]}');
    const saved = oneEvent(el, 'cs-clause-save');
    button(el, 'Create clause').click();
    const { detail } = await saved;
    expect(detail.version).to.equal(1);
    const stored = await ok<Clause>('GET', `/api/v1/clauses/${detail.clauseId}`);
    expect(stored).to.include({ key, title: 'Confidentiality', status: 'draft' });
    expect(stored.tags).to.deep.equal(['nda', 'core']);
    expect(stored.condition).to.deep.equal({ '>': [{ var: 'amount' }, 5000] });
    await waitUntil(() => text($(el, '#detail-heading')) === 'Confidentiality');
    // Opened again, the stored condition loads into the input without counting as an edit.
    await el.updateComplete;
    expect(text($(el, 'cs-condition-input')!.shadowRoot!.querySelector('[part=summary]'))).to.contain('amount');
    expect($(el, '.unsaved')).to.equal(null);
  });

  it('shows a side-by-side diff between two versions with deletions and insertions marked', async () => {
    const clause = await seedClause({ title: 'Fee', body: 'The fee is 10 euros per month.' });
    await ok(
      'PATCH',
      `/api/v1/clauses/${clause.id}`,
      { body: 'The fee is 12 euros per month.' },
      await tokenFor('legal'),
    );
    const el = await mount('legal');
    await open(el, clause.id);
    button(el, 'History').click();
    await waitUntil(() => $(el, '.versions'), 'versions load');
    const entries = $$(el, '.version');
    expect(entries.map((e) => e.dataset.version)).to.deep.equal(['2', '1']);
    expect(text(entries[0]!)).to.contain('Created by Zoë Łukasz-Müller');
    button(el, 'Show differences').click();
    await waitUntil(() => $(el, '.diff'), 'the diff shows');
    const body = $(el, '.diff-field[data-field=body]')!;
    expect([...body.querySelectorAll('.before del')].map(text)).to.deep.equal(['[deleted: 10]']);
    expect([...body.querySelectorAll('.after ins')].map(text)).to.deep.equal(['[inserted: 12]']);
    expect(text(body.querySelector('.before .diff-text'))).to.equal('The fee is [deleted: 10] euros per month.');
    // The markers are for screen readers; sighted users see struck and underlined words.
    expect(getComputedStyle(body.querySelector('del .visually-hidden')!).position).to.equal('absolute');
    expect(getComputedStyle(body.querySelector('del')!).textDecorationLine).to.equal('line-through');
    expect(getComputedStyle(body.querySelector('ins')!).textDecorationLine).to.equal('underline');
    await expect(el).to.be.accessible();
  });

  it('approves a proposal (a draft version, then "Publish now") and rejects another only with a comment', async () => {
    const clause = await seedClause({ title: 'Refunds', body: 'Refunds within 14 days.' }, true);
    const agent = await tokenFor('agent');
    const first = await ok<ClauseProposal>(
      'POST',
      `/api/v1/clauses/${clause.id}/proposals`,
      { body: 'Refunds within 30 days.', comment: 'Customers ask for <b>30</b> days' },
      agent,
    );
    const el = await mount('legal');
    await waitUntil(() => text(item(el, clause.id)).includes('1 pending'), 'the pending count shows');
    await open(el, clause.id);
    await waitUntil(() => text(button(el, /^Proposals/)) === 'Proposals (1)');
    button(el, /^Proposals/).click();
    await waitUntil(() => $(el, `[data-proposal-id="${first.id}"]`));
    const card = $(el, `[data-proposal-id="${first.id}"]`)!;
    expect(text(card)).to.contain('Proposed by 山田太郎');
    expect(text(card.querySelector('blockquote'))).to.equal('Customers ask for <b>30</b> days');
    expect(card.querySelector('blockquote b')).to.equal(null);
    expect([...card.querySelectorAll('.before del')].map(text)).to.deep.equal(['[deleted: 14]']);
    expect([...card.querySelectorAll('.after ins')].map(text)).to.deep.equal(['[inserted: 30]']);
    await expect(el).to.be.accessible();

    const decided = oneEvent(el, 'cs-proposal-decide');
    card.querySelector<HTMLButtonElement>('button.approve')!.click();
    expect((await decided).detail).to.deep.equal({
      clauseId: clause.id,
      proposalId: first.id,
      decision: 'approved',
      version: 2,
    });
    await el.updateComplete;
    expect(text($(el, '[part=status]'))).to.contain('Approved. Version 2 is a draft');
    await expect(el).to.be.accessible();
    const published = oneEvent(el, 'cs-clause-publish');
    button(el, 'Publish now').click();
    expect((await published).detail).to.deep.equal({ clauseId: clause.id, version: 2 });
    expect((await versionsOf(clause.id)).items[1]).to.include({ status: 'published', body: 'Refunds within 30 days.' });

    // Reject: a comment is required, said beside the field, and nothing is sent without it.
    const second = await ok<ClauseProposal>(
      'POST',
      `/api/v1/clauses/${clause.id}/proposals`,
      { body: 'Refunds within 60 days.', comment: 'Even longer' },
      agent,
    );
    el.remove();
    const again = await mount('legal');
    await open(again, clause.id);
    button(again, /^Proposals/).click();
    await waitUntil(() => $(again, `[data-proposal-id="${second.id}"] button.reject`));
    const pending = $(again, `[data-proposal-id="${second.id}"]`)!;
    expect($$(again, '.proposal')[0]).to.equal(pending, 'pending proposals come first');
    pending.querySelector<HTMLButtonElement>('button.reject')!.click();
    await again.updateComplete;
    const textarea = pending.querySelector('textarea')!;
    expect(text(pending.querySelector('.field-error'))).to.equal('Say why you reject it: a comment is required.');
    expect(textarea.getAttribute('aria-invalid')).to.equal('true');
    expect(again.shadowRoot!.activeElement).to.equal(textarea);
    expect((await proposalsOf(clause.id)).items.find((p) => p.id === second.id)!.status).to.equal('pending');
    await expect(again).to.be.accessible();
    typeInto(textarea, 'Sixty days is too long for us');
    const rejected = oneEvent(again, 'cs-proposal-decide');
    pending.querySelector<HTMLButtonElement>('button.reject')!.click();
    expect((await rejected).detail).to.deep.equal({ clauseId: clause.id, proposalId: second.id, decision: 'rejected' });
    const stored = (await proposalsOf(clause.id)).items.find((p) => p.id === second.id)!;
    expect(stored).to.include({ status: 'rejected', decisionComment: 'Sixty days is too long for us' });
  });

  it('shows the server’s 422 field errors beside the field and keeps the draft', async () => {
    const clause = await seedClause({ title: 'Notice', body: 'Notice by email.' });
    const el = await mount('legal');
    await open(el, clause.id);
    typeInto(field(el, 'title'), 'Notice (amended)');
    typeInto(field(el, 'body'), 'Notice to {{bad key}}.');
    const failed = oneEvent(el, 'cs-error');
    button(el, 'Save as new version').click();
    expect((await failed).detail).to.include({ code: 'invalid', status: 422 });
    await el.updateComplete;
    expect(text($(el, '[part=error]'))).to.contain('Some fields need attention.');
    expect(text($(el, '#error-body'))).to.contain('A placeholder is written {{key}}');
    expect(field(el, 'body').getAttribute('aria-invalid')).to.equal('true');
    await waitUntil(() => el.shadowRoot!.activeElement === field(el, 'body'), 'focus moves to the refused field');
    expect(field(el, 'body').value).to.equal('Notice to {{bad key}}.');
    expect(field(el, 'title').value).to.equal('Notice (amended)');
    expect((await versionsOf(clause.id)).items).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('shows a 409 when approving a proposal on text legal has changed since, and fires cs-error', async () => {
    const clause = await seedClause({ title: 'Support hours', body: 'Support from 9 to 17.' }, true);
    const proposal = await ok<ClauseProposal>(
      'POST',
      `/api/v1/clauses/${clause.id}/proposals`,
      { body: 'Support from 8 to 20.', comment: 'Longer hours' },
      await tokenFor('agent'),
    );
    await ok('PATCH', `/api/v1/clauses/${clause.id}`, { body: 'Support from 9 to 18.' }, await tokenFor('legal'));
    const el = await mount('legal');
    await open(el, clause.id);
    button(el, /^Proposals/).click();
    await waitUntil(() => $(el, `[data-proposal-id="${proposal.id}"] button.approve`));
    const failed = oneEvent(el, 'cs-error');
    $<HTMLButtonElement>(el, `[data-proposal-id="${proposal.id}"] button.approve`)!.click();
    expect((await failed).detail).to.include({ code: 'conflict', status: 409 });
    await el.updateComplete;
    expect(text($(el, '[part=error]'))).to.contain('The server refused the change:');
    expect(text($(el, '.notice-detail'))).to.not.equal('');
    expect(text($(el, `[data-proposal-id="${proposal.id}"] .badge`))).to.equal('Pending');
    expect((await proposalsOf(clause.id)).items[0]!.status).to.equal('pending');
    await expect(el).to.be.accessible();
  });

  it('keeps the draft when the network fails, and saves it on the next try', async () => {
    const clause = await seedClause({ title: 'Warranty', body: 'No warranty.' });
    const el = await mount('legal');
    await open(el, clause.id);
    typeInto(field(el, 'body'), 'A warranty of 12 months.');
    const realFetch = window.fetch;
    window.fetch = async (input, init) => {
      if (init?.method === 'PATCH') throw new TypeError('Failed to fetch');
      return realFetch(input, init);
    };
    try {
      const failed = oneEvent(el, 'cs-error');
      button(el, 'Save as new version').click();
      expect((await failed).detail).to.include({ code: 'network', status: 0 });
      await el.updateComplete;
      expect(text($(el, '[part=error]'))).to.contain('The server could not be reached. Your changes are kept');
      expect(field(el, 'body').value).to.equal('A warranty of 12 months.');
    } finally {
      window.fetch = realFetch;
    }
    const saved = oneEvent(el, 'cs-clause-save');
    button(el, 'Save as new version').click();
    expect((await saved).detail.version).to.equal(2);
    expect((await versionsOf(clause.id)).items[1]!.body).to.equal('A warranty of 12 months.');
  });

  it('renders script and unicode in titles, bodies and comments as text', async () => {
    const title = '<img src=x onerror=alert(1)> Zoë Łukasz-Müller';
    const body = 'Ἀθηνᾶ, Юлия, 山田太郎 and محمد agree. <script>alert(1)</script> **<b>bold</b>**';
    const clause = await seedClause({ title, body });
    const el = await mount('legal');
    await open(el, clause.id);
    expect(text(item(el, clause.id))).to.contain(title);
    expect(text($(el, '#detail-heading'))).to.equal(title);
    const preview = $(el, '[part=preview]')!;
    expect(text(preview)).to.contain('Ἀθηνᾶ, Юлия, 山田太郎 and محمد agree. <script>alert(1)</script>');
    expect(text(preview.querySelector('strong'))).to.equal('<b>bold</b>');
    expect(el.shadowRoot!.querySelector('img, script, b')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('goes keyboard-only through search, open, edit, save and publish', async () => {
    const word = `kbd${unique()}`;
    const clause = await seedClause({ title: `Keyboard ${word}`, body: 'Typed text.' });
    const el = await mount('legal');
    const search = await tabTo(el, (e) => e.matches('input[type=search]'), 'the search field');
    await sendKeys({ type: word });
    expect((search as HTMLInputElement).value).to.equal(word);
    await waitUntil(() => el.visibleClauses.length === 1 && el.visibleClauses[0]!.id === clause.id, 'search narrows');
    await tabTo(el, (e) => e.getAttribute('data-clause-id') === clause.id, 'the clause');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'detail-heading', 'focus moves to the clause');
    await tabTo(el, (e) => e.getAttribute('name') === 'body', 'the body field');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'End' });
    await sendKeys({ up: 'Control' });
    await sendKeys({ type: ' More typed text.' });
    await tabTo(el, (e) => e.matches('button[type=submit]'), 'the save button');
    const saved = oneEvent(el, 'cs-clause-save');
    await sendKeys({ press: 'Enter' });
    expect((await saved).detail.version).to.equal(2);
    expect((await versionsOf(clause.id)).items[1]!.body).to.equal('Typed text. More typed text.');
    await tabTo(el, (e) => text(e) === 'Publish version 2', 'the publish button');
    const published = oneEvent(el, 'cs-clause-publish');
    await sendKeys({ press: 'Enter' });
    expect((await published).detail.version).to.equal(2);
  });

  it('puts the list and the editor side by side when wide, stacked at 360px without sideways scrolling', async () => {
    const clause = await seedClause({ title: 'Layout', body: 'A **long** clause text with {{variables}}.' });
    try {
      await setViewport({ width: 1280, height: 900 });
      const el = await mount('legal');
      await open(el, clause.id);
      const list = () => $(el, '.list-pane')!.getBoundingClientRect();
      const detail = () => $(el, '.detail')!.getBoundingClientRect();
      expect(detail().left).to.be.greaterThan(list().right - 1);
      await setViewport({ width: 360, height: 800 });
      await waitUntil(() => detail().top >= list().bottom - 1, 'the panes stack');
      expect(el.scrollWidth).to.be.at.most(el.clientWidth);
      for (const b of $$<HTMLButtonElement>(el, 'button')) {
        if (b.offsetParent) expect(b.getBoundingClientRect().height, text(b)).to.be.at.least(44);
      }
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('shows an error with a retry when the list cannot load', async () => {
    const el = await fixture<CsClauseLibrary>(
      html`<cs-clause-library server="http://127.0.0.1:9" token="t"></cs-clause-library>`,
    );
    const failed = await oneEvent(el, 'cs-error');
    expect(failed.detail.code).to.equal('network');
    await el.updateComplete;
    expect(text($(el, '[part=error]'))).to.contain('The clauses could not be loaded: the server could not be reached.');
    expect(() => button(el, 'Try again')).to.not.throw();
    await expect(el).to.be.accessible();
  });
});

describe('<cs-clause-library mode="browse"> (agent, real server)', () => {
  before(expectCrossOriginServer);

  it('shows a locked clause read-only, with a lock and no way to edit it', async () => {
    const locked = await seedClause(
      { title: 'Governing law', body: 'The law of {{country}} applies.', locked: true },
      true,
    );
    const el = await mount('agent');
    await open(el, locked.id);
    expect(text($(el, '#detail-heading'))).to.equal('Locked: Governing law');
    expect($(el, '#detail-heading svg.lock')!.getAttribute('aria-hidden')).to.equal('true');
    expect(text($(el, '.locked-note'))).to.equal('Locked: only legal can change this clause.');
    expect(text($(el, '[part=preview] [part=variable]'))).to.equal('variable country');
    expect($$(el, 'textarea, input[name=title]')).to.have.length(0);
    expect(() => button(el, 'Propose a change')).to.throw();
    await expect(el).to.be.accessible();
  });

  it('proposes a change to an unlocked clause (a comment is required)', async () => {
    const clause = await seedClause({ title: 'Delivery', body: 'Delivery within 5 days.' }, true);
    const draftOnly = await seedClause({ title: `Unpublished ${unique()}`, body: 'Not for agents.' });
    const el = await mount('agent');
    await waitUntil(() => item(el, clause.id));
    expect(item(el, draftOnly.id), 'agents see published clauses only').to.equal(null);
    await open(el, clause.id);
    button(el, 'Propose a change').click();
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'proposal-body');
    typeInto(field(el, 'body'), 'Delivery within 3 days.');
    button(el, 'Send proposal').click();
    await el.updateComplete;
    expect(text($(el, '#error-comment'))).to.contain('Say why: a comment is required.');
    await expect(el).to.be.accessible();
    typeInto(field(el, 'comment'), 'Our courier is faster now');
    const submitted = oneEvent(el, 'cs-proposal-submit');
    button(el, 'Send proposal').click();
    const { detail } = await submitted;
    expect(detail).to.include({ clauseId: clause.id, clauseKey: clause.key });
    await el.updateComplete;
    expect(text($(el, '[part=status]'))).to.contain('Your proposal was sent to legal');
    await expect(el).to.be.accessible();
    const stored = (await proposalsOf(clause.id)).items.find((p) => p.id === detail.proposalId)!;
    expect(stored).to.include({
      body: 'Delivery within 3 days.',
      comment: 'Our courier is faster now',
      status: 'pending',
    });
    expect(stored.proposedBy.name).to.equal('山田太郎');
  });

  it('shows the server’s 403 when an agent token tries to save in manage mode, keeping the draft', async () => {
    const clause = await seedClause({ title: 'Scope', body: 'The scope is small.' }, true);
    const el = await mount('agent', 'manage');
    await open(el, clause.id);
    typeInto(field(el, 'body'), 'The scope is large.');
    const failed = oneEvent(el, 'cs-error');
    button(el, 'Save as new version').click();
    expect((await failed).detail).to.include({ code: 'forbidden', status: 403 });
    await el.updateComplete;
    expect(text($(el, '[part=error]'))).to.contain('You are not allowed to do this.');
    expect(field(el, 'body').value).to.equal('The scope is large.');
    await expect(el).to.be.accessible();
  });
});
