// Newsletters and news alerts, the way a reader meets them: signing up from
// the header's "Newsletter signup" link with double opt-in (the emailed
// link's GET shows a button and subscribes nobody, the button confirms and
// lands on the manage page with exactly the chosen lists); the signup box on
// an article page, whose form carries no token and comes back as the filled
// in /newsletters page to send again; the manage page behind its signed link
// (change the lists, pause and resume, unsubscribe from everything);
// one-click unsubscribe (RFC 8058) as a mail provider sends it, with no
// cookie or token, and a tampered key refused; a signed-in member with a
// confirmed address subscribed at once, with no email; and axe-core on the
// signup, confirmation and manage pages.
//
// Needs the server started by scripts/e2e.sh: email is read from the SMTP
// sink (KAWARABAN_TEST_MAIL_DIR), and the CLI is run on the server's
// database (KW_BIN, KW_DATA_DIR) to read the news site's lists and to make
// the member. Without those the tests are skipped. Every test uses new
// addresses (the server mails one address at most 3 confirmation links an
// hour, and takes 30 signups per IP address an hour) in its own browser
// context.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import {
  DESKTOP, BASE, url, launchBrowser, newPage, open, settle, firstLink, axeSerious, formatAxe,
  sleep, MAIL_DIR, waitForMail, linkIn, uniqueEmail, httpGet, ARTICLE_PATH, KW_BIN, KW_DATA_DIR, kawaraban,
} from './lib.mjs';

const NEWS_HOST = new URL(BASE).host;
const SITE_NAME = 'The Lanternfield Post';
const DAILY = 'The Daily Lantern';
const BREAKING = 'Breaking news alerts';
const POLITICS = 'Politics alerts';
const MANAGE_PATH = /^\/newsletters\/manage\/(\d+-[^/]+)$/;

const skip = !MAIL_DIR
  ? 'KAWARABAN_TEST_MAIL_DIR is not set: run with scripts/e2e.sh, which starts the SMTP sink and points the server at it'
  : (!KW_BIN || !KW_DATA_DIR)
    ? 'KW_BIN and KW_DATA_DIR are not set: these tests run the CLI on the database of the server scripts/e2e.sh starts'
    : false;

let browser;
before(async () => {
  browser = await launchBrowser();
  if (skip) return;
  // The demo lists these tests choose from.
  const lists = await kawaraban('newsletter', 'lists', 'news');
  for (const name of [DAILY, BREAKING, POLITICS]) {
    assert.ok(lists.includes(name), `kawaraban newsletter lists news has no "${name}":\n${lists}`);
  }
});
after(async () => { await browser?.close(); });

const uniqueName = (first) => `${first} ${Math.random().toString(36).slice(2, 7)}`;
const sorted = (names) => [...names].sort();

/** A fresh context (its own cookies) and page; closed after `fn(page)`. */
async function withPage(fn, contextOptions = {}) {
  const page = await newPage(browser, DESKTOP, contextOptions);
  try {
    return await fn(page);
  } finally {
    await page.closeAll();
  }
}

async function headingText(page) {
  return (await page.locator('main h1').first().innerText({ timeout: 1000 }).catch(() => '(no main h1)')).trim();
}

/** What the browser reported (script errors, CSP violations, failed requests), for failure messages. */
function problemsNote(page) {
  const problems = page.problems();
  return problems.length ? `\nthe browser reported:\n  ${problems.join('\n  ')}` : '';
}

/** Waits for a `main h1` containing `text`. */
async function expectHeading(page, text, timeout = 15_000) {
  try {
    await page.locator('main h1', { hasText: text }).first().waitFor({ state: 'visible', timeout });
  } catch {
    const body = (await page.locator('main').first().innerText({ timeout: 1000 }).catch(() => '')).trim().slice(0, 400);
    assert.fail(`${page.url()}: expected a heading containing "${text}", found "${await headingText(page)}"\n${body}${problemsNote(page)}`);
  }
}

/** Waits until the page's URL satisfies `test`, with a clear error naming `what`. */
async function expectUrl(page, test, what, timeout = 20_000) {
  try {
    await page.waitForURL((u) => test(u), { timeout });
  } catch {
    assert.fail(`expected to land on ${what}; the browser is at ${page.url()} ("${await headingText(page)}")${problemsNote(page)}`);
  }
}

