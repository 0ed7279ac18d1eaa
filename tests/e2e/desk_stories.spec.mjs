// The newsroom desk's stories, the way editors and writers use them.
//
// An editor writes a story in the browser (the toolbar, the live word
// count and the live preview in the site's template), saves a draft,
// opens the Preview tab (noindex), schedules it two minutes ahead (404 for
// readers meanwhile), publishes it now (on the site at once, even though
// its address answered 404 a moment before) and corrects the headline
// (the public page follows). Two editors in two browsers on one story:
// presence (rendered on load and kept up by the editor's pings), both
// changing the headline (409 and the side-by-side choice, "Take …'s"
// keeps the other's), then one the headline and the other the body (both
// kept, merged). A contributor submits (no Publish button); an editor
// finds the story by the list's status filter and publishes it. History:
// three saves, a compare, restoring the first. Autosave: typing kept in
// localStorage, offered back after the tab is closed. Unpublishing: 410
// and the themed "taken down" page. axe-core (serious and critical),
// browser problems and sideways scrolling at 390 px on the list, the new
// and the existing story's editor, a conflict and the history.
//
// The accounts come from `kawaraban user add EMAIL --role ROLE` (the CLI
// on the database of the server scripts/e2e.sh starts: KW_BIN,
// KW_DATA_DIR), each signed in once with the one-time link the command
// prints; its cookies are kept and given to every later browser context of
// that account. Without the CLI every test is skipped. Headlines carry a
// token of this run (the demo database lives as long as the server) and
// slugs are made from them, so a test only ever meets its own stories.
// Public pages are read with Node's client (httpGet) where only the
// status and the headline matter, and in the browser where a reader would
// follow a link.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, BASE, url, launchBrowser, newPage, open, settle, axeSerious, formatAxe, horizontalOverflow,
  httpGet, sleep, uniqueEmail, KW_BIN, KW_DATA_DIR, kawaraban, problemsNote, headingText, expectHeading, expectUrl,
} from './lib.mjs';

const NEWS_HOST = new URL(BASE).host;
const ZONE = 'Asia/Tokyo';

const skipCli = (!KW_BIN || !KW_DATA_DIR)
  ? 'KW_BIN and KW_DATA_DIR are not set: the desk tests make staff accounts with the CLI on the database of the server scripts/e2e.sh starts'
  : false;

let browser;
/** Signed-in accounts: { email, name, state } (state: the context's cookies). */
const staff = { kenji: null, aiko: null, cory: null };

before(async () => {
  browser = await launchBrowser();
  if (skipCli) return;
  for (const [key, role, first] of [['kenji', 'admin', 'Kenji Mori'], ['aiko', 'editor', 'Aiko Sato'], ['cory', 'contributor', 'Cory Writer']]) {
    const page = await newPage(browser, DESKTOP);
    try {
      const who = await cliAccount(page, role, uniqueName(first));
      staff[key] = { ...who, state: await page.context().storageState() };
    } finally {
      await page.closeAll();
    }
  }
});

after(async () => { await browser?.close(); });

const uniqueName = (first) => `${first} ${Math.random().toString(36).slice(2, 7)}`;
const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

// Headlines of this run: a time stamp once, a counter for each story.
const RUN = Date.now();
let made = 0;
const headline = (words) => `${words} ${RUN} ${++made}`;
/** The slug the desk makes of a headline: lower-case words joined by dashes. */
const slugOf = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Makes an account with `kawaraban user add EMAIL --role ROLE` and signs it
 * in in `page` with the one-time link the command prints. Returns
 * { email, name }.
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
  const shown = page.locator('.account-links .account-name');
  await shown.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {});
  assert.equal(squash(await shown.textContent({ timeout: 1000 }).catch(() => '(nobody)')), name,
    `${page.url()}: the header does not show ${name} signed in${problemsNote(page)}`);
  return { email, name };
}

/** A fresh context signed in as `who` (its own cookies and localStorage), closed after `fn(page)`. */
async function as(who, fn, viewport = DESKTOP) {
  const page = await newPage(browser, viewport, { storageState: who.state });
  try {
    return await fn(page);
  } finally {
    await page.closeAll();
  }
}

// --- the editor ------------------------------------------------------------------

const editorUrl = (id) => url(`/desk/stories/${id}`);

