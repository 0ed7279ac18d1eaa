// Members, the way a reader meets them: registration from an article's
// "Register / Sign in" link with the emailed confirmation, sign-out, a
// password reset and a password sign-in that returns to the article; the
// emailed sign-in link (opening it does not spend it, the button does, once);
// social sign-in through the local OpenID Connect provider
// (scripts/testsvc/oidc, registered by scripts/e2e.sh as "Test ID"); one
// sign-in across the network's sites and one sign-out for all of them; and
// axe-core plus browser problems on the sign-in, registration and account
// pages. Screenshots: screenshots/login-1280.png and account-1280.png.
//
// Email is read from the SMTP sink's directory (KAWARABAN_TEST_MAIL_DIR, set
// by scripts/e2e.sh); without it these tests are skipped. Every test makes
// its own member with a new address, in its own browser context.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, BASE, url, launchBrowser, newPage, open, settle, firstLink, screenshot,
  axeSerious, formatAxe, sleep, MAIL_DIR, waitForMail, linkIn, uniqueEmail, ARTICLE_PATH,
} from './lib.mjs';

const PASSWORD = 'lantern harbour pickle 42';
const NEW_PASSWORD = 'copper kettle meadow 97';
// The registration form is offered again when sent within 2 s of being shown.
const MIN_FILL_MS = 2500;
const NEWS_HOST = new URL(BASE).host;

const skip = MAIL_DIR ? false
  : 'KAWARABAN_TEST_MAIL_DIR is not set: run with scripts/e2e.sh, which starts the SMTP sink and points the server at it';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const uniqueName = (first) => `${first} ${Math.random().toString(36).slice(2, 7)}`;

