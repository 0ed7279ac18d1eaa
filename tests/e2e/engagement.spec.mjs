// Reader surveys and sponsored giveaways, the way readers and editors meet
// them.
//
// The survey: the banner in the date bar of every news page is in the one
// cached copy everybody gets (hidden in the HTML); survey.js shows it to
// an anonymous reader, and hides it for good once this browser answered or
// dismissed it (the kw_sf cookie). Following it, answering (the fieldsets,
// legends and labels of the six kinds of question), the thanks, the answers
// in the editors' CSV; a missing required answer (the error summary, the
// answers kept); the × (hidden at once, still hidden after a reload and on
// other pages); the same survey without JavaScript; a survey one question
// a step, made and opened on the desk (progress, answers carried from step
// to step); the public results and the desk's (charts with accessible
// names, the Net Promoter Score recomputed from the chart, the CSVs).
//
// The giveaway: its block under a news article and its official rules;
// "Join Now" as an anonymous reader, through "Sign in to join", registering
// and the emailed confirmation, back on the giveaway page to declare and
// join: the ticket on the page, in the receipt email, in the block under
// the articles (through the slot), on the desk, and a second press from an
// older tab answered "in already"; the member's own survey banner (filled
// in by the server, dismissed by a POST); the offer in the travel and
// lifestyle sites' trending blocks; the finished giveaway's public record
// (commitment, seed, ticket list and its hash, winners and alternates),
// checked here from tickets.txt and draw.json by the published rule.
//
// axe-core (serious and critical) and browser problems on every page
// involved; screenshots survey-1280.png and giveaway-1280.png.
//
// Editors and members made for the desk and the audits come from
// `kawaraban user add EMAIL --role ROLE` (the CLI on the database of the
// server scripts/e2e.sh starts: KW_BIN, KW_DATA_DIR), signed in with the
// one-time link it prints; the joining member registers through the form
// and confirms by the email in the SMTP sink (KAWARABAN_TEST_MAIL_DIR).
// Without those, the tests that need them are skipped. Each test runs in
// its own browser contexts; the survey is answered a few times by
// anonymous browsers (the demo's 64 responses grow), and the stepped
// survey is closed at the end of its test (it never had a banner: its
// audience is a section no page has).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  DESKTOP, BASE, url, launchBrowser, newPage, open, settle, hrefs, screenshot, axeSerious, formatAxe,
  httpGet, sleep, MAIL_DIR, waitForMail, linkIn, uniqueEmail, ARTICLE_PATH, KW_BIN, KW_DATA_DIR, kawaraban,
  problemsNote, headingText, expectHeading, expectUrl,
} from './lib.mjs';

const NEWS_HOST = new URL(BASE).host;
const PASSWORD = 'lantern harbour pickle 42';
// The registration form is offered again when sent within 2 s of being shown.
const MIN_FILL_MS = 2500;

const SURVEY = '/surveys/reader-survey';
const SURVEY_TITLE = 'The Lanternfield Post reader survey';
const BANNER_TEXT = 'Take our user survey and make your voice heard.';
const CLOSE_LABEL = 'Close the survey invitation';
/** The demo survey's questions: id → prompt, kind, required. */
const QUESTIONS = [
  { id: 1, kind: 'single', required: true, prompt: 'How often do you read The Lanternfield Post?' },
  { id: 2, kind: 'multiple', required: false, prompt: 'Which sections do you read most?' },
  { id: 3, kind: 'rating', required: true, prompt: 'How would you rate our coverage overall?' },
  { id: 4, kind: 'nps', required: false, prompt: 'How likely are you to recommend us to a friend or colleague?' },
  { id: 5, kind: 'matrix', required: false, prompt: 'How far do you agree with these statements?' },
  { id: 6, kind: 'long_text', required: false, prompt: 'What is one thing we should do better?' },
];
const STATEMENTS = ['Our stories are accurate', 'Our headlines are fair', 'We cover the stories that matter to you'];
const PUBLIC_QUESTIONS = [1, 3, 4];
const THANKS = 'Thank you for taking part';

const GIVEAWAY = '/giveaways/harbourlight-premium';
const GIVEAWAY_TITLE = 'Harbourlight x The Lanternfield Post Premium Accounts Giveaway';
const SPONSOR = 'Harbourlight Audio';
const DECLARATION = 'I am 18 or older.';
const FINISHED = '/giveaways/autumn-rail-pass';
const FINISHED_TITLE = 'Kestrel Rail x The Lanternfield Post Autumn Rail Pass Giveaway';
const FINISHED_WINNERS = 2;
const DRAW_METHOD = 'kawaraban-draw-v1';
const TICKET = /\bKW(?:-[0-9A-Z]{4}){4}\b/;

const skipCli = (!KW_BIN || !KW_DATA_DIR)
  ? 'KW_BIN and KW_DATA_DIR are not set: this test makes accounts with the CLI on the database of the server scripts/e2e.sh starts'
  : false;
const skipJoin = !MAIL_DIR
  ? 'KAWARABAN_TEST_MAIL_DIR is not set: run with scripts/e2e.sh, which starts the SMTP sink and points the server at it'
  : false;

let browser;
/** News article URLs from the home page (two, for "another page"), and one of each sister site. */
const articles = { news: [], travel: null, lifestyle: null };
/** Cookies of the signed-in editor (null without the CLI). */
let editorState = null;

before(async () => {
  browser = await launchBrowser();
  const page = await newPage(browser, DESKTOP);
  try {
    for (const site of ['news', 'travel', 'lifestyle']) {
      const home = site === 'news' ? url('/') : url('/', site);
      await open(page, home);
      const host = new URL(home).host;
      const found = [...new Set((await hrefs(page, '.lead a, .card a')).map((h) => new URL(h))
        .filter((u) => u.host === host && ARTICLE_PATH.test(u.pathname)).map((u) => `${u.origin}${u.pathname}`))];
      assert.ok(found.length >= 2, `${home}: fewer than two articles in .lead a, .card a`);
      if (site === 'news') articles.news = found.slice(0, 2);
      else articles[site] = found[0];
    }
    if (!skipCli) {
      await cliAccount(page, 'editor', uniqueName('Eri Editor'));
      editorState = await page.context().storageState();
    }
  } finally {
    await page.closeAll();
  }
});

after(async () => { await browser?.close(); });

const uniqueName = (first) => `${first} ${Math.random().toString(36).slice(2, 7)}`;
const token = () => Math.random().toString(36).slice(2, 10);
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

/** A fresh context (its own cookies) and page; closed after `fn(page)`. */
async function withPage(fn, contextOptions = {}) {
  const page = await newPage(browser, DESKTOP, contextOptions);
  try {
    return await fn(page);
  } finally {
    await page.closeAll();
  }
}

/** A fresh context signed in as the editor. */
const asEditor = (fn) => withPage(fn, { storageState: editorState });

/**
 * Makes an account with `kawaraban user add EMAIL --role ROLE` and signs it
 * in in `page` with the one-time link the command prints (which also
 * confirms the address). Returns { email, name }.
 */
async function cliAccount(page, role, name) {
  const email = uniqueEmail(role);
  const out = await kawaraban('user', 'add', email, '--name', name, '--role', role, '--site', 'news');
  const link = out.match(/https?:\/\/\S+\/login\/link\/\S+/)?.[0];
  assert.ok(link, `kawaraban user add printed no sign-in link:\n${out}`);
  assert.equal(new URL(link).host, NEWS_HOST, `the sign-in link ${link} is not on the news site`);
  await open(page, link);
  await expectHeading(page, 'Sign in to');
  await page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/account', `/account after the sign-in link of ${email}`);
  await expectSignedIn(page, name);
  return { email, name };
}

async function expectSignedIn(page, name) {
  const links = page.locator('.account-links');
  try {
    await links.locator('.account-name').waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const header = squash(await links.innerText({ timeout: 1000 }).catch(() => '(no .account-links)'));
    assert.fail(`${page.url()}: not signed in: the header's account links say "${header}" ("${await headingText(page)}")${problemsNote(page)}`);
  }
  assert.equal(squash(await links.locator('.account-name').textContent()), name, `${page.url()}: the header shows another name`);
}

/**
 * GET `target` with `page.request` and the page's cookies for it, not
 * following redirects. Node's resolver (which page.request uses) does not
 * know *.localhost: the request goes to 127.0.0.1 with the site's Host
 * header, and the cookies are sent by hand.
 */