/** The story id of the editor open in `page` (/desk/stories/7?saved=1). */
function storyId(page) {
  const m = /^\/desk\/stories\/(\d+)$/.exec(new URL(page.url()).pathname);
  assert.ok(m, `the browser is at ${page.url()}, not on a story's editor`);
  return Number(m[1]);
}

/** Opens the editor of story `id` and waits for its script to have set up the toolbar. */
async function openEditor(page, id) {
  await open(page, id === 'new' ? url('/desk/stories/new') : editorUrl(id));
  await page.locator('#story-form .editor-toolbar').waitFor({ state: 'visible' });
}

/** The labels of the editor's submit buttons, in order. */
const buttonLabels = (page) => page.$$eval('#story-form .story-buttons button', (bs) => bs.map((b) => b.textContent.trim()));

/**
 * Presses the editor's button labelled `name` and waits for the page it
 * leads to (redirects followed). Returns the status the POST answered
 * (303 for a save, 409 for a conflict). Waiting for the URL would not do:
 * a conflict is answered on the address the form posted to.
 */
async function press(page, name, what = name) {
  const button = page.locator('#story-form .story-buttons').getByRole('button', { name, exact: true });
  if (await button.count() !== 1) {
    assert.fail(`${what}: no "${name}" button on ${page.url()}; the editor offers ${JSON.stringify(await buttonLabels(page))}`);
  }
  let landed;
  try {
    [landed] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 20_000 }), button.click()]);
  } catch (e) {
    assert.fail(`${what}: no page loaded after pressing "${name}" (${e.message}); the browser is at ${page.url()}${problemsNote(page)}`);
  }
  let req = landed.request();
  while (req.redirectedFrom()) req = req.redirectedFrom();
  assert.equal(req.method(), 'POST', `${what}: "${name}" did not send a POST`);
  return (await req.response()).status();
}

/** Presses `name` and checks that it saved: a 303 to the editor saying "Saved as version N.". Returns N. */
async function save(page, name, what = name) {
  const status = await press(page, name, what);
  const notice = squash(await page.locator('main .form-notice').innerText({ timeout: 2000 }).catch(() => ''));
  const errors = squash(await page.locator('main .form-errors').innerText({ timeout: 500 }).catch(() => ''));
  assert.equal(status, 303, `${what}: the save answered HTTP ${status} at ${page.url()}: "${errors || notice || await headingText(page)}"`);
  const m = /Saved as version (\d+)\./.exec(notice);
  assert.ok(m, `${what}: landed on ${page.url()} saying "${notice}", not "Saved as version N."`);
  assert.equal(new URL(page.url()).searchParams.get('saved'), m[1], `${what}: the address ${page.url()} does not name version ${m[1]}`);
  return Number(m[1]);
}

/** The status the editor's badge shows: draft, submitted, scheduled, published or unpublished. */
async function badge(page) {
  const cls = await page.locator('main .story-meta .story-status').getAttribute('class', { timeout: 2000 }).catch(() => null);
  return /\bstory-(draft|submitted|scheduled|published|unpublished)\b/.exec(cls ?? '')?.[1] ?? `(no badge: class "${cls}")`;
}