/** A fresh context and page; `fn(page)` runs with it and the context is closed after. */
async function withPage(fn) {
  const page = await newPage(browser, DESKTOP);
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

/** Waits for a `main h1` containing `text` (case-insensitive). */
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

/** The header shows the member: name, "Account" and "Sign out". */
async function expectSignedIn(page, name) {
  const links = page.locator('.account-links');
  try {
    await links.locator('.account-name').waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const header = (await links.innerText({ timeout: 1000 }).catch(() => '(no .account-links)')).trim();
    assert.fail(`${page.url()}: not signed in: the header's account links say "${header}" ("${await headingText(page)}")${problemsNote(page)}`);
  }
  if (name !== undefined) {
    assert.equal((await links.locator('.account-name').innerText()).trim(), name, `${page.url()}: the header shows another name`);
  }
  assert.ok(await links.getByRole('link', { name: 'Account', exact: true }).isVisible(), `${page.url()}: no "Account" link in the header`);
  assert.ok(await links.getByRole('button', { name: 'Sign out', exact: true }).isVisible(), `${page.url()}: no "Sign out" button in the header`);
}

async function expectSignedOut(page) {
  const link = page.locator('.account-links').getByRole('link', { name: 'Register / Sign in' });
  try {
    await link.waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const header = (await page.locator('.account-links').innerText({ timeout: 1000 }).catch(() => '(no .account-links)')).trim();
    assert.fail(`${page.url()}: expected to be signed out ("Register / Sign in" in the header), the header says "${header}"${problemsNote(page)}`);
  }
}

async function signOutInHeader(page) {
  await page.locator('.account-links').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expectSignedOut(page);
}

/**
 * On /register: fills the form, waits out the minimum fill time (counted
 * from the moment the server answered) and sends it.
 */
async function submitRegistration(page, { email, name, password }) {
  await page.fill('#reg-email', email);
  await page.fill('#reg-name', name);
  await page.fill('#reg-password', password);
  const elapsed = await page.evaluate(() => performance.now() - (performance.getEntriesByType('navigation')[0]?.responseStart ?? 0));
  await sleep(MIN_FILL_MS - elapsed);
  await page.locator('form[action="/register"]').getByRole('button', { name: 'Register', exact: true }).click();
  await expectHeading(page, 'Check your email');
}

/** Opens the confirmation email's link (the n-th message to `email`) and presses "Confirm my email". */
async function confirmFromEmail(page, email, n = 1) {
  const mail = await waitForMail(email, n);
  assert.match(mail.subject, /Confirm your email address/, `message ${n} to ${email} is not the confirmation`);
  const link = linkIn(mail, '/verify/');
  assert.equal(new URL(link).host, NEWS_HOST, `the confirmation link ${link} is not on the site's URL`);
  await open(page, link);
  await expectHeading(page, 'Confirm your email address');
  await page.locator('main').getByRole('button', { name: 'Confirm my email' }).click();
}

/** Registers and confirms a member in `page`, which ends signed in. */
async function registerAndConfirm(page, member) {
  await open(page, url('/register'));
  await submitRegistration(page, member);
  await confirmFromEmail(page, member.email);
  await expectSignedIn(page, member.name);
}

async function accountFacts(page) {
  await open(page, url('/account'));
  await expectHeading(page, 'Your account');
  return (await page.locator('dl.account-facts').innerText()).replace(/\s+/g, ' ');
}

describe('members', () => {
  it('register, confirm by email, sign out, reset the password, sign in and return to the article', { skip }, () => withPage(async (page) => {
    const email = uniqueEmail();
    const name = uniqueName('Hana');

    // An article's "Register / Sign in" link carries the article as `next`.
    await open(page, url('/'));
    const articleUrl = await firstLink(page, '.lead a, .card a', ARTICLE_PATH, 'article (.lead a, .card a)');
    const articlePath = new URL(articleUrl).pathname;
    await open(page, articleUrl);
    const loginLink = page.locator('.account-links').getByRole('link', { name: 'Register / Sign in' });
    const loginHref = new URL(await loginLink.getAttribute('href'), articleUrl);
    assert.equal(loginHref.pathname, '/login', `"Register / Sign in" links to ${loginHref}`);
    assert.equal(loginHref.searchParams.get('next'), articlePath, `"Register / Sign in" (${loginHref}) does not return to the article`);
    await loginLink.click();
    await expectUrl(page, (u) => u.pathname === '/login', '/login');
    await expectHeading(page, 'Sign in');
    await settle(page);
    await screenshot(page, 'login-1280');

    await page.locator('.local-login').getByRole('link', { name: 'Register', exact: true }).click();
    await expectUrl(page, (u) => u.pathname === '/register', '/register');
    assert.equal(new URL(page.url()).searchParams.get('next'), articlePath, `/register lost the article as next: ${page.url()}`);
    await submitRegistration(page, { email, name, password: PASSWORD });

    // Confirming signs in, and returns to where registration started.
    await confirmFromEmail(page, email, 1);
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === articlePath, `the article ${articlePath} after confirming`);
    await expectSignedIn(page, name);
    const facts = await accountFacts(page);
    assert.match(facts, new RegExp(`${escapeRe(email)} \\(confirmed\\)`), `the account page does not show ${email} (confirmed): ${facts}`);
    await settle(page);
    await screenshot(page, 'account-1280');

    await signOutInHeader(page);

    // Forgot password → emailed reset link → new password → the account page.
    await open(page, url('/login'));
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expectUrl(page, (u) => u.pathname === '/password/forgot', '/password/forgot');
    await page.fill('#forgot-email', email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expectHeading(page, 'Check your email');
    const resetMail = await waitForMail(email, 2);
    assert.match(resetMail.subject, /Choose a new password/, 'message 2 is not the password reset');
    const resetLink = linkIn(resetMail, '/password/reset/');
    await open(page, resetLink);
    await expectHeading(page, 'Choose a new password');
    await page.fill('#reset-password', NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/account', '/account after the reset');
    await page.locator('.form-notice', { hasText: 'Your password is changed' }).waitFor({ state: 'visible' });
    await expectSignedIn(page, name);
    // The reset link worked once.
    await open(page, resetLink, 410);
    await expectHeading(page, 'expired or was already used');

    await open(page, url('/account'));
    await signOutInHeader(page);

    // The old password no longer works; the new one does, and `next` returns to the article.
    await open(page, url(`/login?next=${encodeURIComponent(articlePath)}`));
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.locator('form[action="/login"]').getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('.form-errors', { hasText: 'do not match' }).waitFor({ state: 'visible' });
    await page.fill('#login-password', NEW_PASSWORD);
    await page.locator('form[action="/login"]').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === articlePath, `the article ${articlePath} after signing in`);
    await expectSignedIn(page, name);
  }));

  it('emailed sign-in link: opening it shows a button and spends nothing; the button signs in once', { skip }, async () => {
    const member = { email: uniqueEmail(), name: uniqueName('Kenji'), password: PASSWORD };
    await withPage((page) => registerAndConfirm(page, member));

    await withPage(async (page) => {
      await open(page, url('/login'));
      await page.fill('#link-email', member.email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await expectHeading(page, 'Check your email');
      const mail = await waitForMail(member.email, 2);
      assert.match(mail.subject, /sign-in link/, 'message 2 is not the sign-in link');
      const link = linkIn(mail, '/login/link/');
      const button = page.locator('main').getByRole('button', { name: 'Sign in', exact: true });
      for (const visit of ['first', 'second']) {
        await open(page, link);
        await expectHeading(page, 'Sign in to');
        assert.ok(await button.isVisible(), `${visit} visit of the emailed link: no "Sign in" button`);
      }
      await button.click();
      await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/', 'the front page after the link sign-in');
      await expectSignedIn(page, member.name);
      await open(page, link, 410);
      await expectHeading(page, 'expired or was already used');
    });
  });

  it('social sign-in through the local OpenID Connect provider', { skip }, () => withPage(async (page) => {
    const email = uniqueEmail('social');
    await open(page, url('/login'));
    const start = page.getByRole('link', { name: 'Continue with Test ID' });
    assert.ok(await start.count() > 0, '/login has no "Continue with Test ID": is the provider registered? (scripts/e2e.sh registers it)');
    await start.click();
    await expectUrl(page, (u) => u.pathname.startsWith('/interaction/'), "the provider's sign-in page");
    await page.fill('input[name=email]', email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back on the site: the callback answers a failure itself, or goes on
    // through the sister sites (redirects only) to the front page.
    await expectUrl(page, (u) => u.host === NEWS_HOST, 'the site after the provider');
    if (new URL(page.url()).pathname !== '/') {
      const body = (await page.locator('body').innerText().catch(() => '')).trim().slice(0, 600);
      assert.fail(`the social sign-in ended on ${page.url()}, not the front page:\n${body}`);
    }
    // The provider's name claim is the address's local part.
    await expectSignedIn(page, email.split('@')[0]);
    const facts = await accountFacts(page);
    assert.match(facts, new RegExp(`${escapeRe(email)} \\(confirmed\\)`), `the account page does not show ${email} (confirmed): ${facts}`);
    assert.match(facts, /Signs in with test\b/, `the account page does not show "Signs in with test": ${facts}`);
    const mail = await waitForMail(email, 1);
    assert.match(mail.subject, /news alerts/, `the first email after a social sign-up is "${mail.subject}"`);
    assert.ok(linkIn(mail, '/newsletters'), 'the invitation has no /newsletters link');
  }));

  it('one sign-in for the network: a sister site knows the member, and signing out there signs out everywhere', { skip }, () => withPage(async (page) => {
    const member = { email: uniqueEmail(), name: uniqueName('Aiko'), password: PASSWORD };
    await registerAndConfirm(page, member);

    await open(page, url('/account', 'travel'));
    assert.equal(new URL(page.url()).pathname, '/account', `travel's /account sent a signed-in member to ${page.url()}`);
    await expectHeading(page, 'Your account');
    assert.match(await page.locator('dl.account-facts').innerText(), new RegExp(escapeRe(member.email)));
    await expectSignedIn(page, member.name);

    await signOutInHeader(page);
    for (const site of [undefined, 'travel', 'lifestyle']) {
      await open(page, url('/account', site));
      const u = new URL(page.url());
      assert.equal(u.pathname, '/login', `${url('/account', site)} after signing out on travel: landed on ${page.url()}, not /login`);
      await expectSignedOut(page);
    }
  }));

  it('sign-in, registration and account pages: no serious axe-core violations, no browser problems', { skip }, () => withPage(async (page) => {
    const failures = [];
    async function check(name) {
      await settle(page);
      const violations = await axeSerious(page);
      if (violations.length) failures.push(`${name}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
      const problems = page.problems();
      if (problems.length) failures.push(`${name}: the browser reported problems:\n  ${problems.join('\n  ')}`);
    }
    await open(page, url('/login'));
    await check('/login');

    const member = { email: uniqueEmail(), name: uniqueName('Yuki'), password: PASSWORD };
    page.problems();
    await open(page, url('/register'));
    await check('/register');
    // The account page needs a member; a failure to get one is reported
    // with what the checks above found.
    try {
      await submitRegistration(page, member);
      await confirmFromEmail(page, member.email);
      await expectSignedIn(page, member.name);
      page.problems();
      await open(page, url('/account'));
      await expectHeading(page, 'Your account');
      await check('/account (signed in)');
    } catch (e) {
      failures.push(`/account: could not check it: ${e.message}`);
    }
    assert.ok(failures.length === 0, failures.join('\n'));
  }));
});