async function requestAsPage(page, target) {
  const u = new URL(target);
  const cookies = await page.context().cookies(u.origin);
  const loopback = new URL(u);
  if (u.hostname.endsWith('.localhost')) loopback.hostname = '127.0.0.1';
  return page.request.get(loopback.toString(), {
    headers: { host: u.host, cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    maxRedirects: 0,
  });
}

/** Rows of a CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Chromium logs the 422 of a refused survey form (the document itself, on
// purpose) as a console error; broken subresources are reported separately
// (with their URL) by newPage().
const isOwnRefusal = (p) => p === 'console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)';
/** The page's browser problems since the last call, without that one. */
const problemsOf = (page) => page.problems().filter((p) => !isOwnRefusal(p));

/** Serious and critical axe-core violations and browser problems of the page, as failure lines. */
async function audit(page, name) {
  await settle(page);
  const failures = [];
  const violations = await axeSerious(page);
  if (violations.length) failures.push(`${name}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
  const problems = problemsOf(page);
  if (problems.length) failures.push(`${name}: the browser reported problems:\n  ${problems.join('\n  ')}`);
  return failures;
}

/**
 * Presses `button` (of a POST form) and waits for the page it leads to
 * (redirects followed) to load. Returns the status the POST answered.
 * Waiting for the URL would not do: forms often post to the page they are on.
 */
async function press(page, button, what) {
  let landed;
  try {
    [landed] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 20_000 }), button.click()]);
  } catch (e) {
    assert.fail(`${what}: no page loaded after pressing the button (${e.message}); the browser is at ${page.url()}${problemsNote(page)}`);
  }
  let req = landed.request();
  while (req.redirectedFrom()) req = req.redirectedFrom();
  assert.equal(req.method(), 'POST', `${what}: the button did not send a POST`);
  return (await req.response()).status();
}

// --- the survey banner ----------------------------------------------------------

/** The survey banner of the page as the DOM has it. */
function readBanner(page) {
  return page.evaluate(() => {
    const all = document.querySelectorAll('.survey-banner');
    const b = all[0];
    if (!b) return { count: 0 };
    const link = b.querySelector('a.survey-link');
    const form = b.querySelector('form');
    const rect = b.getBoundingClientRect();
    return {
      count: all.length,
      inDatebar: Boolean(b.closest('.datebar')),
      hiddenAttr: b.hasAttribute('hidden'),
      shown: rect.width > 0 && rect.height > 0 && getComputedStyle(b).display !== 'none',
      survey: b.getAttribute('data-survey'),
      share: b.getAttribute('data-share'),
      rest: b.getAttribute('data-rest'),
      text: link ? link.textContent.replace(/\s+/g, ' ').trim() : null,
      href: link ? link.getAttribute('href') : null,
      close: b.querySelector('.survey-dismiss')?.getAttribute('aria-label') ?? null,
      closeType: b.querySelector('.survey-dismiss')?.getAttribute('type') ?? null,
      form: form ? {
        method: form.getAttribute('method'),
        action: form.getAttribute('action'),
        csrf: Boolean(form.querySelector('input[name=csrf]')?.value),
      } : null,
    };
  });
}

/** Whether survey.js was fetched and ran its course on the page (it is deferred: done by `load`). */
async function surveyScriptLoaded(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .some((e) => /\/assets\/survey\.[0-9a-f]+\.js$/.test(new URL(e.name).pathname)));
}

/** The kw_sf cookie of the news site in this context: { at, ids } or null. */
async function seenCookie(page) {
  const c = (await page.context().cookies(BASE)).find((x) => x.name === 'kw_sf');
  if (!c) return null;
  const m = /^(\d+)\.([\d-]*)$/.exec(c.value);
  assert.ok(m, `the kw_sf cookie reads "${c.value}"`);
  return { at: Number(m[1]), ids: m[2] ? m[2].split('-') : [], httpOnly: c.httpOnly };
}

/** Opens `target` and waits until the banner, in the HTML, is shown by survey.js; returns it. */
async function openWithBanner(page, target) {
  const res = await open(page, target);
  assert.match(res.headers()['cache-control'] || '', /\bpublic\b/, `${target}: the browser did not get the shared page (Cache-Control: ${res.headers()['cache-control']})`);
  try {
    await page.locator('.survey-banner').first().waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    const b = await readBanner(page);
    assert.fail(`${target}: the survey banner did not show for a new anonymous reader with JavaScript: ${JSON.stringify(b)}; `
      + `survey.js loaded: ${await surveyScriptLoaded(page)}${problemsNote(page)}`);
  }
  const b = await readBanner(page);
  assert.equal(b.count, 1, `${target}: ${b.count} survey banners`);
  assert.ok(b.inDatebar, `${target}: the survey banner is not in the date bar`);
  assert.equal(b.text, BANNER_TEXT, `${target}: the banner's text`);
  assert.equal(b.href, SURVEY, `${target}: the banner's link`);
  assert.equal(b.close, CLOSE_LABEL, `${target}: the banner's × has another accessible name`);
  return b;
}

/** Opens `target` (with JavaScript) and checks the banner is there but stays hidden. */
async function expectBannerHidden(page, target, why) {
  await open(page, target);
  // survey.js is deferred: it has run by `load`; give it a moment anyway.
  await sleep(300);
  const b = await readBanner(page);
  assert.equal(b.count, 1, `${target}: no survey banner in the page at all (${why})`);
  assert.ok(await surveyScriptLoaded(page), `${target}: survey.js was not loaded, so the hidden banner proves nothing (${why})${problemsNote(page)}`);
  assert.ok(!b.shown && b.hiddenAttr, `${target}: the survey banner shows ${why}: ${JSON.stringify(b)}`);
}

// --- answering ------------------------------------------------------------------

/** The survey form's anatomy as the DOM has it. */
function readForm(page) {
  return page.evaluate(() => {
    const f = document.querySelector('form.survey-form');
    if (!f) return null;
    const text = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : '');
    // The control's label, roughly as the accessibility tree computes it.
    const nameOf = (c) => {
      const by = c.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      if (c.getAttribute('aria-label')) return c.getAttribute('aria-label').trim();
      return [...(c.labels || [])].map(text).join(' ').trim();
    };
    return {
      method: f.getAttribute('method'),
      action: f.getAttribute('action'),
      csrf: Boolean(f.querySelector('input[type=hidden][name=csrf]')?.value),
      step: f.querySelector('input[type=hidden][name=step]')?.value ?? null,
      carried: [...f.querySelectorAll('input[type=hidden]')].map((i) => i.name).filter((n) => /^q\d+/.test(n)),
      honeypot: (() => {
        const h = f.querySelector('.honeypot');
        const input = h?.querySelector('input');
        return h ? { ariaHidden: h.getAttribute('aria-hidden'), tabindex: input?.getAttribute('tabindex'), offscreen: h.getBoundingClientRect().right < 0 } : null;
      })(),
      progress: (() => {
        const p = document.querySelector('main progress');
        return p ? { value: p.getAttribute('value'), max: p.getAttribute('max'), label: p.labels?.[0] ? text(p.labels[0]) : '' } : null;
      })(),
      submit: [...f.querySelectorAll('button[type=submit]')].map(text),
      questions: [...f.querySelectorAll('fieldset.survey-question')].map((fs) => ({
        id: fs.id,
        legend: text(fs.querySelector(':scope > legend')),
        required: Boolean(fs.querySelector(':scope > legend .required')),
        problem: fs.classList.contains('has-problem'),
        describedBy: fs.getAttribute('aria-describedby'),
        controls: [...fs.querySelectorAll('input, textarea, select')].filter((c) => c.type !== 'hidden').map((c) => ({
          tag: c.tagName.toLowerCase(), type: c.type, name: c.name, value: c.value, checked: c.checked, label: nameOf(c),
        })),
      })),
    };
  });
}

/** Checks the one-page demo survey's form: six fieldsets, their legends, every control labelled. */
function checkDemoForm(form, where) {
  assert.ok(form, `${where}: no form.survey-form`);
  assert.equal(form.method, 'post', `${where}: the survey form's method`);
  assert.equal(form.action, SURVEY, `${where}: the survey form's action`);
  assert.ok(form.csrf, `${where}: the survey form has no CSRF token`);
  assert.ok(form.honeypot && form.honeypot.ariaHidden === 'true' && form.honeypot.tabindex === '-1' && form.honeypot.offscreen,
    `${where}: the honeypot field is not hidden from readers and the keyboard: ${JSON.stringify(form.honeypot)}`);
  // All six questions on one page: no progress, one "Send my answers".
  assert.equal(form.progress, null, `${where}: a one-page survey shows progress: ${JSON.stringify(form.progress)}`);
  assert.deepEqual(form.submit, ['Send my answers'], `${where}: the survey form's buttons`);
  assert.deepEqual(form.questions.map((q) => q.id), QUESTIONS.map((q) => `q${q.id}`), `${where}: the questions' fieldsets`);
  for (const [n, q] of QUESTIONS.entries()) {
    const fs = form.questions[n];
    const what = `${where}: question ${q.id} (${q.kind})`;
    assert.equal(fs.legend, q.prompt + (q.required ? ' (required)' : ''), `${what}: the legend`);
    assert.equal(fs.required, q.required, `${what}: marked required or not`);
    const unlabelled = fs.controls.filter((c) => !c.label);
    assert.deepEqual(unlabelled, [], `${what}: controls without a label`);
    const types = fs.controls.map((c) => c.type);
    const expected = {
      single: () => assert.ok(types.length === 4 && types.every((t) => t === 'radio'), `${what}: expected 4 radios, found ${types}`),
      multiple: () => {
        assert.equal(types.filter((t) => t === 'checkbox').length, 7, `${what}: expected 6 sections and "Other" as checkboxes, found ${types}`);
        assert.ok(fs.controls.some((c) => c.type === 'text' && c.name === 'q2_other'), `${what}: no text field for "Other"`);
      },
      rating: () => assert.deepEqual(fs.controls.map((c) => c.label), ['1', '2', '3', '4', '5'], `${what}: the scale's labels`),
      nps: () => assert.deepEqual(fs.controls.map((c) => c.label), Array.from({ length: 11 }, (_, i) => String(i)), `${what}: the scale's labels`),
      matrix: () => {
        assert.equal(fs.controls.length, 9, `${what}: expected 3 statements × 3 radios`);
        assert.ok(fs.controls.some((c) => c.label === `${STATEMENTS[0]} Agree`), `${what}: a radio is not named by its statement and column: ${fs.controls.map((c) => c.label)}`);
      },
      long_text: () => assert.ok(fs.controls.length === 1 && fs.controls[0].tag === 'textarea' && fs.controls[0].label === q.prompt, `${what}: expected one textarea labelled with the prompt`),
    };
    expected[q.kind]();
  }
}

const question = (page, id) => page.locator(`form.survey-form fieldset#q${id}`);

/**
 * Answers the demo survey's questions in `page` with what `a` gives:
 * { often, sections, other, rating, nps, matrix: [3 column labels], text }.
 */
async function answerDemo(page, a) {
  if (a.often) await question(page, 1).getByLabel(a.often, { exact: true }).check();
  for (const s of a.sections || []) await question(page, 2).getByLabel(s, { exact: true }).check();
  if (a.other) {
    await question(page, 2).getByLabel('Other, please say:', { exact: true }).check();
    await question(page, 2).getByRole('textbox', { name: 'Other, please say' }).fill(a.other);
  }
  if (a.rating) await question(page, 3).getByLabel(String(a.rating), { exact: true }).check();
  if (a.nps !== undefined) await question(page, 4).getByLabel(String(a.nps), { exact: true }).check();
  for (const [r, col] of (a.matrix || []).entries()) {
    await question(page, 5).getByRole('radio', { name: `${STATEMENTS[r]} ${col}`, exact: true }).check();
  }
  if (a.text) await question(page, 6).getByRole('textbox', { name: QUESTIONS[5].prompt }).fill(a.text);
}

/** Presses the survey form's button; returns the POST's status (the thanks and the errors are answered in place). */
const send = (page, label = 'Send my answers') => press(page, page.locator('form.survey-form').getByRole('button', { name: label, exact: true }), `pressing "${label}"`);

/** The survey's id, from its row on /desk/surveys (opened in `page`, an editor's). */
async function deskSurveyId(page, title = SURVEY_TITLE) {
  await open(page, url('/desk/surveys'));
  await expectHeading(page, 'Surveys');
  const link = page.locator('main table a[href^="/desk/surveys/"]', { hasText: title });
  assert.equal(await link.count(), 1, `/desk/surveys has no row for "${title}"`);
  const href = await link.getAttribute('href');
  const id = /^\/desk\/surveys\/(\d+)$/.exec(href)?.[1];
  assert.ok(id, `/desk/surveys: the link of "${title}" is ${href}`);
  return id;
}

/** The rows of the survey's responses.csv (as the editor), as objects by column. */
async function responsesCsv(page, id) {
  const res = await requestAsPage(page, url(`/desk/surveys/${id}/responses.csv`));
  assert.equal(res.status(), 200, `/desk/surveys/${id}/responses.csv answered ${res.status()}`);
  const [head, ...rows] = parseCsv(await res.text()).filter((r) => r.length > 1);
  return { head, rows: rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]]))), res };
}