/** Fills the editor's fields by name (title, summary, body, section, tags, publish_at …). */
async function fill(page, fields) {
  const form = page.locator('#story-form');
  for (const [name, value] of Object.entries(fields)) {
    const el = form.locator(`[name="${name}"]`);
    if (await el.evaluate((e) => e.tagName) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
}

/** Writes a new story (fields by name) and presses `button`; returns { id, version, title, path }. */
async function writeStory(page, fields, button = 'Save draft') {
  await openEditor(page, 'new');
  await fill(page, { section: 'national', body: 'First paragraph.\n\nSecond paragraph.\n', ...fields });
  const version = await save(page, button, `writing "${fields.title}"`);
  const section = await page.locator('#st-section').inputValue();
  const slug = await page.locator('#st-slug').inputValue();
  return { id: storyId(page), version, title: fields.title, path: `/${section}/${slug}` };
}

/** A published story of the site: its status and page as readers get them now. */
async function publicPage(path) {
  const res = await httpGet(url(path));
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(res.body)?.[1]?.replace(/<[^>]+>/g, '') ?? '';
  return { status: res.status, body: res.body, h1: squash(h1.replace(/&#39;/g, "'").replace(/&amp;/g, '&')) };
}

/** Waits (up to `ms`) until `path` answers 200 with `title` as its headline; fails with what it answered. */
async function expectOnSite(path, title, ms, what) {
  const started = Date.now();
  let last;
  for (;;) {
    last = await publicPage(path);
    if (last.status === 200 && last.h1 === title) return Date.now() - started;
    if (Date.now() - started > ms) break;
    await sleep(100);
  }
  assert.fail(`${what}: ${url(path)} answered HTTP ${last.status} with the headline "${last.h1}" for ${ms} ms; expected 200 and "${title}"`);
}

/** Local wall-clock time of `date` in the site's zone, as a datetime-local input takes it. */
function zoneLocal(date) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// Chromium logs the document of a conflict (409) or of a taken-down story
// (410), answered so on purpose, as console errors; broken subresources
// are reported separately (with their URL) by newPage().
const isOwnAnswer = (p) => /^console error: Failed to load resource: the server responded with a status of (409|410)\b/.test(p);
const problemsOf = (page) => page.problems().filter((p) => !isOwnAnswer(p));

// --- the tests ---------------------------------------------------------------------

describe('the desk\'s stories', { skip: skipCli }, () => {
  it('an editor writes a story (toolbar, word count, live preview), saves a draft, previews it, schedules it (404 meanwhile), publishes it now (on the site at once) and corrects the headline', () => as(staff.kenji, async (page) => {
    const title = headline('Night ferries return to Awaji');
    const corrected = `${title} after storm`;
    await openEditor(page, 'new');
    assert.equal(squash(await page.locator('#word-count').textContent()), '0', 'a new story does not start at 0 words');

    await page.locator('#st-title').pressSequentially(title);
    await page.locator('#st-summary').pressSequentially('Crossings resume after three days.');
    const body = page.locator('#st-body');
    await body.pressSequentially('Ferries sailed at dawn again.');
    await page.locator('#word-count').filter({ hasText: /^5$/ }).waitFor({ timeout: 5000 }).catch(() => {});
    assert.equal(squash(await page.locator('#word-count').textContent()), '5', 'the word count did not follow the typing (5 words)');
    // Select "dawn" the way a double-click would, and make it bold with the toolbar.
    await body.evaluate((el) => { const at = el.value.indexOf('dawn'); el.setSelectionRange(at, at + 4); });
    // By its data-md: the button's accessible name is its content, "B" (see the report).
    await page.locator('.editor-toolbar button[data-md=bold]').click();
    assert.equal(await body.inputValue(), 'Ferries sailed at **dawn** again.', 'the Bold button did not wrap the selection in **');
    // Typing on: the toolbar itself does not update the count (see the
    // report), the next keystroke does.
    await body.press('Control+End');
    await body.pressSequentially(' Piers were busy.');
    const count = page.locator('#word-count');
    await count.filter({ hasText: /^8$/ }).waitFor({ timeout: 5000 }).catch(() => {});
    assert.equal(squash(await count.textContent()), '8', `the word count did not change to the 8 words of the body: ${JSON.stringify(await body.inputValue())}`);
    await fill(page, { section: 'business', tags: 'Ferries, Weather' });

    // The live preview: the site's article template in the frame, shown after the typing stops.
    const frame = page.frameLocator('#live-preview-frame');
    try {
      await page.locator('section.live-preview').waitFor({ state: 'visible', timeout: 10_000 });
      await frame.locator('h1', { hasText: title }).waitFor({ timeout: 10_000 });
    } catch {
      assert.fail(`the live preview did not show the headline "${title}" (section shown: ${await page.locator('section.live-preview').isVisible()})${problemsNote(page)}`);
    }
    await frame.locator('strong', { hasText: 'dawn' }).waitFor({ timeout: 5000 })
      .catch(() => assert.fail('the live preview does not show **dawn** in bold'));

    const v1 = await save(page, 'Save draft', 'saving the draft');
    assert.equal(v1, 1, 'the first save is not version 1');
    assert.equal(await badge(page), 'draft', 'after "Save draft"');
    const id = storyId(page);
    assert.equal(await page.locator('#st-title').inputValue(), title, 'the saved headline');
    assert.equal(await page.locator('#st-slug').inputValue(), slugOf(title), 'the slug was not made from the headline');
    assert.equal(squash(await count.textContent()), '8', 'the server counts the saved body otherwise than the live count');
    const path = `/business/${slugOf(title)}`;
    assert.equal((await publicPage(path)).status, 404, `${path}: a draft is on the site`);

    // Preview: a new tab with the story in the site's template, not for search engines.
    const [tab] = await Promise.all([
      page.context().waitForEvent('page', { timeout: 10_000 }),
      page.locator('#story-form').getByRole('button', { name: 'Preview', exact: true }).click(),
    ]);
    await tab.waitForLoadState('load');
    await tab.locator('main h1', { hasText: title }).waitFor({ timeout: 10_000 })
      .catch(async () => assert.fail(`the Preview tab (${tab.url()}) does not show the headline: "${await headingText(tab)}"`));
    assert.equal(await tab.locator('meta[name=robots]').getAttribute('content'), 'noindex', 'the Preview tab is not marked noindex');
    await tab.close();

    // Scheduled two minutes ahead (in the site's zone): not on the site yet.
    const ahead = zoneLocal(new Date(Date.now() + 2 * 60_000));
    await page.locator('#st-publish').fill(ahead);
    await save(page, 'Publish or schedule', 'scheduling');
    assert.equal(await badge(page), 'scheduled', `after "Publish or schedule" for ${ahead} (${ZONE})`);
    assert.equal(await page.locator('#st-publish').inputValue(), ahead, 'the editor shows another publish time');
    assert.equal(await page.locator('main .story-meta a', { hasText: 'on the site' }).getAttribute('href'), path,
      'the scheduled story\'s "on the site" link');
    assert.equal((await publicPage(path)).status, 404, `${path}: a story scheduled for ${ahead} is already on the site`);

    // Published now: the publish time cleared. Its page, which answered 404
    // a moment ago, has it within a second.
    await page.locator('#st-publish').fill('');
    await save(page, 'Publish or schedule', 'publishing now');
    assert.equal(await badge(page), 'published', 'after "Publish or schedule" with no publish time');
    await expectOnSite(path, title, 1000, 'publishing now');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main .story-meta a', { hasText: 'on the site' }).click()]);
    assert.equal(new URL(page.url()).pathname, path, '"on the site" leads elsewhere');
    await expectHeading(page, title, 1000);
    assert.match(squash(await page.locator('main').innerText()), /Piers were busy\./, 'the public page does not show the body');

    // A correction: "Update" on the published story, and the page follows.
    await openEditor(page, id);
    assert.deepEqual((await buttonLabels(page)).filter((l) => l === 'Update' || l === 'Publish or schedule'), ['Update'],
      'a published story offers "Update" (and no "Publish or schedule")');
    await page.locator('#st-title').fill(corrected);
    await save(page, 'Update', 'correcting the headline');
    assert.equal(await badge(page), 'published', 'after "Update"');
    assert.equal(await page.locator('main .story-meta a', { hasText: 'on the site' }).getAttribute('href'), path,
      'the correction moved the story to another address');
    await expectOnSite(path, corrected, 1000, 'the corrected headline');
    await open(page, url(path));
    await expectHeading(page, corrected, 1000);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('two editors on one story: presence both ways; the same field changed twice is a 409 with both sides, "Take …\'s" keeps the first; different fields are merged', async () => {
    const { kenji, aiko } = staff;
    const first = await newPage(browser, DESKTOP, { storageState: kenji.state });
    const second = await newPage(browser, DESKTOP, { storageState: aiko.state });
    try {
      const story = await writeStory(first, { title: headline('Typhoon nears Okinawa') });
      // Kenji's editor on a fake clock, so that its 15-second presence ping
      // can be brought forward instead of waited for.
      await first.clock.install();
      await openEditor(first, story.id);
      await openEditor(second, story.id);
      // On load, the server names who else has it open.
      assert.equal(squash(await second.locator('#presence').textContent()), `${kenji.name} is editing this story now.`,
        'Aiko\'s editor does not say Kenji has the story open');
      // Kenji's page learns of Aiko from its next ping.
      const ping = first.waitForResponse((r) => r.url().endsWith(`/desk/stories/${story.id}/presence`), { timeout: 10_000 });
      await first.clock.fastForward(16_000);
      const answer = await (await ping).json();
      assert.deepEqual(answer.others, [aiko.name], 'the presence ping does not name Aiko');
      await first.locator('#presence', { hasText: `${aiko.name} is editing this story now.` }).waitFor({ timeout: 5000 })
        .catch(async () => assert.fail(`Kenji's #presence says "${await first.locator('#presence').textContent()}"`));
      // The list shows who is editing, too.
      await open(second, url(`/desk/stories?q=${encodeURIComponent(story.title)}`));
      const row = second.locator(`main table tbody tr[data-story="${story.id}"]`);
      assert.equal(squash(await row.locator('.presence').textContent()), kenji.name, 'the list\'s "Editing now" for the story');
      await openEditor(second, story.id);

      // Both change the headline, from version 1. Kenji saves first.
      const kenjis = `${story.title}, flights cut`;
      const aikos = `${story.title}, schools shut`;
      await first.locator('#st-title').fill(kenjis);
      await second.locator('#st-title').fill(aikos);
      assert.equal(await save(first, 'Save draft', 'Kenji\'s save'), 2);
      const status = await press(second, 'Save draft', 'Aiko\'s save from version 1');
      assert.equal(status, 409, `Aiko's save from version 1 answered HTTP ${status}, not 409`);
      const conflicts = second.locator('main fieldset.story-conflicts');
      assert.equal(squash(await conflicts.locator('legend').textContent()), 'Both of you changed these fields');
      const c = conflicts.locator('#conflict-title');
      assert.equal(await conflicts.locator('.conflict').count(), 1, 'more fields than the headline are in conflict');
      const sides = await c.locator('.conflict-sides > div').evaluateAll((ds) => ds.map((d) => [
        d.querySelector('.conflict-side').textContent.trim(), d.querySelector('.conflict-text').textContent,
      ]));
      assert.deepEqual(sides, [['Yours', aikos], [`${kenji.name}'s`, kenjis]], 'the two sides of the headline');
      assert.equal(await c.locator('input[name=choose_title][value=mine]').isChecked(), true, '"Keep yours" is not the default');
      assert.equal(await second.locator('#st-title').inputValue(), aikos, 'the conflict page lost Aiko\'s typing');
      // Nothing was overwritten by the refused save.
      await first.reload();
      assert.equal(await first.locator('#st-title').inputValue(), kenjis, 'the 409 overwrote Kenji\'s headline');

      await c.getByLabel(`Take ${kenji.name}'s`, { exact: true }).check();
      assert.equal(await save(second, 'Save draft', 'Aiko\'s save taking Kenji\'s headline'), 3);
      assert.equal(await second.locator('#st-title').inputValue(), kenjis, 'Aiko\'s editor after taking Kenji\'s headline');
      await openEditor(first, story.id);
      assert.equal(await first.locator('#st-title').inputValue(), kenjis, 'the stored headline is not Kenji\'s');

      // From version 3: Kenji changes the headline, Aiko the body. Both are kept.
      const headline3 = `${story.title}, ports closed`;
      const body3 = 'Aiko rewrote this.\n\nWinds reached 180 km/h.\n';
      await first.locator('#st-title').fill(headline3);
      await second.locator('#st-body').fill(body3);
      assert.equal(await save(first, 'Save draft', 'Kenji\'s headline'), 4);
      assert.equal(await press(second, 'Save draft', 'Aiko\'s body from version 3'), 303, 'Aiko\'s save of another field was not merged');
      assert.equal(new URL(second.url()).searchParams.get('merged'), 'body', `Aiko landed on ${second.url()}`);
      assert.match(squash(await second.locator('main .form-notice').textContent()),
        /Both saves are kept: your changes to Body were added to theirs\./, 'the merge notice');
      await openEditor(first, story.id);
      assert.equal(await first.locator('#st-title').inputValue(), headline3, 'the merge lost Kenji\'s headline');
      assert.equal((await first.locator('#st-body').inputValue()).replace(/\r\n/g, '\n'), body3, 'the merge lost Aiko\'s body');
      assert.match(squash(await first.locator('main .story-meta').textContent()), /version 5\b/, 'the merged save is not version 5');
      assert.deepEqual(problemsOf(first), [], 'Kenji\'s browser reported problems');
      assert.deepEqual(problemsOf(second), [], 'Aiko\'s browser reported problems');
    } finally {
      await first.closeAll();
      await second.closeAll();
    }
  });

  it('a contributor writes and submits a story (no Publish button); an editor finds it by the status filter and publishes it', async () => {
    const title = headline('Night market returns to Kanda');
    const path = `/national/${slugOf(title)}`;
    await as(staff.cory, async (page) => {
      await openEditor(page, 'new');
      const labels = await buttonLabels(page);
      assert.ok(labels.includes('Submit for review'), `a contributor's new story offers ${JSON.stringify(labels)}`);
      assert.ok(!labels.includes('Publish or schedule'), 'a contributor is offered "Publish or schedule"');
      await fill(page, { title, summary: 'Stalls are back.', section: 'national', body: 'The stalls are back.\n' });
      await save(page, 'Submit for review', 'the contributor submitting');
      assert.equal(await badge(page), 'submitted', 'after "Submit for review"');
      assert.equal(squash(await page.locator('main .story-meta .story-status').textContent()), 'Submitted for review');
      assert.ok(!(await buttonLabels(page)).includes('Publish or schedule'), 'the submitted story offers its contributor "Publish or schedule"');
      assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
    });
    assert.equal((await publicPage(path)).status, 404, `${path}: a submitted story is on the site`);

    await as(staff.kenji, async (page) => {
      await open(page, url('/desk/stories'));
      const filters = page.getByRole('form', { name: 'Filter stories' });
      await filters.getByLabel('Status').selectOption('submitted');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), filters.getByRole('button', { name: 'Show' }).click()]);
      assert.equal(new URL(page.url()).searchParams.get('status'), 'submitted', `the filter landed on ${page.url()}`);
      const statuses = await page.$$eval('main table tbody tr .story-status', (els) => els.map((e) => e.className));
      assert.ok(statuses.length > 0 && statuses.every((s) => /\bstory-submitted\b/.test(s)), `the filtered list shows ${JSON.stringify(statuses)}`);
      const link = page.locator('main table tbody tr a', { hasText: title });
      assert.equal(await link.count(), 1, `the submitted stories do not list "${title}"`);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      await page.locator('#story-form').waitFor();
      assert.equal(await page.locator('#st-title').inputValue(), title, 'the list\'s link opened another story');
      await save(page, 'Publish or schedule', 'the editor publishing');
      assert.equal(await badge(page), 'published', 'after the editor\'s "Publish or schedule"');
      assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
    });
    const live = await publicPage(path);
    assert.equal(live.status, 200, `${path}: the published story answered ${live.status}`);
    assert.equal(live.h1, title, `${path}: the public page's headline`);
  });

  it('history: three saves, a compare of two versions, restoring the first (a new version "restore version 1")', () => as(staff.kenji, async (page) => {
    const h1 = headline('Budget vote delayed');
    const h2 = `${h1} again`;
    const h3 = `${h1} until March`;
    const story = await writeStory(page, { title: h1, body: 'The vote was set for today.\nMembers disagreed.\n' });
    await page.locator('#st-title').fill(h2);
    assert.equal(await save(page, 'Save draft', 'the second save'), 2);
    await page.locator('#st-title').fill(h3);
    await page.locator('#st-body').fill('The vote was set for today.\nMembers asked for more time.\n');
    assert.equal(await save(page, 'Save draft', 'the third save'), 3);

    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main .story-meta').getByRole('link', { name: 'History' }).click()]);
    assert.equal(new URL(page.url()).pathname, `/desk/stories/${story.id}/revisions`);
    await expectHeading(page, 'History');
    const rows = () => page.$$eval('main table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\s+/g, ' ').trim())));
    const before = await rows();
    assert.deepEqual(before.map((r) => [r[0], r[3], r[5]]), [
      ['3 (now)', staff.kenji.name, 'save'], ['2', staff.kenji.name, 'save'], ['1', staff.kenji.name, 'create'],
    ], 'the history\'s versions, who and what');

    await page.getByLabel('Compare from version 1', { exact: true }).check();
    await page.getByLabel('Compare to version 3', { exact: true }).check();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Compare', exact: true }).click()]);
    const q = new URL(page.url()).searchParams;
    assert.deepEqual([q.get('a'), q.get('b')], ['1', '3'], `Compare landed on ${page.url()}`);
    const diff = page.locator('main section[aria-labelledby=diff-heading]');
    assert.equal(squash(await diff.locator('h2').textContent()), 'Version 1 to version 3');
    const title = diff.locator('.diff-field', { has: page.locator('h3', { hasText: /^Headline$/ }) });
    assert.equal(squash(await title.locator('del').textContent()), h1, 'the diff\'s old headline');
    assert.equal(squash(await title.locator('ins').textContent()), h3, 'the diff\'s new headline');
    const lines = diff.locator('.diff-field', { has: page.locator('h3', { hasText: /^Body$/ }) });
    assert.deepEqual(await lines.locator('.diff-removed').allTextContents(), ['− Members disagreed.'], 'the body\'s removed lines');
    assert.deepEqual(await lines.locator('.diff-added').allTextContents(), ['+ Members asked for more time.'], 'the body\'s added lines');

    const restore = page.locator('main table tbody tr', { has: page.locator('td.num', { hasText: /^1$/ }) }).getByRole('button', { name: 'Restore' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), restore.click()]);
    assert.equal(storyId(page), story.id, `restoring landed on ${page.url()}`);
    assert.match(squash(await page.locator('main .form-notice').textContent()), /Saved as version 4\./, 'the restore is not a new version 4');
    assert.equal(await page.locator('#st-title').inputValue(), h1, 'the editor does not show the first headline after restoring it');
    assert.equal((await page.locator('#st-body').inputValue()).replace(/\r\n/g, '\n'), 'The vote was set for today.\nMembers disagreed.\n',
      'the editor does not show the first body after restoring it');
    assert.equal(await badge(page), 'draft', 'restoring changed the status');

    await open(page, url(`/desk/stories/${story.id}/revisions`));
    const after = await rows();
    assert.deepEqual(after[0].slice(0, 1).concat(after[0][5]), ['4 (now)', 'restore version 1'], `the history's newest row reads ${JSON.stringify(after[0])}`);
    assert.equal(after.length, 4, 'the restore replaced a version instead of adding one');
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));

  it('autosave: typing kept in this browser is offered back ("Bring them back") after the tab was closed unsaved', () => as(staff.kenji, async (page) => {
    const story = await writeStory(page, { title: headline('Snow closes mountain roads') });
    const typed = 'Unsaved line one.\n\nUnsaved line two, typed and never saved.';
    await page.locator('#st-body').fill(typed);
    // The editor keeps the fields every 3 s and says so.
    await page.locator('#autosave-state', { hasText: 'kept in this browser' }).waitFor({ timeout: 8000 })
      .catch(() => assert.fail('the editor did not keep the typing in this browser within 8 s'));
    const context = page.context();
    await page.close();

    const again = await context.newPage();
    await openEditor(again, story.id);
    const box = again.locator('main .recovered');
    await box.waitFor({ state: 'visible', timeout: 5000 })
      .catch(() => assert.fail('the editor did not offer the unsaved changes back (.recovered)'));
    assert.match(squash(await box.textContent()), /Unsaved changes to this story were kept in this browser/, 'the recovery box\'s text');
    assert.equal(await again.locator('#st-body').inputValue(), 'First paragraph.\n\nSecond paragraph.\n', 'the saved body is not shown until asked');
    await box.getByRole('button', { name: 'Bring them back' }).click();
    assert.equal((await again.locator('#st-body').inputValue()).replace(/\r\n/g, '\n'), typed, '"Bring them back" did not fill in the typed body');
    assert.equal(await box.count(), 0, 'the recovery box stayed after "Bring them back"');
    assert.equal(await again.locator('#st-title').inputValue(), story.title, 'the recovery changed the headline');
    assert.equal(squash(await again.locator('#word-count').textContent()), '10', 'the word count does not follow the recovered body');
  }));

  it('unpublishing: "Unpublish (410 Gone)" asks first, then the public address answers 410 with the themed "taken down" page', () => as(staff.kenji, async (page) => {
    const story = await writeStory(page, { title: headline('Bridge inspection finds cracks') }, 'Publish or schedule');
    assert.equal(await badge(page), 'published', 'a new story published at once');
    await expectOnSite(story.path, story.title, 1000, 'the published story');

    const asked = [];
    page.on('dialog', (d) => { asked.push(`${d.type()}: ${d.message()}`); d.accept(); });
    await save(page, 'Unpublish (410 Gone)', 'unpublishing');
    assert.equal(asked.length, 1, `unpublishing asked ${asked.length} question(s)`);
    assert.match(asked[0], /^confirm: Take this story down\?/, 'the question asked');
    assert.equal(await badge(page), 'unpublished', 'after "Unpublish (410 Gone)"');
    assert.equal(await page.locator('main .story-meta a', { hasText: 'on the site' }).count(), 0, 'an unpublished story still links to the site');

    await open(page, url(story.path), 410);
    const text = squash(await page.locator('main').innerText());
    assert.match(text, /taken down/, `${story.path}: the 410 page says "${text.slice(0, 200)}"`);
    assert.ok(await page.locator('header .site-name').count() > 0, `${story.path}: the 410 page is not in the site's theme`);
    const raw = await publicPage(story.path);
    assert.equal(raw.status, 410, `${story.path}: Node's client got ${raw.status}`);
    assert.deepEqual(problemsOf(page), [], 'the browser reported problems');
  }));
});

// --- accessibility ------------------------------------------------------------------

describe('accessibility', { skip: skipCli }, () => {
  it('axe-core finds no serious or critical violation, and the browser no problem, on the list, the new and an existing story\'s editor, a conflict, the history and the rest of the desk (media, authors, staff, settings, webhooks), at 1280 and 390 px; no sideways scrolling at 390 px', async () => {
    const failures = [];
    // A story with two versions, so that the history has a diff to show.
    const story = await as(staff.kenji, async (page) => {
      const s = await writeStory(page, { title: headline('Audit story for the desk'), tags: 'Audit' });
      await page.locator('#st-title').fill(`${s.title} revised`);
      await page.locator('#st-body').fill('First paragraph.\n\nA second paragraph, rewritten.\n');
      await save(page, 'Save draft', 'the audit story\'s second save');
      return s;
    });
    for (const [viewport, width] of [[DESKTOP, 1280], [PHONE, 390]]) {
      await as(staff.kenji, async (page) => {
        const check = async (name, fn, target = page) => {
          const label = `${name} at ${width}px`;
          try {
            await fn();
            await settle(target);
            const violations = await axeSerious(target);
            if (violations.length) failures.push(`${label}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
            if (width === PHONE.width) {
              const wide = await horizontalOverflow(target);
              if (wide.length) failures.push(`${label}: the page scrolls sideways:\n  ${wide.join('\n  ')}`);
            }
            const problems = problemsOf(target);
            if (problems.length) failures.push(`${label}: the browser reported problems:\n  ${problems.join('\n  ')}`);
          } catch (e) {
            failures.push(`${label}: could not check it: ${e.message}`);
          }
        };
        await check('/desk/stories', async () => {
          await open(page, url('/desk/stories'));
          await page.locator('main table tbody tr').first().waitFor();
        });
        await check('/desk/stories/new', () => openEditor(page, 'new'));
        // The rest of the desk, as its admin sees it.
        for (const path of ['/desk', '/desk/media', '/desk/authors', '/desk/staff', '/desk/settings', '/desk/webhooks']) {
          await check(path, () => open(page, url(path)));
        }
        await check(`/desk/stories/${story.id} (an existing story)`, () => openEditor(page, story.id));
        await check(`/desk/stories/${story.id}/revisions?a=1&b=2 (with a diff)`, async () => {
          await open(page, url(`/desk/stories/${story.id}/revisions?a=1&b=2`));
          await page.locator('main .diff-field').first().waitFor();
        });
        // A conflict: two tabs of this editor opened at one version, both
        // changing the headline; the second save is the conflict page.
        const other = await page.context().newPage();
        try {
          await openEditor(page, story.id);
          await openEditor(other, story.id);
          await other.locator('#st-title').fill(`${story.title} (${width} px, the other tab)`);
          await page.locator('#st-title').fill(`${story.title} (${width} px, this tab)`);
          await save(other, 'Save draft', 'the other tab\'s save');
          await check(`/desk/stories/${story.id} (a conflict)`, async () => {
            assert.equal(await press(page, 'Save draft', 'the conflicting save'), 409, 'the second tab\'s save is no conflict');
            await page.locator('main fieldset.story-conflicts').waitFor();
          });
        } finally {
          await other.close();
        }
      }, viewport);
    }
    assert.ok(failures.length === 0, failures.join('\n'));
  });
});