/** Waits for the `.form-notice` saying `text`. */
async function expectNotice(page, text) {
  try {
    await page.locator('.form-notice', { hasText: text }).first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const notices = await page.locator('.form-notice').allInnerTexts().catch(() => []);
    assert.fail(`${page.url()}: no notice "${text}"; notices: ${JSON.stringify(notices)} ("${await headingText(page)}")${problemsNote(page)}`);
  }
}

/**
 * The list checkboxes (`input[name=list]`) inside `scope` as
 * [{ name, value, checked }], the name being the label without its hint.
 */
async function listBoxes(scope) {
  return scope.locator('input[type=checkbox][name=list]').evaluateAll((inputs) => inputs.map((input) => {
    const label = input.closest('label')?.cloneNode(true);
    label?.querySelectorAll('.hint').forEach((h) => h.remove());
    return { name: (label?.textContent || '').trim(), value: input.value, checked: input.checked };
  }));
}

/** The names of the ticked lists inside `scope`, sorted. */
async function ticked(scope) {
  return sorted((await listBoxes(scope)).filter((b) => b.checked).map((b) => b.name));
}

/** Ticks exactly the lists named `names` inside `scope` (a form). */
async function chooseLists(scope, names) {
  const boxes = await listBoxes(scope);
  for (const name of names) {
    assert.ok(boxes.some((b) => b.name === name), `no "${name}" checkbox; the lists are ${JSON.stringify(boxes.map((b) => b.name))}`);
  }
  for (const b of boxes) {
    await scope.locator(`input[type=checkbox][name=list][value="${b.value}"]`).setChecked(names.includes(b.name));
  }
  assert.deepEqual(await ticked(scope), sorted(names), 'the checkboxes did not take the choice');
}

/** The signup form of /newsletters (the page's only newsletter form). */
const signupForm = (page) => page.locator('main form.newsletter-form');

/** On /newsletters: ticks `lists`, fills `email`, presses "Sign up" and expects "Check your email". */
async function signUp(page, email, lists) {
  const form = signupForm(page);
  await chooseLists(form, lists);
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expectHeading(page, 'Check your email');
  const message = await page.locator('main').innerText();
  assert.ok(message.includes(email), `"Check your email" does not name ${email}: ${message}`);
}

/**
 * The confirmation email to `email` (the n-th message): checks its subject
 * and that it lists exactly `lists` of the news site's; returns its link.
 */
async function confirmationLink(email, lists, n = 1) {
  const mail = await waitForMail(email, n);
  assert.match(mail.subject, /^Confirm your /, `message ${n} to ${email} is not a newsletter confirmation: "${mail.subject}"`);
  // "your Lanternfield Post", not "your The Lanternfield Post".
  assert.equal(mail.subject, `Confirm your ${SITE_NAME.replace(/^The /, '')} newsletters`, 'the confirmation\'s subject');
  for (const name of [DAILY, BREAKING, POLITICS]) {
    const listed = new RegExp(`^\\s*- ${name}\\s*$`, 'm').test(mail.text);
    assert.equal(listed, lists.includes(name), `the confirmation ${lists.includes(name) ? 'does not list' : 'lists'} "${name}" (chosen: ${lists.join(', ')}):\n${mail.text}`);
  }
  const link = linkIn(mail, '/newsletters/confirm/');
  const u = new URL(link);
  assert.equal(u.host, NEWS_HOST, `the confirmation link ${link} is not on the news site`);
  assert.match(u.pathname, /^\/newsletters\/confirm\/[^/]+$/, `the confirmation link ${link}`);
  return link;
}

/** Opens the confirmation link: the page with the "Confirm my subscription" button, nothing else. */
async function openConfirmPage(page, link) {
  await open(page, link);
  await expectHeading(page, 'Confirm your subscription');
  assert.equal(page.url(), link, `opening the confirmation link moved the browser to ${page.url()}`);
  const button = page.locator('main').getByRole('button', { name: 'Confirm my subscription', exact: true });
  assert.ok(await button.isVisible(), `${link}: no "Confirm my subscription" button`);
  return button;
}