describe('the reader survey', () => {
  it('an anonymous reader: the banner, hidden in the shared cached page, shown by survey.js; it opens the survey; answering it thanks, stores the answers, and the banner is gone', () => withPage(async (page) => {
    const article = articles.news[0];
    // The page everybody gets: public, no cookie, the banner hidden in it.
    const raw = await httpGet(article);
    assert.equal(raw.status, 200, `${article} answered ${raw.status}`);
    assert.match(raw.headers['cache-control'] || '', /\bpublic\b/, `${article}: the article is not a shared cacheable page (Cache-Control: ${raw.headers['cache-control']})`);
    assert.equal(raw.headers['set-cookie'], undefined, `${article}: the shared page sets a cookie`);
    const div = /<div class="survey-banner"([^>]*)>/.exec(raw.body);
    assert.ok(div, `${article}: no <div class="survey-banner"> in the HTML`);
    assert.match(div[1], /\shidden(?:\s|=|$)/, `${article}: the banner is not hidden in the HTML: <div class="survey-banner"${div[1]}>`);
    assert.match(div[1], /\sdata-share="100"/, `${article}: the banner's data-share`);
    assert.match(div[1], /\sdata-rest="\d+"/, `${article}: the banner's data-rest`);
    const again = await httpGet(article);
    assert.equal(/<div class="survey-banner"[^>]*>/.exec(again.body)?.[0], div[0], `${article}: a second anonymous request got another banner`);

    const banner = await openWithBanner(page, article);
    assert.equal(/\sdata-survey="(\d+)"/.exec(div[1])?.[1], banner.survey, 'the banner in the browser is another survey\'s');
    assert.equal(await seenCookie(page), null, 'a new browser already has kw_sf');

    await page.locator('.survey-banner').getByRole('link', { name: BANNER_TEXT }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === SURVEY, SURVEY);
    await expectHeading(page, SURVEY_TITLE);
    checkDemoForm(await readForm(page), SURVEY);

    const mark = `e2e ${token()}`;
    await answerDemo(page, {
      often: 'Every day', sections: ['Science', 'World'], other: `Harbours ${mark}`,
      rating: 4, nps: 9, matrix: ['Agree', 'Neutral', 'Disagree'], text: `More maps, please (${mark})`,
    });
    assert.equal(await send(page), 303, 'sending the answers');
    await expectHeading(page, THANKS);
    assert.equal(await page.locator('main a', { hasText: 'See the published results' }).getAttribute('href'), `${SURVEY}/results`,
      'the thanks page does not link to the published results');
    const seen = await seenCookie(page);
    assert.ok(seen && seen.ids.includes(banner.survey), `after answering, kw_sf does not name survey ${banner.survey}: ${JSON.stringify(seen)}`);
    assert.ok(!seen.httpOnly, 'kw_sf is HttpOnly: survey.js cannot read it');
    assert.ok(Math.abs(seen.at - Date.now() / 1000) < 600, `kw_sf's time ${seen.at} is not now`);

    // Once per browser.
    await open(page, url(SURVEY));
    await expectHeading(page, 'You have answered this survey');
    assert.equal(await page.locator('form.survey-form').count(), 0, 'the survey form is offered again after answering');

    // The banner stays hidden in this browser, on the article and elsewhere.
    await expectBannerHidden(page, article, 'after answering the survey');
    await expectBannerHidden(page, url('/'), 'on the front page after answering the survey');

    // The answers, as the editors get them.
    if (editorState) {
      await asEditor(async (desk) => {
        const id = await deskSurveyId(desk);
        assert.equal(id, banner.survey, 'the banner\'s data-survey is not the survey\'s id on the desk');
        const { head, rows } = await responsesCsv(desk, id);
        const col = (qid) => head.find((h) => h.endsWith(`(${qid})`));
        const mine = rows.filter((r) => (r[col(6)] || '').includes(mark));
        assert.equal(mine.length, 1, `responses.csv has ${mine.length} rows with "${mark}"`);
        const r = mine[0];
        assert.equal(r[col(1)], 'Every day');
        assert.deepEqual(r[col(2)].split('; ').sort(), ['Science', 'World', `Other: Harbours ${mark}`].sort(), 'the sections answered');
        assert.equal(r[col(3)], '4');
        assert.equal(r[col(4)], '9');
        assert.equal(r[col(5)], STATEMENTS.map((s, i) => `${s}: ${['Agree', 'Neutral', 'Disagree'][i]}`).join('; '));
        assert.equal(r.member, 'no', 'an anonymous response is marked as a member\'s');
        assert.equal(r.site, 'news');
      });
    }
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('a missing required answer: 422 with an error summary (role=alert) linking to the question, the typed answers kept; answering it then thanks', () => withPage(async (page) => {
    await open(page, url(SURVEY));
    await expectHeading(page, SURVEY_TITLE);
    const other = `Ferries ${token()}`;
    const text = `Shorter headlines ${token()}`;
    await answerDemo(page, { sections: ['Business'], other, rating: 2, nps: 0, matrix: ['Neutral'], text });
    assert.equal(await send(page), 422, 'sending without the required first answer');
    await expectHeading(page, SURVEY_TITLE);
    const summary = page.locator('main .form-errors[role=alert]');
    assert.equal(await summary.count(), 1, `${page.url()}: no error summary with role=alert${problemsNote(page)}`);
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
    assert.deepEqual(links.map((l) => l.href), ['#q1'], `the error summary's links: ${JSON.stringify(links)}`);
    assert.equal(links[0].text, QUESTIONS[0].prompt, 'the error summary names another question');
    assert.ok(await page.locator('#q1').isVisible(), 'the summary\'s link leads nowhere');

    const form = await readForm(page);
    const q1 = form.questions.find((q) => q.id === 'q1');
    assert.ok(q1.problem, 'question 1 is not marked as the one with a problem');
    assert.ok(q1.describedBy, 'question 1\'s fieldset is not described by its problem');
    assert.ok(squash(await page.locator(`#${q1.describedBy}`).textContent()), 'question 1\'s problem has no text');
    assert.ok(q1.controls.every((c) => !c.checked), 'question 1 got an answer nobody gave');
    assert.deepEqual(form.questions.filter((q) => q.problem).map((q) => q.id), ['q1'], 'other questions are marked with problems');
    // Everything typed is still there.
    const picked = (id) => form.questions.find((q) => q.id === id).controls.filter((c) => c.checked).map((c) => c.label);
    assert.deepEqual(picked('q2').sort(), ['Business', 'Other, please say:'].sort(), 'the sections ticked');
    assert.equal(form.questions.find((q) => q.id === 'q2').controls.find((c) => c.name === 'q2_other').value, other, 'the "Other" text');
    assert.deepEqual(picked('q3'), ['2'], 'the rating');
    assert.deepEqual(picked('q4'), ['0'], 'the recommendation score');
    assert.deepEqual(picked('q5'), [`${STATEMENTS[0]} Neutral`], 'the statements');
    assert.equal(form.questions.find((q) => q.id === 'q6').controls[0].value, text, 'the free text');

    await answerDemo(page, { often: 'Less often' });
    assert.equal(await send(page), 303, 'sending the corrected answers');
    await expectHeading(page, THANKS);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('the banner\'s ×: hidden at once (no page load), still hidden after a reload and on other news pages', () => withPage(async (page) => {
    const [first, second] = articles.news;
    const b = await openWithBanner(page, first);
    assert.equal(b.closeType, 'button', 'the anonymous banner\'s × is not a script button');
    let navigated = false;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigated = true; });
    await page.locator('.survey-banner').getByRole('button', { name: CLOSE_LABEL }).click();
    const after = await readBanner(page);
    assert.ok(!after.shown && after.hiddenAttr, `the banner still shows right after ×: ${JSON.stringify(after)}`);
    assert.ok(!navigated, `pressing × loaded a page (${page.url()})`);
    const seen = await seenCookie(page);
    assert.ok(seen && seen.ids.includes(b.survey), `after ×, kw_sf does not name survey ${b.survey}: ${JSON.stringify(seen)}`);

    await page.reload({ waitUntil: 'load' });
    await expectBannerHidden(page, first, 'after × and a reload');
    await expectBannerHidden(page, second, 'on another article after ×');
    await expectBannerHidden(page, url('/'), 'on the front page after ×');
    // A browser that did not dismiss it still gets it.
    await withPage((p) => openWithBanner(p, second));
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('without JavaScript: the banner stays hidden, and the survey is answered with plain form posts', () => withPage(async (page) => {
    await open(page, articles.news[0]);
    const b = await readBanner(page);
    assert.ok(b.count === 1 && !b.shown, `without JavaScript the anonymous banner shows: ${JSON.stringify(b)}`);

    await open(page, url(SURVEY));
    await expectHeading(page, SURVEY_TITLE);
    checkDemoForm(await readForm(page), `${SURVEY} without JavaScript`);
    // The required answers only, after one refusal.
    await answerDemo(page, { rating: 5 });
    assert.equal(await send(page), 422, 'sending without the required first answer');
    assert.equal(await page.locator('main .form-errors[role=alert]').count(), 1, 'no error summary without JavaScript');
    await answerDemo(page, { often: 'Once a week' });
    assert.equal(await send(page), 303, 'sending the answers without JavaScript');
    await expectHeading(page, THANKS);
    await open(page, url(SURVEY));
    await expectHeading(page, 'You have answered this survey');
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }, { javaScriptEnabled: false }));

  it('a survey one question a step, made with the question builder and opened on the desk: 404 while a draft; "Question N of M" with a labelled progress bar, answers carried along, a problem sent back to its step; thanks; the response on the desk', { skip: skipCli }, async () => {
    const slug = `e2e-steps-${token()}`;
    const title = `Step by step ${slug}`;
    let id;
    try {
      await asEditor(async (page) => {
        await open(page, url('/desk/surveys'));
        await expectHeading(page, 'Surveys');
        const form = page.locator('form[action="/desk/surveys"]');
        await form.locator('#sv-slug').fill(slug);
        // Built with the question builder, no YAML: the form starts with
        // the example's two questions and one blank one to add.
        await form.locator('#sv-title').fill(title);
        await form.locator('#sv-intro').fill('Three questions, one at a time.');
        await form.locator('#sv-banner').fill('Never shown (no page has its section).');
        await form.locator('#sv-one-per-page').check();
        await form.locator('#sv-q0-prompt').fill('Which edition do you read?');
        await form.locator('#sv-q0-kind').selectOption('single');
        await form.locator('#sv-q0-options').fill('Morning\nEvening');
        await form.locator('#sv-q0-required').check();
        await form.locator('#sv-q1-prompt').fill('How do you rate it?');
        await form.locator('#sv-q1-kind').selectOption('rating');
        await form.locator('#sv-q1-required').check();
        await form.locator('#sv-q2-prompt').fill('In one word, why?');
        await form.locator('#sv-q2-kind').selectOption('short_text');
        await form.locator('#sv-sites').fill('news');
        // A section no page has: the banner is never shown, the survey page is reachable.
        await form.locator('#sv-sections').fill('e2e-no-such-section');
        await form.locator('#sv-share').fill('100');
        const created = await press(page, form.getByRole('button', { name: 'Create the draft' }), 'creating the survey');
        if (created !== 303) {
          assert.fail(`creating the survey answered ${created}: ${squash(await page.locator('main .form-errors').first().innerText({ timeout: 1000 }).catch(() => ''))}`);
        }
        id = /^\/desk\/surveys\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1];
        assert.ok(id, `creating the survey landed on ${page.url()}`);
        await expectHeading(page, title);
        assert.equal((await httpGet(url(`/surveys/${slug}`))).status, 404, 'a draft survey is open to readers');
        await press(page, page.locator('main form.inline-form').getByRole('button', { name: 'Open', exact: true }), 'opening the survey');
        await expectHeading(page, title);
        assert.match(squash(await page.locator('main').innerText()), /open, taking answers · 0 responses/, 'the opened survey is not taking answers');
      });

      await withPage(async (page) => {
        await open(page, url(`/surveys/${slug}`));
        await expectHeading(page, title);
        const step = async (n, heading) => {
          const f = await readForm(page);
          assert.equal(f.step, String(n), `step ${n}: the form's step field`);
          assert.deepEqual(f.progress, { value: String(n), max: '3', label: `Question ${n} of 3` }, `step ${n}: the progress bar`);
          assert.deepEqual(f.questions.map((q) => q.legend), [heading], `step ${n}: the question shown`);
          assert.ok(f.questions[0].controls.every((c) => c.label), `step ${n}: a control without a label`);
          return f;
        };
        let f = await step(1, 'Which edition do you read? (required)');
        assert.deepEqual(f.submit, ['Next question']);
        assert.equal(await send(page, 'Next question'), 422, 'going on without the required answer');
        await step(1, 'Which edition do you read? (required)');
        assert.equal(await page.locator('main .form-errors[role=alert] a[href="#q1"]').count(), 1, 'no error summary linking to the question');
        await question(page, 1).getByLabel('Evening', { exact: true }).check();
        assert.equal(await send(page, 'Next question'), 200);
        f = await step(2, 'How do you rate it? (required)');
        assert.deepEqual(f.carried, ['q1'], 'the first answer is not carried to step 2');
        // A required answer missing on step 2 comes back to step 2, the first kept.
        assert.equal(await send(page, 'Next question'), 422);
        f = await step(2, 'How do you rate it? (required)');
        assert.deepEqual(f.carried, ['q1'], 'the first answer was lost on the refusal');
        await question(page, 2).getByLabel('3', { exact: true }).check();
        assert.equal(await send(page, 'Next question'), 200);
        f = await step(3, 'In one word, why?');
        assert.deepEqual(f.carried.sort(), ['q1', 'q2'], 'the earlier answers are not carried to the last step');
        assert.deepEqual(f.submit, ['Send my answers'], 'the last step\'s button');
        await question(page, 3).getByRole('textbox', { name: 'In one word, why?' }).fill('Crosswords');
        assert.equal(await send(page), 303);
        await expectHeading(page, THANKS);
        assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
      });

      await asEditor(async (page) => {
        const { head, rows } = await responsesCsv(page, id);
        assert.equal(rows.length, 1, `the stepped survey has ${rows.length} responses`);
        const col = (qid) => head.find((h) => h.endsWith(`(${qid})`));
        assert.deepEqual([rows[0][col(1)], rows[0][col(2)], rows[0][col(3)]], ['Evening', '3', 'Crosswords'], 'the stored answers');
      });
    } finally {
      if (id) {
        await asEditor(async (page) => {
          await open(page, url(`/desk/surveys/${id}`));
          const close = page.locator('main form.inline-form').getByRole('button', { name: 'Close', exact: true });
          if (await close.count()) await press(page, close, 'closing the stepped survey');
        }).catch((e) => console.error(`could not close the survey ${slug}: ${e.message}`));
      }
    }
  });
});

// --- results --------------------------------------------------------------------

/** The result sections of the page: prompt, hint and its charts (role, title, desc, bars). */
function readResults(page) {
  return page.evaluate(() => [...document.querySelectorAll('main section.survey-result')].map((s) => {
    const text = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : '');
    return {
      prompt: text(s.querySelector('h3')),
      labelledBy: s.getAttribute('aria-labelledby') === s.querySelector('h3')?.id,
      hint: text(s.querySelector('.hint')),
      texts: s.querySelectorAll('.survey-texts li').length,
      charts: [...s.querySelectorAll('svg.hchart')].map((svg) => {
        const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
        const own = (id) => { const e = document.getElementById(id); return e && svg.contains(e) ? e : null; };
        return {
          role: svg.getAttribute('role'),
          title: text(svg.querySelector(':scope > title')),
          labelledByTitle: ids.length > 0 && own(ids[0])?.tagName.toLowerCase() === 'title',
          desc: text(svg.querySelector(':scope > desc')),
          bars: svg.querySelectorAll('rect.bar').length,
        };
      }),
    };
  }));
}

/** Counts per label from a chart's <desc> ("Label: 12 (30.5%); …"). */
function descCounts(desc) {
  return desc.split('; ').map((part) => {
    const m = /^(.*): (\d+) \(([\d.]+)%\)$/.exec(part);
    assert.ok(m, `a chart's description part "${part}" is not "label: count (percent%)"`);
    return { label: m[1], count: Number(m[2]), percent: Number(m[3]) };
  });
}

/** The Net Promoter Score of counts of the scores 0 to 10, rounded. */
function npsOf(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  const promoters = counts[9] + counts[10];
  const detractors = counts.slice(0, 7).reduce((a, b) => a + b, 0);
  return Math.round(((promoters - detractors) * 100) / total);
}

/**
 * Checks the result sections of the questions `ids` of the demo survey on
 * the page: each chart a named image (role=img, labelled by its own
 * <title>), a bar per answer, its counts adding up to "N answered", the
 * NPS of question 4 what its chart's counts give. Returns the NPS shown.
 */
async function checkResults(page, ids, where) {
  const results = await readResults(page);
  assert.deepEqual(results.map((r) => r.prompt), ids.map((id) => QUESTIONS[id - 1].prompt), `${where}: the questions shown`);
  let shownNps = null;
  for (const r of results) {
    const q = QUESTIONS.find((x) => x.prompt === r.prompt);
    const what = `${where}: question ${q.id}`;
    assert.ok(r.labelledBy, `${what}: the section is not labelled by its heading`);
    const answered = Number(/^(\d+) answered/.exec(r.hint)?.[1]);
    assert.ok(answered > 0, `${what}: the hint "${r.hint}" gives no count`);
    if (q.kind === 'long_text') {
      assert.equal(r.charts.length, 0, `${what}: free text drawn as a chart`);
      continue;
    }
    const charts = q.kind === 'matrix' ? STATEMENTS.length : 1;
    assert.equal(r.charts.length, charts, `${what}: ${r.charts.length} charts`);
    for (const c of r.charts) {
      assert.equal(c.role, 'img', `${what}: a chart without role=img`);
      assert.ok(c.title && c.labelledByTitle, `${what}: a chart not labelled by its <title>: ${JSON.stringify(c)}`);
      assert.ok(c.desc, `${what}: a chart without a <desc>`);
      const counts = descCounts(c.desc);
      assert.equal(c.bars, counts.length, `${what}: ${c.bars} bars for ${counts.length} answers`);
      // (A matrix's statements may be left out one by one; several answers to one question add up to more.)
      if (q.kind !== 'multiple' && q.kind !== 'matrix') {
        assert.equal(counts.reduce((a, b) => a + b.count, 0), answered, `${what} ("${c.title}"): the chart's counts do not add up to ${answered} answered`);
      }
      const bars = { single: 4, rating: 5, nps: 11, matrix: 3 }[q.kind];
      if (bars) assert.equal(c.bars, bars, `${what}: the chart's bars`);
    }
    if (q.kind === 'matrix') assert.deepEqual(r.charts.map((c) => c.title), STATEMENTS, `${what}: the statements' charts`);
    else assert.equal(r.charts[0].title, q.prompt, `${what}: the chart's title`);
    // The browser's accessibility tree names the chart by its title.
    assert.ok(await page.getByRole('img', { name: r.charts[0].title }).count() >= 1, `${what}: no image named "${r.charts[0].title}"`);
    const nps = /Net Promoter Score (-?\d+)/.exec(r.hint)?.[1];
    if (q.kind === 'nps') {
      assert.ok(nps !== undefined, `${what}: no Net Promoter Score in "${r.hint}"`);
      const counts = descCounts(r.charts[0].desc).map((x) => x.count);
      assert.equal(Number(nps), npsOf(counts), `${what}: the Net Promoter Score ${nps} is not what the chart's counts give (${counts})`);
      shownNps = Number(nps);
    } else {
      assert.equal(nps, undefined, `${what}: a Net Promoter Score on a ${q.kind} question`);
    }
  }
  return shownNps;
}

describe('survey results', () => {
  it('the public results page: the three published questions as named SVG charts, the Net Promoter Score, no free text', () => withPage(async (page) => {
    await open(page, url(`${SURVEY}/results`));
    await expectHeading(page, `Results: ${SURVEY_TITLE}`);
    const total = Number(/^(\d+) responses so far\.$/.exec(squash(await page.locator('main .standfirst').textContent()))?.[1]);
    assert.ok(total >= 64, `the results count ${total} responses; the demo has 64`);
    const nps = await checkResults(page, PUBLIC_QUESTIONS, `${SURVEY}/results`);
    assert.ok(nps >= -100 && nps <= 100, `the Net Promoter Score ${nps}`);
    assert.equal(await page.locator('main .survey-texts').count(), 0, 'the public results show free text');
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('/desk/surveys/{id} as an editor: every question\'s charts (the matrix one a statement), the Net Promoter Score, the filters, responses.csv and summary.csv as text/csv agreeing with the page', { skip: skipCli }, () => asEditor(async (page) => {
    const id = await deskSurveyId(page);
    assert.equal(await page.locator('main form[action="/desk/surveys"][method=post] textarea[name=definition]').count(), 1, '/desk/surveys has no form to create a survey');
    await page.locator('main table a', { hasText: SURVEY_TITLE }).click();
    await expectUrl(page, (u) => u.pathname === `/desk/surveys/${id}`, `/desk/surveys/${id}`);
    await expectHeading(page, SURVEY_TITLE);
    assert.equal(squash(await page.locator('nav.desk-nav a[aria-current=page]').innerText()), 'Surveys', 'the desk navigation does not mark Surveys');
    const shown = Number(/(\d+) responses shown/.exec(squash(await page.locator('main').innerText()))?.[1]);
    assert.ok(shown >= 64, `the desk shows ${shown} responses; the demo has 64`);
    const nps = await checkResults(page, QUESTIONS.map((q) => q.id), `/desk/surveys/${id}`);
    assert.ok((await readResults(page))[5].texts > 0, 'the desk shows no free-text answers');
    for (const name of ['site', 'from', 'to', 'who', 'flagged', 'q']) {
      assert.equal(await page.locator(`form.desk-filters [name=${name}]`).count(), 1, `the results' filters have no "${name}"`);
    }

    const csvLinks = await page.locator('main a[href*=".csv"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const link = (file) => csvLinks.find((h) => h.startsWith(`/desk/surveys/${id}/${file}`));
    assert.ok(link('responses.csv') && link('summary.csv'), `/desk/surveys/${id}: the CSV links are ${JSON.stringify(csvLinks)}`);
    for (const file of ['responses.csv', 'summary.csv']) {
      const res = await requestAsPage(page, url(link(file)));
      assert.equal(res.status(), 200, `${link(file)} answered ${res.status()}`);
      assert.match(res.headers()['content-type'] || '', /^text\/csv\b/, `${link(file)}: Content-Type`);
      assert.match(res.headers()['content-disposition'] || '', /^attachment; filename="[^"]+\.csv"$/, `${link(file)}: Content-Disposition`);
    }
    const { head, rows } = await responsesCsv(page, id);
    assert.deepEqual(head.slice(0, 6), ['response', 'time (UTC)', 'site', 'member', 'flagged', 'excluded'], 'responses.csv: the first columns');
    assert.deepEqual(head.slice(6), QUESTIONS.map((q) => `${q.prompt} (${q.id})`), 'responses.csv: a column per question');
    assert.equal(rows.length, shown, `responses.csv has ${rows.length} responses, the page shows ${shown}`);
    const summary = parseCsv(await (await requestAsPage(page, url(link('summary.csv')))).text()).filter((r) => r.length > 1);
    assert.deepEqual(summary[0], ['question', 'prompt', 'answer', 'count', 'percent or value'], 'summary.csv: the header row');
    const npsRow = summary.find((r) => r[0] === '4' && r[2] === 'Net Promoter Score');
    assert.ok(npsRow, 'summary.csv has no Net Promoter Score row');
    assert.equal(Number(npsRow[4]), nps, `summary.csv's Net Promoter Score ${npsRow[4]} is not the page's ${nps}`);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));
});

// --- giveaways ------------------------------------------------------------------

/** The giveaway block of the page: label, title, text, its action and its links. */
function readBlock(page) {
  return page.evaluate(() => {
    const all = document.querySelectorAll('main aside.giveaway-block');
    const b = all[0];
    if (!b) return { count: 0 };
    const text = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : null);
    const headline = document.querySelector('h1.headline');
    return {
      count: all.length,
      afterHeadline: headline ? Boolean(headline.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) : null,
      labelledBy: document.getElementById(b.getAttribute('aria-labelledby'))?.textContent.trim() ?? null,
      label: text(b.querySelector('.sponsored-label')),
      title: text(b.querySelector('.giveaway-title')),
      text: text(b.querySelector('.giveaway-text')),
      join: b.querySelector('a.join-now')?.getAttribute('href') ?? null,
      joinText: text(b.querySelector('a.join-now')),
      rules: [...b.querySelectorAll('a')].find((a) => a.textContent.trim() === 'Official rules')?.getAttribute('href') ?? null,
      inText: text(b.querySelector('.giveaway-in')),
      ticket: text(b.querySelector('.giveaway-in .ticket')),
    };
  });
}

const entryCount = async (page) => Number(squash(await page.locator('main .giveaway-facts dd.entry-count').textContent()));

/** Waits for the first message to `to` whose subject matches `re` (among the first `max`). */
async function mailWithSubject(to, re, max = 4) {
  const seen = [];
  for (let n = 1; n <= max; n++) {
    const mail = await waitForMail(to, n);
    if (re.test(mail.subject)) return mail;
    seen.push(mail.subject);
  }
  assert.fail(`no message to ${to} with a subject matching ${re}; the first ${max}: ${JSON.stringify(seen)}`);
}

async function submitRegistration(page, { email, name, password }) {
  await page.fill('#reg-email', email);
  await page.fill('#reg-name', name);
  await page.fill('#reg-password', password);
  const elapsed = await page.evaluate(() => performance.now() - (performance.getEntriesByType('navigation')[0]?.responseStart ?? 0));
  await sleep(MIN_FILL_MS - elapsed);
  await page.locator('form[action="/register"]').getByRole('button', { name: 'Register', exact: true }).click();
  await expectHeading(page, 'Check your email');
}

describe('the sponsored giveaway', () => {
  it('its block under a news article (Sponsored · Harbourlight Audio, title, text, Join Now, Official rules), and the official rules page', () => withPage(async (page) => {
    await open(page, articles.news[0]);
    const b = await readBlock(page);
    assert.equal(b.count, 1, `${articles.news[0]}: ${b.count} giveaway blocks`);
    assert.ok(b.afterHeadline, 'the giveaway block is not under the article');
    assert.equal(b.label, `Sponsored · ${SPONSOR}`, 'the block\'s sponsored label');
    assert.equal(b.title, GIVEAWAY_TITLE, 'the block\'s title');
    assert.equal(b.labelledBy, GIVEAWAY_TITLE, 'the block is not labelled by its title');
    assert.match(b.text || '', /chance to win/, 'the block\'s text');
    assert.equal(b.joinText, 'Join Now');
    assert.equal(b.join, GIVEAWAY, 'the block\'s "Join Now" link');
    assert.equal(b.rules, `${GIVEAWAY}/rules`, 'the block\'s "Official rules" link');
    // Every news article carries it.
    await open(page, articles.news[1]);
    assert.equal((await readBlock(page)).title, GIVEAWAY_TITLE, `${articles.news[1]} has no giveaway block`);

    await page.locator('main aside.giveaway-block').getByRole('link', { name: 'Official rules' }).click();
    await expectUrl(page, (u) => u.pathname === `${GIVEAWAY}/rules`, 'the official rules');
    await expectHeading(page, 'Official rules');
    const rules = squash(await page.locator('main .article-body').innerText());
    for (const must of [SPONSOR, '3 winners', `"${DECLARATION}"`, 'confirmed email address', 'once each']) {
      assert.ok(rules.includes(must), `the official rules do not say ${JSON.stringify(must)}:\n${rules}`);
    }
    // A giveaway without a sponsor's link has none to show, not an empty "()".
    assert.ok(!/\(\s*\)/.test(rules), `the official rules show empty parentheses where the sponsor's link would be:\n${rules.slice(0, 300)}`);
    assert.equal(await page.locator('main a', { hasText: 'Back to the giveaway' }).getAttribute('href'), GIVEAWAY);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('Join Now as an anonymous reader: the giveaway page, Sign in to join, register and confirm by email, back on the giveaway page; declare and join; the ticket on the page, in the receipt email, under the articles and on the desk; a second press is "in already"; the member\'s own survey banner', { skip: skipJoin }, () => withPage(async (page) => {
    const article = articles.news[0];
    await open(page, article);
    await page.locator('main aside.giveaway-block').getByRole('link', { name: 'Join Now' }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === GIVEAWAY, GIVEAWAY);
    await expectHeading(page, GIVEAWAY_TITLE);
    const before = await entryCount(page);
    assert.ok(before >= 17, `the giveaway shows ${before} entries; the demo has 17`);
    assert.equal(await page.locator('main form.giveaway-form').count(), 0, 'an anonymous reader is offered the entry form');
    const join = page.locator('main .giveaway-join');
    const signIn = new URL(await join.getByRole('link', { name: 'Sign in to join' }).getAttribute('href'), page.url());
    assert.equal(signIn.pathname, '/login');
    assert.equal(signIn.searchParams.get('next'), GIVEAWAY, `"Sign in to join" (${signIn}) does not return to the giveaway`);
    const register = new URL(await join.getByRole('link', { name: 'register', exact: true }).getAttribute('href'), page.url());
    assert.equal(`${register.pathname}?next=${register.searchParams.get('next')}`, `/register?next=${GIVEAWAY}`, `the "register" link is ${register}`);

    await join.getByRole('link', { name: 'Sign in to join' }).click();
    await expectUrl(page, (u) => u.pathname === '/login', '/login');
    await page.locator('.local-login').getByRole('link', { name: 'Register', exact: true }).click();
    await expectUrl(page, (u) => u.pathname === '/register', '/register');
    assert.equal(new URL(page.url()).searchParams.get('next'), GIVEAWAY, `/register lost the giveaway as next: ${page.url()}`);
    const member = { email: uniqueEmail('entrant'), name: uniqueName('Nao'), password: PASSWORD };
    await submitRegistration(page, member);
    const confirm = await waitForMail(member.email, 1);
    assert.match(confirm.subject, /Confirm your email address/, 'the first message is not the confirmation');
    await open(page, linkIn(confirm, '/verify/'));
    await expectHeading(page, 'Confirm your email address');
    await page.locator('main').getByRole('button', { name: 'Confirm my email' }).click();
    await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === GIVEAWAY, `${GIVEAWAY} after confirming`);
    await expectSignedIn(page, member.name);

    // An older tab with the form, for the second press.
    const older = await page.context().newPage();
    await open(older, url(GIVEAWAY));

    const form = page.locator('main form.giveaway-form');
    assert.equal(await form.getAttribute('method'), 'post');
    assert.equal(await form.getAttribute('action'), `${GIVEAWAY}/enter`);
    assert.ok(await form.locator('input[name=csrf]').inputValue(), 'the entry form has no CSRF token');
    const declare = form.getByLabel(DECLARATION, { exact: true });
    assert.equal(await declare.getAttribute('name'), 'declare');
    assert.ok(await declare.evaluate((c) => c.required), 'the declaration is not required');
    assert.equal(await page.locator('main .giveaway-join .hint', { hasText: 'Confirm your email' }).count(), 0, 'a confirmed member is asked to confirm the address');
    await declare.check();
    assert.equal(await press(page, form.getByRole('button', { name: 'Join Now' }), 'joining'), 303, 'joining the giveaway');
    const inLine = page.locator('main .giveaway-join .giveaway-in');
    try {
      await inLine.waitFor({ state: 'visible' });
    } catch {
      assert.fail(`after Join Now: no "You're in" on ${page.url()}: ${squash(await page.locator('main').innerText().catch(() => ''))}`);
    }
    const said = squash(await inLine.innerText());
    assert.match(said, /^You're in\. Your ticket: KW(?:-[0-9A-Z]{4}){4}\b/, `after Join Now the page says "${said}"`);
    const ticket = squash(await inLine.locator('.ticket').innerText());
    assert.match(ticket, new RegExp(`^${TICKET.source}$`), `the ticket "${ticket}"`);
    assert.equal(await entryCount(page), before + 1, 'the entry count did not grow by one');
    assert.equal(await page.locator('main form.giveaway-form').count(), 0, 'the entry form is still offered');

    const receipt = await mailWithSubject(member.email, /^You're in:/);
    assert.ok(receipt.subject.includes(GIVEAWAY_TITLE), `the receipt's subject "${receipt.subject}" does not name the giveaway`);
    assert.ok(receipt.text.includes(ticket), `the receipt does not carry the ticket ${ticket}:\n${receipt.text}`);
    assert.equal(receipt.text.match(new RegExp(TICKET.source, 'g'))?.length, 1, 'the receipt names more than one ticket');
    assert.ok(receipt.links.includes(url(GIVEAWAY)), `the receipt does not link to ${url(GIVEAWAY)}: ${JSON.stringify(receipt.links)}`);

    // The older tab's Join Now: in already, nothing added.
    await older.locator('main form.giveaway-form').getByLabel(DECLARATION, { exact: true }).check();
    await press(older, older.locator('main form.giveaway-form').getByRole('button', { name: 'Join Now' }), 'joining again');
    const notice = squash(await older.locator('main .form-notice').innerText().catch(() => ''));
    assert.match(notice, /in already/, `a second Join Now says "${notice}"`);
    assert.equal(squash(await older.locator('main .giveaway-join .ticket').innerText()), ticket, 'the second press shows another ticket');
    assert.equal(await entryCount(older), before + 1, 'a second Join Now added an entry');
    await older.close();

    // Under the articles, the block (the shared page, filled in through the slot).
    for (const a of articles.news) {
      await open(page, a);
      const b = await readBlock(page);
      assert.equal(b.ticket, ticket, `${a}: the block shows the ticket ${b.ticket}, not ${ticket} ("${b.inText}")`);
      assert.match(b.inText, /^You're in\. Your ticket: /, `${a}: the block says "${b.inText}"`);
      assert.equal(b.join, null, `${a}: the block still offers Join Now`);
    }
    // The survey banner a member gets: filled in by the server, dismissed by a POST.
    await open(page, article);
    const banner = await readBanner(page);
    assert.ok(banner.count === 1 && banner.shown && !banner.hiddenAttr, `${article}: the member's survey banner does not show: ${JSON.stringify(banner)}`);
    assert.equal(banner.text, BANNER_TEXT);
    assert.deepEqual(banner.form, { method: 'post', action: `${SURVEY}/dismiss`, csrf: true }, 'the member\'s banner has no POST form to dismiss it');
    assert.equal(await press(page, page.locator('.survey-banner').getByRole('button', { name: CLOSE_LABEL }), 'dismissing the banner'), 303);
    await expectUrl(page, (u) => u.href === article, `${article} after dismissing the banner`);
    assert.equal((await readBanner(page)).count, 0, `${article}: the member's banner is still there after ×`);
    await open(page, articles.news[1]);
    assert.equal((await readBanner(page)).count, 0, `${articles.news[1]}: the member's banner is back after ×`);

    if (editorState) {
      await asEditor(async (desk) => {
        await open(desk, url('/desk/giveaways'));
        await desk.locator('main table a', { hasText: GIVEAWAY_TITLE }).click();
        await expectHeading(desk, GIVEAWAY_TITLE);
        const row = desk.locator('main table tbody tr', { hasText: ticket });
        assert.equal(await row.count(), 1, `the desk's entries do not list the ticket ${ticket}`);
        assert.ok(squash(await row.innerText()).includes(member.email), `the desk's row of ${ticket} does not show ${member.email}`);
      });
    }
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('the offer in the travel and lifestyle sites\' trending blocks: marked Sponsored, linking to the giveaway on the news site', () => withPage(async (page) => {
    for (const site of ['travel', 'lifestyle']) {
      await open(page, articles[site]);
      const offers = await page.$$eval('section.trending li.trending-item.sponsored', (lis) => lis.map((li) => ({
        href: li.querySelector('a[href]')?.href ?? null,
        title: li.querySelector('.trending-title')?.textContent.trim() ?? null,
        label: li.querySelector('.sponsored-label')?.textContent.trim() ?? null,
        site: li.querySelector('.trending-site')?.textContent.trim() ?? null,
      })));
      assert.equal(offers.length, 1, `${articles[site]}: ${offers.length} sponsored items in the trending block`);
      assert.deepEqual(offers[0], { href: url(GIVEAWAY), title: GIVEAWAY_TITLE, label: 'Sponsored', site: 'The Lanternfield Post' },
        `${articles[site]}: the sponsored item`);
      assert.equal(await page.locator('main aside.giveaway-block').count(), 0, `${articles[site]}: a giveaway for the news site has a block on ${site}`);
    }
    await page.locator('section.trending li.trending-item.sponsored a').click();
    await expectUrl(page, (u) => u.href === url(GIVEAWAY), `${url(GIVEAWAY)} from the offer`);
    await expectHeading(page, GIVEAWAY_TITLE);
    // On the news site the giveaway is the block, not an offer.
    await open(page, articles.news[0]);
    assert.equal(await page.locator('section.trending li.trending-item.sponsored').count(), 0, 'the news site\'s own trending block offers its giveaway');
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('the finished giveaway: commitment, revealed seed, ticket list and its hash, winners then alternates; tickets.txt and draw.json served, and the draw checks out by the published rule', () => withPage(async (page) => {
    await open(page, url(FINISHED));
    await expectHeading(page, FINISHED_TITLE);
    assert.equal(await page.locator('main form.giveaway-form').count(), 0, 'a finished giveaway offers the entry form');
    assert.match(squash(await page.locator('main .giveaway-page').innerText()), /Entries closed /, 'the page does not say entries closed');
    const record = await page.$$eval('main dl.draw-record dt', (dts) => Object.fromEntries(dts.map((dt) => [
      dt.textContent.trim(), { text: dt.nextElementSibling.textContent.replace(/\s+/g, ' ').trim(), links: [...dt.nextElementSibling.querySelectorAll('a')].map((a) => a.getAttribute('href')) },
    ])));
    const field = (name) => { assert.ok(record[name], `the draw record has no "${name}": ${Object.keys(record)}`); return record[name]; };
    const commitment = field('Commitment (SHA-256 of the seed)').text;
    const seed = field('Seed, revealed').text;
    const listHash = field('SHA-256 of the ticket list').text;
    for (const [what, v] of [['commitment', commitment], ['seed', seed], ['list hash', listHash]]) {
      assert.match(v, /^[0-9a-f]{64}$/, `the ${what} "${v}"`);
    }
    const tickets = field('Valid tickets');
    assert.deepEqual(tickets.links, [`${FINISHED}/tickets.txt`], 'the ticket list link');
    const order = await page.$$eval('main ol.draw-order > li', (lis) => lis.map((li) => ({
      ticket: li.querySelector('code')?.textContent.trim(), text: li.textContent.replace(/\s+/g, ' ').trim(),
    })));
    assert.ok(order.length > FINISHED_WINNERS, `the draw order lists ${order.length} tickets`);
    order.forEach((o, i) => {
      const role = i < FINISHED_WINNERS ? 'winner' : 'alternate';
      assert.match(o.text, new RegExp(`^${TICKET.source} ${role}\\b`), `place ${i + 1} reads "${o.text}", expected a ${role}`);
    });
    assert.equal(await page.locator('main a[href$="/draw.json"]').getAttribute('href'), `${FINISHED}/draw.json`);

    const list = await httpGet(url(`${FINISHED}/tickets.txt`));
    assert.equal(list.status, 200, `tickets.txt answered ${list.status}`);
    assert.match(list.headers['content-type'] || '', /^text\/plain\b/, 'tickets.txt: Content-Type');
    const ids = list.body.split('\n').slice(0, -1);
    assert.ok(list.body.endsWith('\n'), 'tickets.txt does not end with a newline');
    assert.equal(Number(/^\d+/.exec(tickets.text)?.[0]), ids.length, `the page counts "${tickets.text}", tickets.txt has ${ids.length}`);
    assert.deepEqual(ids, [...new Set(ids)].sort(), 'tickets.txt is not sorted with each ticket once');
    assert.ok(ids.every((t) => new RegExp(`^${TICKET.source}$`).test(t)), 'tickets.txt has lines that are not tickets');

    const drawRes = await httpGet(url(`${FINISHED}/draw.json`));
    assert.equal(drawRes.status, 200, `draw.json answered ${drawRes.status}`);
    assert.match(drawRes.headers['content-type'] || '', /^application\/json\b/, 'draw.json: Content-Type');
    const draw = JSON.parse(drawRes.body);
    assert.deepEqual(
      { method: draw.method, winners: draw.winners, commitment: draw.commitment, seed: draw.seed, list_hash: draw.list_hash, tickets_url: draw.tickets_url },
      { method: DRAW_METHOD, winners: FINISHED_WINNERS, commitment, seed, list_hash: listHash, tickets_url: `${FINISHED}/tickets.txt` },
      'draw.json does not agree with the page');
    assert.deepEqual(draw.order, order.map((o) => o.ticket), 'draw.json\'s order is not the page\'s');

    // The draw, checked: the seed is the committed one, the list is the hashed one,
    // and the order is the tickets by ascending SHA-256(seed material ‖ ticket).
    assert.equal(sha256(seed), commitment, 'the revealed seed does not hash to the commitment');
    assert.equal(sha256(list.body), listHash, 'tickets.txt does not hash to the published list hash');
    const material = `${DRAW_METHOD}:${seed}:${listHash}:${draw.beacon?.randomness ?? ''}`;
    const ranked = ids.map((t) => ({ t, score: sha256(material + t) }))
      .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.t < b.t ? -1 : 1))
      .slice(0, draw.order.length).map((x) => x.t);
    assert.deepEqual(draw.order, ranked, 'the published winners and alternates are not the lowest scores');
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('/desk/giveaways and the open giveaway\'s desk page: both giveaways, the entries with their disqualify forms', { skip: skipCli }, () => asEditor(async (page) => {
    await open(page, url('/desk/giveaways'));
    await expectHeading(page, 'Giveaways');
    const rows = await page.$$eval('main table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\s+/g, ' ').trim())));
    const row = (title) => rows.find((r) => r[0] === title);
    assert.ok(row(GIVEAWAY_TITLE) && row(FINISHED_TITLE), `/desk/giveaways lists ${JSON.stringify(rows.map((r) => r[0]))}`);
    assert.deepEqual(row(GIVEAWAY_TITLE).slice(1, 3), [SPONSOR, 'open'], 'the open giveaway\'s row');
    assert.equal(row(FINISHED_TITLE)[2], 'drawn', 'the finished giveaway\'s phase');
    await page.locator('main table a', { hasText: GIVEAWAY_TITLE }).click();
    await expectUrl(page, (u) => /^\/desk\/giveaways\/\d+$/.test(u.pathname), 'the giveaway\'s desk page');
    await expectHeading(page, GIVEAWAY_TITLE);
    const entries = page.locator('main table tbody tr');
    const listed = await entries.count();
    assert.ok(listed >= 17, `the desk lists ${listed} entries; the demo has 17`);
    const forms = await page.$$eval('main table tbody tr form', (fs) => fs.map((f) => ({
      method: f.getAttribute('method'),
      action: f.querySelector('input[name=action]')?.value,
      csrf: Boolean(f.querySelector('input[name=csrf]')?.value),
      reason: Boolean(f.querySelector('input[name=reason]')?.labels?.length),
    })));
    const dq = forms.filter((f) => f.action === 'disqualify');
    assert.ok(dq.length >= 17, `only ${dq.length} disqualify forms`);
    assert.ok(dq.every((f) => f.method === 'post' && f.csrf && f.reason), `disqualify forms without POST, a CSRF token or a labelled reason: ${JSON.stringify(dq.slice(0, 3))}`);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));
});

// --- accessibility --------------------------------------------------------------

describe('accessibility', () => {
  it('axe-core finds no serious or critical violation, and the browser no problem, on the article with the banner and the block, the survey (and its errors), the thanks, the results, the giveaway pages, the rules and the desk pages; survey-1280.png, giveaway-1280.png', async () => {
    const failures = [];
    const check = async (page, name, fn) => {
      try {
        await fn();
        failures.push(...await audit(page, name));
      } catch (e) {
        failures.push(`${name}: could not check it: ${e.message}`);
      }
    };
    await withPage(async (page) => {
      await check(page, `${articles.news[0]} (banner shown, giveaway block)`, async () => {
        await openWithBanner(page, articles.news[0]);
        assert.equal((await readBlock(page)).count, 1, 'no giveaway block');
      });
      await check(page, SURVEY, async () => {
        await open(page, url(SURVEY));
        await expectHeading(page, SURVEY_TITLE);
        await settle(page);
        await screenshot(page, 'survey-1280');
      });
      await check(page, `${SURVEY} (a required answer missing)`, async () => {
        await answerDemo(page, { rating: 3 });
        assert.equal(await send(page), 422);
        await page.locator('main .form-errors[role=alert]').waitFor({ state: 'visible' });
      });
      await check(page, `${SURVEY} (thanks)`, async () => {
        await answerDemo(page, { often: 'A few times a week' });
        assert.equal(await send(page), 303);
        await expectHeading(page, THANKS);
      });
      await check(page, `${SURVEY}/results`, async () => {
        await open(page, url(`${SURVEY}/results`));
        await expectHeading(page, 'Results:');
      });
      await check(page, `${GIVEAWAY} (anonymous)`, async () => {
        await open(page, url(GIVEAWAY));
        await expectHeading(page, GIVEAWAY_TITLE);
        await settle(page);
        await screenshot(page, 'giveaway-1280');
      });
      await check(page, `${GIVEAWAY}/rules`, async () => {
        await open(page, url(`${GIVEAWAY}/rules`));
        await page.locator('main .article-body h2').waitFor();
      });
      await check(page, FINISHED, async () => {
        await open(page, url(FINISHED));
        await page.locator('main ol.draw-order').waitFor();
      });
    });
    if (!skipCli) {
      // A member's view of the open giveaway, with the entry form.
      await withPage(async (page) => {
        await check(page, `${GIVEAWAY} (a signed-in member, the entry form)`, async () => {
          await cliAccount(page, 'member', uniqueName('Mio'));
          page.problems();
          await open(page, url(GIVEAWAY));
          await page.locator('main form.giveaway-form').waitFor();
        });
      });
      await asEditor(async (page) => {
        let id;
        await check(page, '/desk/surveys', async () => { id = await deskSurveyId(page); });
        await check(page, `/desk/surveys/${id}`, async () => {
          assert.ok(id, 'no survey id from /desk/surveys');
          await open(page, url(`/desk/surveys/${id}`));
          await expectHeading(page, SURVEY_TITLE);
        });
        await check(page, '/desk/giveaways', async () => {
          await open(page, url('/desk/giveaways'));
          await expectHeading(page, 'Giveaways');
        });
        await check(page, '/desk/giveaways/{id} (the open giveaway)', async () => {
          await page.locator('main table a', { hasText: GIVEAWAY_TITLE }).click();
          await expectHeading(page, GIVEAWAY_TITLE);
        });
      });
    }
    assert.ok(failures.length === 0, failures.join('\n'));
  });
});