/**
 * Presses "Confirm my subscription" on the open confirmation page; expects
 * the manage page with the "subscribed" notice and returns its URL (no query).
 */
async function pressConfirm(page) {
  await page.locator('main').getByRole('button', { name: 'Confirm my subscription', exact: true }).click();
  await expectUrl(page, (u) => u.host === NEWS_HOST && MANAGE_PATH.test(u.pathname), 'the manage page after confirming');
  await expectHeading(page, 'Your newsletters');
  await expectNotice(page, 'You are subscribed. Here is everything you receive from us.');
  const u = new URL(page.url());
  return `${u.origin}${u.pathname}`;
}

/** A new confirmed subscriber to `lists` in `page`, which ends on the manage page. Returns { email, manage }. */
async function subscribe(page, lists, prefix = 'reader') {
  const email = uniqueEmail(prefix);
  await open(page, url('/newsletters'));
  await signUp(page, email, lists);
  await openConfirmPage(page, await confirmationLink(email, lists));
  const manage = await pressConfirm(page);
  assert.deepEqual(await ticked(page.locator('main')), sorted(lists), `${manage}: the ticked lists after confirming`);
  return { email, manage };
}

/** The manage page's line about the address ("For x@y · paused: …"). */
async function statusLine(page, email) {
  return (await page.locator('main p', { hasText: email }).first().innerText()).replace(/\s+/g, ' ').trim();
}

/** Presses a manage-page button and expects the notice it leads to. */
async function manageAction(page, button, notice) {
  await page.locator('main').getByRole('button', { name: button, exact: true }).click();
  await expectUrl(page, (u) => MANAGE_PATH.test(u.pathname) && u.searchParams.has('done'), `the manage page after "${button}"`);
  await expectNotice(page, notice);
}

/** Names of the manage page's action buttons that are shown. */
async function manageButtons(page) {
  return (await page.locator('main button').allInnerTexts()).map((t) => t.trim());
}

/** Messages in the sink to `address` (smtp_sink.py's file names: NNNNNN-<recipient>.eml). */
function mailCount(address) {
  const suffix = `-${address.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_')}.eml`;
  return readdirSync(MAIL_DIR).filter((f) => f.toLowerCase().endsWith(suffix)).length;
}

/**
 * A request the way a mail provider sends one: Node's http client to
 * 127.0.0.1 with the site's Host header, no cookies. Resolves
 * { status, headers, body }.
 */
function rawRequest(method, target, { body = '', headers = {} } = {}) {
  const u = new URL(target);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: u.port || 80,
      method,
      path: u.pathname + u.search,
      headers: {
        Host: u.host, 'User-Agent': 'kawaraban-e2e (mail provider)', 'Accept-Encoding': 'identity',
        'Content-Length': Buffer.byteLength(body), ...headers,
      },
      timeout: 30_000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${target}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const oneClick = (target) => rawRequest('POST', target, {
  body: 'List-Unsubscribe=One-Click',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});

describe('newsletters', () => {
  it('header link → two lists → emailed link: its GET subscribes nobody, the button confirms exactly those lists', { skip }, () => withPage(async (page) => {
    const email = uniqueEmail();
    const chosen = [DAILY, POLITICS];

    await open(page, url('/'));
    await page.locator('.account-links').getByRole('link', { name: 'Newsletter signup', exact: true }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/newsletters', '/newsletters from the header link');
    await expectHeading(page, 'Newsletters and alerts');
    const boxes = await listBoxes(signupForm(page));
    for (const name of [DAILY, BREAKING, POLITICS]) {
      assert.ok(boxes.some((b) => b.name === name), `/newsletters has no "${name}" checkbox: ${JSON.stringify(boxes.map((b) => b.name))}`);
    }
    assert.deepEqual(await ticked(signupForm(page)), [], '/newsletters ticks lists before the reader chose any');
    assert.equal(await signupForm(page).locator('input[name=csrf]').count(), 1, '/newsletters: the form has no CSRF token');
    await signUp(page, email, chosen);

    const link = await confirmationLink(email, chosen);
    // Mail scanners open links: GETs without the browser's cookies spend nothing…
    for (const visit of ['first', 'second']) {
      const scanned = await httpGet(link);
      assert.equal(scanned.status, 200, `${visit} scanner GET of ${link} answered ${scanned.status}`);
      assert.ok(!scanned.headers.location, `${visit} scanner GET of ${link} redirected to ${scanned.headers.location}`);
      assert.match(scanned.body, /Confirm my subscription/, `${visit} scanner GET of ${link} did not show the button`);
    }
    // …nor do the reader's: each visit shows the button again, no manage page.
    for (const visit of ['first', 'second']) {
      await openConfirmPage(page, link);
      assert.ok(!MANAGE_PATH.test(new URL(page.url()).pathname), `${visit} visit of ${link} reached the manage page`);
    }
    const manage = await pressConfirm(page);
    assert.deepEqual(await ticked(page.locator('main')), sorted(chosen), `${manage}: the ticked lists after confirming`);
    const line = await statusLine(page, email);
    assert.doesNotMatch(line, /paused|unsubscribed|not confirmed/, `${manage}: the status line after confirming: "${line}"`);

    // The link worked once; the manage page needs no sign-in (a new context).
    await open(page, link, 410);
    await expectHeading(page, 'expired or was already used');
    await withPage(async (other) => {
      await open(other, manage);
      await expectHeading(other, 'Your newsletters');
      assert.deepEqual(await ticked(other.locator('main')), sorted(chosen), `${manage} in a new context: the ticked lists`);
    });
  }));

  it('the signup box on an article page comes back as the filled-in /newsletters page, then signs up', { skip }, () => withPage(async (page) => {
    const email = uniqueEmail('box');
    const chosen = [BREAKING, POLITICS];

    await open(page, url('/'));
    const article = await firstLink(page, '.lead a, .card a', ARTICLE_PATH, 'article (.lead a, .card a)');
    await open(page, article);
    const box = page.locator('aside.newsletter-box');
    assert.equal(await box.count(), 1, `${article}: no aside.newsletter-box`);
    assert.ok(await box.getByRole('heading', { name: 'Get our newsletters and alerts' }).isVisible(),
      `${article}: the signup box has no heading "Get our newsletters and alerts"`);
    const boxForm = box.locator('form');
    assert.equal(await boxForm.getAttribute('action'), '/newsletters', `${article}: the box's form action`);
    assert.equal(await boxForm.locator('input[name=csrf]').count(), 0, `${article}: the box on a shared page carries a CSRF token`);
    await chooseLists(boxForm, chosen);
    await boxForm.getByLabel('Email', { exact: true }).fill(email);
    await boxForm.getByRole('button', { name: 'Sign up', exact: true }).click();

    // The signup page again, as the reader left the box, now with a token.
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/newsletters', '/newsletters after the box');
    await expectHeading(page, 'Newsletters and alerts');
    const form = signupForm(page);
    assert.equal(await form.locator('#newsletter-email').inputValue(), email, '/newsletters after the box: the email field');
    assert.deepEqual(await ticked(form), sorted(chosen), '/newsletters after the box: the ticked lists');
    assert.equal(await form.locator('input[name=csrf]').count(), 1, '/newsletters after the box: the form has no CSRF token');
    assert.equal(await page.locator('.form-errors').count(), 0, '/newsletters after the box shows an error');
    assert.equal(mailCount(email), 0, 'the box alone sent an email');

    await form.getByRole('button', { name: 'Sign up', exact: true }).click();
    await expectHeading(page, 'Check your email');
    await openConfirmPage(page, await confirmationLink(email, chosen));
    const manage = await pressConfirm(page);
    assert.deepEqual(await ticked(page.locator('main')), sorted(chosen), `${manage}: the ticked lists after confirming`);
  }));

  it('the manage page: change the lists, pause and resume, unsubscribe from everything', { skip }, () => withPage(async (page) => {
    const { email, manage } = await subscribe(page, [DAILY], 'manage');
    const main = page.locator('main');

    await chooseLists(main.locator('form').first(), [BREAKING, POLITICS]);
    await manageAction(page, 'Save my choices', 'Your choices are saved.');
    assert.deepEqual(await ticked(main), sorted([BREAKING, POLITICS]), `${page.url()}: the ticked lists after saving`);
    await open(page, manage);
    assert.deepEqual(await ticked(main), sorted([BREAKING, POLITICS]), `${manage} reloaded: the saved lists`);
    assert.equal(await page.locator('.form-notice').count(), 0, `${manage} reloaded still shows a notice`);

    await manageAction(page, 'Pause everything', 'Paused');
    let line = await statusLine(page, email);
    assert.match(line, /paused/, `${page.url()}: the status line after pausing: "${line}"`);
    let buttons = await manageButtons(page);
    assert.ok(buttons.includes('Resume') && !buttons.includes('Pause everything'), `${page.url()}: buttons when paused: ${JSON.stringify(buttons)}`);
    assert.deepEqual(await ticked(main), sorted([BREAKING, POLITICS]), `${page.url()}: pausing changed the lists`);

    await manageAction(page, 'Resume', 'Resumed.');
    line = await statusLine(page, email);
    assert.doesNotMatch(line, /paused/, `${page.url()}: the status line after resuming: "${line}"`);
    buttons = await manageButtons(page);
    assert.ok(buttons.includes('Pause everything') && !buttons.includes('Resume'), `${page.url()}: buttons after resuming: ${JSON.stringify(buttons)}`);

    await manageAction(page, 'Unsubscribe from everything', 'You are unsubscribed from everything');
    line = await statusLine(page, email);
    assert.match(line, /unsubscribed/, `${page.url()}: the status line after unsubscribing: "${line}"`);
    buttons = await manageButtons(page);
    for (const gone of ['Pause everything', 'Resume', 'Unsubscribe from everything']) {
      assert.ok(!buttons.includes(gone), `${page.url()}: "${gone}" is still offered after unsubscribing: ${JSON.stringify(buttons)}`);
    }
    await open(page, manage);
    line = await statusLine(page, email);
    assert.match(line, /unsubscribed/, `${manage} reloaded: the status line: "${line}"`);
  }));

  it('one-click unsubscribe (RFC 8058) without cookies or token; a tampered key is refused', { skip }, () => withPage(async (page) => {
    const { email, manage } = await subscribe(page, [DAILY, BREAKING], 'oneclick');
    const key = MANAGE_PATH.exec(new URL(manage).pathname)[1];
    const unsubscribe = url(`/newsletters/unsubscribe/${key}`);

    // A person opening the link gets a button; the GET changes nothing.
    await open(page, unsubscribe);
    await expectHeading(page, 'Unsubscribe from everything?');
    assert.ok(await page.locator('main').getByRole('button', { name: 'Unsubscribe', exact: true }).isVisible(), `${unsubscribe}: no "Unsubscribe" button`);
    await open(page, manage);
    let line = await statusLine(page, email);
    assert.doesNotMatch(line, /unsubscribed/, `${manage}: the GET of ${unsubscribe} unsubscribed: "${line}"`);

    // A tampered key (signature or id) is a 404 and changes nothing.
    const [id, sig] = [key.slice(0, key.indexOf('-')), key.slice(key.indexOf('-') + 1)];
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    for (const bad of [`${id}-${flipped}`, `${Number(id) + 1}-${sig}`, id]) {
      const res = await oneClick(url(`/newsletters/unsubscribe/${bad}`));
      assert.equal(res.status, 404, `one-click POST with the tampered key ${bad} answered ${res.status}: ${res.body.slice(0, 200)}`);
      await open(page, url(`/newsletters/manage/${bad}`), 404);
    }
    await open(page, manage);
    line = await statusLine(page, email);
    assert.doesNotMatch(line, /unsubscribed/, `${manage}: a tampered key unsubscribed the address: "${line}"`);

    // The mail provider's POST: no cookie, no token.
    const res = await oneClick(unsubscribe);
    assert.equal(res.status, 200, `one-click POST ${unsubscribe} answered ${res.status}: ${res.body.slice(0, 300)}`);
    assert.equal(res.body.trim(), 'Unsubscribed.', `one-click POST ${unsubscribe}: the body`);
    assert.match(String(res.headers['content-type']), /^text\/plain/, `one-click POST ${unsubscribe}: the Content-Type`);
    assert.ok(!res.headers['set-cookie'], `one-click POST ${unsubscribe} set a cookie: ${res.headers['set-cookie']}`);

    await open(page, manage);
    await expectHeading(page, 'Your newsletters');
    line = await statusLine(page, email);
    assert.match(line, /unsubscribed/, `${manage} after the one-click POST: the status line: "${line}"`);
    const buttons = await manageButtons(page);
    assert.ok(!buttons.includes('Unsubscribe from everything'), `${manage} after the one-click POST still offers "Unsubscribe from everything": ${JSON.stringify(buttons)}`);
  }));

  it('a signed-in member with a confirmed address: from /account to /newsletters, subscribed at once with no email', { skip }, () => withPage(async (page) => {
    const email = uniqueEmail('member');
    const name = uniqueName('Sora');
    const out = await kawaraban('user', 'add', email, '--name', name, '--role', 'member', '--site', 'news');
    const link = out.match(/https?:\/\/\S+\/login\/link\/\S+/)?.[0];
    assert.ok(link, `kawaraban user add printed no sign-in link:\n${out}`);
    assert.equal(new URL(link).host, NEWS_HOST, `the sign-in link ${link} is not on the news site`);
    await open(page, link);
    await expectHeading(page, 'Sign in to');
    await page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/account', `/account after the sign-in link of ${email}`);
    await expectHeading(page, 'Your account');
    const mailsBefore = mailCount(email);

    await page.locator('main').getByRole('link', { name: 'Choose your newsletters and news alerts' }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/newsletters', '/newsletters from /account');
    await expectHeading(page, 'Newsletters and alerts');
    const form = signupForm(page);
    assert.equal(await form.locator('#newsletter-email').inputValue(), email, '/newsletters: the member\'s address is not filled in');
    await chooseLists(form, [POLITICS]);
    await form.getByRole('button', { name: 'Sign up', exact: true }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && MANAGE_PATH.test(u.pathname), 'the manage page after a member\'s signup');
    await expectNotice(page, 'You are subscribed. Here is everything you receive from us.');
    assert.deepEqual(await ticked(page.locator('main')), [POLITICS], `${page.url()}: the ticked lists`);
    const managePath = new URL(page.url()).pathname;

    // Nothing is mailed for a confirmed address.
    await sleep(2500);
    assert.equal(mailCount(email), mailsBefore, `the member's signup emailed ${email}`);

    // /newsletters now points the member at the manage page.
    await open(page, url('/newsletters'));
    const manageLink = page.locator('main .form-notice').getByRole('link', { name: 'Manage your newsletters' });
    assert.equal(await manageLink.count(), 1, '/newsletters does not offer a subscribed member "Manage your newsletters"');
    assert.equal(new URL(await manageLink.getAttribute('href'), page.url()).pathname, managePath, '/newsletters: the manage link');
  }));

  it('signup, confirmation and manage pages: no serious axe-core violations, no browser problems', { skip }, () => withPage(async (page) => {
    const failures = [];
    async function check(name) {
      await settle(page);
      const violations = await axeSerious(page);
      if (violations.length) failures.push(`${name}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
      const problems = page.problems();
      if (problems.length) failures.push(`${name}: the browser reported problems:\n  ${problems.join('\n  ')}`);
    }
    const email = uniqueEmail('axe');
    const lists = [DAILY, BREAKING];
    await open(page, url('/newsletters'));
    await expectHeading(page, 'Newsletters and alerts');
    await check('/newsletters');
    // The other pages need a signup; a failure to get one is reported with what the check above found.
    try {
      await signUp(page, email, lists);
      const link = await confirmationLink(email, lists);
      page.problems();
      await openConfirmPage(page, link);
      await check('/newsletters/confirm/{token}');
      const manage = await pressConfirm(page);
      page.problems();
      await open(page, manage);
      await expectHeading(page, 'Your newsletters');
      await check('/newsletters/manage/{key}');
    } catch (e) {
      failures.push(`confirmation and manage pages: could not check them: ${e.message}`);
    }
    assert.ok(failures.length === 0, failures.join('\n'));
  }));
});
