// Readership analytics, the way readers and editors meet them.
//
// Readers: the trending block under the comments of every article ("A mix
// of what's trending on our other sites"): twelve stories of the network's
// OTHER sites, at most six from one, the sites taking turns, every
// thumbnail loading; its first link leads to an article of that other site
// whose own block leaves that site out. From a news and from a travel
// article; axe-core on the page with the block, a screenshot of the block
// (trending-block-1280.png), and no sideways scrolling at 390 px.
//
// Editors: /desk and its navigation, /desk/analytics (the tables, the
// 48-hour chart, the site filter, the CSV of every table, one story's own
// page), /desk/trending (pinning a story puts it first on the other sites'
// blocks, on the desk and on their article pages; "Release" undoes it),
// axe-core on the desk pages at 1280 px and on /desk/analytics at 390 px
// (without sideways scrolling of the page: the tables scroll in their own
// .desk-table), a screenshot analytics-1280.png; an anonymous visit to
// /desk/analytics goes to /login.
//
// The editor comes from `kawaraban user add EMAIL --role editor` (the CLI on
// the database of the server scripts/e2e.sh starts: KW_BIN, KW_DATA_DIR)
// and signs in with the one-time link it prints; without those the desk
// tests (not the anonymous one) are skipped. The demo's synthetic reading
// history fills the block and the tables (it ends when the server started:
// headless Chromium is a bot to the counter, so these tests add no views,
// and the rankings stay put while they run). A pin is released at the end
// of its test, whatever happened, so other specs see the usual blocks.
// Node's resolver does not know *.localhost: the CSVs fetched with
// page.request go to 127.0.0.1 with the site's Host header and cookies.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import {
  DESKTOP,
  PHONE,
  BASE,
  url,
  launchBrowser,
  newPage,
  open,
  settle,
  hrefs,
  axeSerious,
  formatAxe,
  horizontalOverflow,
  screenshot,
  SCREENSHOT_DIR,
  uniqueEmail,
  ARTICLE_PATH,
  KW_BIN,
  KW_DATA_DIR,
  kawaraban,
  problemsNote,
  headingText,
  expectHeading,
  expectUrl,
} from './lib.mjs';

const SITE_KEYS = ['news', 'travel', 'lifestyle'];
const BLOCK_ITEMS = 12;
const PER_SITE = 6;
const HEADING = "A mix of what's trending on our other sites";
const KICKER = 'Articles, Offers & Useful Resources';

const skipDesk = (!KW_BIN || !KW_DATA_DIR)
  ? 'KW_BIN and KW_DATA_DIR are not set: the desk tests make an editor with the CLI on the database of the server scripts/e2e.sh starts'
  : false;

let browser;
/** The demo network's sites: { key, origin, host, name }, by key and by host. */
const sites = {};
const siteByHost = {};
/** An article URL of each site, from its home page. */
const articleOf = {};

before(async () => {
  browser = await launchBrowser();
  const page = await newPage(browser, DESKTOP);
  try {
    for (const key of SITE_KEYS) {
      const home = key === 'news' ? url('/') : url('/', key);
      await open(page, home);
      const name = (await page.locator('header .site-name').first().innerText()).trim();
      assert.ok(name, `${home}: no .site-name in the header`);
      const u = new URL(home);
      sites[key] = { key, origin: u.origin, host: u.host, name };
      siteByHost[u.host] = sites[key];
      const article = (await hrefs(page, '.lead a, .card a')).map((h) => new URL(h))
        .find((a) => a.host === u.host && ARTICLE_PATH.test(a.pathname));
      assert.ok(article, `${home}: no article of the site in .lead a, .card a`);
      articleOf[key] = `${article.origin}${article.pathname}`;
    }
    assert.equal(new URL(BASE).host, sites.news.host);
  } finally {
    await page.closeAll();
  }
});

after(async () => { await browser?.close(); });

/** A fresh context (its own cookies) and page; closed after `fn(page)`. */
async function withPage(fn, viewport = DESKTOP, contextOptions = {}) {
  const page = await newPage(browser, viewport, contextOptions);
  try {
    return await fn(page);
  } finally {
    await page.closeAll();
  }
}

/** Serious and critical axe-core violations and browser problems of the page, as failure lines. */
async function audit(page, name) {
  await settle(page);
  const failures = [];
  const violations = await axeSerious(page);
  if (violations.length) failures.push(`${name}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
  const problems = page.problems();
  if (problems.length) failures.push(`${name}: the browser reported problems:\n  ${problems.join('\n  ')}`);
  return failures;
}

async function sidewaysScroll(page, name, width) {
  const overflow = await horizontalOverflow(page);
  return overflow.length ? [`${name}: the page scrolls sideways at ${width}px:\n  ${overflow.join('\n  ')}`] : [];
}

// --- the trending block ---------------------------------------------------------

/** The trending block of the article open in `page`, as the DOM has it (null without one). */
function readBlock(page) {
  return page.evaluate(() => {
    const s = document.querySelector('section.trending');
    if (!s) return null;
    const comments = document.querySelector('section#comments');
    const text = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : null);
    return {
      heading: text(s.querySelector('h2')),
      kicker: text(s.querySelector('.trending-kicker')),
      lists: s.querySelectorAll('ol.trending-list').length,
      // Where the comments are, the block follows them.
      afterComments: comments ? Boolean(comments.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING) : null,
      items: [...s.querySelectorAll('ol.trending-list > li.trending-item')].map((li) => ({
        href: li.querySelector('a[href]')?.getAttribute('href') ?? null,
        title: text(li.querySelector('.trending-title')),
        site: text(li.querySelector('.trending-site')),
        section: text(li.querySelector('.trending-section')),
        images: li.querySelectorAll('img').length,
        sponsored: li.classList.contains('sponsored'),
      })),
    };
  });
}

/** Hosts of the block's links (relative ones resolve to the page's own host). */
const hostOf = (href, pageUrl) => new URL(href, pageUrl).host;

/**
 * Checks the block of the article of site `key` open in `page` and returns
 * its items (with `url`, the resolved link).
 */
async function checkBlock(page, key) {
  const here = sites[key];
  const where = `${page.url()} (${here.name})`;
  const block = await readBlock(page);
  assert.ok(block, `${where}: no section.trending on the article page`);
  assert.equal(block.heading, HEADING, `${where}: the block's heading`);
  assert.equal(block.kicker, KICKER, `${where}: the block's kicker`);
  assert.equal(block.lists, 1, `${where}: expected one ol.trending-list in the block`);
  if (block.afterComments !== null) assert.ok(block.afterComments, `${where}: the block is not below the comments`);
  const items = block.items.map((i) => ({ ...i, url: i.href ? new URL(i.href, page.url()).toString() : null }));
  const listing = items.map((i, n) => `  ${n + 1}. ${i.site} · ${i.section}: ${i.title} <${i.href}>`).join('\n');
  assert.equal(items.length, BLOCK_ITEMS, `${where}: the block has ${items.length} items, expected ${BLOCK_ITEMS}:\n${listing}`);

  const others = SITE_KEYS.filter((k) => k !== key).map((k) => sites[k]);
  for (const [n, i] of items.entries()) {
    const what = `${where}: item ${n + 1} (${JSON.stringify(i.title)})`;
    assert.ok(i.href, `${what} has no link`);
    if (i.sponsored) {
      // An open giveaway of another site: an offer, labelled, to its page there.
      const to = new URL(i.url);
      assert.notEqual(to.host, here.host, `${what}: a sponsored offer of the page's own site`);
      assert.ok(siteByHost[to.host], `${what} links outside the demo network: ${i.href}`);
      assert.match(to.pathname, /^\/giveaways\/[a-z0-9-]+$/, `${what}: a sponsored item that is not a giveaway: ${i.href}`);
      assert.equal(i.site, siteByHost[to.host].name, `${what}: its .trending-site`);
      continue;
    }
    assert.match(i.href, /^https?:\/\//, `${what} does not link to an absolute URL: ${i.href}`);
    const to = new URL(i.url);
    assert.notEqual(to.host, here.host, `${what} links to the page's own site: ${i.href}\n${listing}`);
    const site = siteByHost[to.host];
    assert.ok(site, `${what} links outside the demo network: ${i.href}`);
    assert.match(to.pathname, ARTICLE_PATH, `${what} does not link to an article: ${i.href}`);
    assert.ok(i.title, `${what} has no .trending-title`);
    assert.equal(i.site, site.name, `${what} links to ${site.host} but its .trending-site says "${i.site}"`);
    assert.ok(i.section, `${what} has no .trending-section`);
  }
  assert.equal(new Set(items.map((i) => i.url)).size, items.length, `${where}: a story is in the block twice:\n${listing}`);
  assert.ok(items.filter((i) => i.sponsored).length <= 1, `${where}: more than one sponsored offer:\n${listing}`);

  // The stories (the offer aside) mix the other sites.
  const stories = items.filter((i) => !i.sponsored);
  const perSite = {};
  for (const i of stories) perSite[i.site] = (perSite[i.site] || 0) + 1;
  assert.deepEqual(Object.keys(perSite).sort(), others.map((s) => s.name).sort(),
    `${where}: the block should mix exactly the other sites (${others.map((s) => s.name).join(', ')}):\n${listing}`);
  for (const [name, n] of Object.entries(perSite)) {
    assert.ok(n <= PER_SITE, `${where}: ${n} items from ${name}, at most ${PER_SITE} expected:\n${listing}`);
  }
  // The sites take turns: the first two differ, and no site has three in a row.
  assert.notEqual(stories[0].site, stories[1].site, `${where}: the block does not start with a mix:\n${listing}`);
  for (let n = 2; n < stories.length; n++) {
    const run = stories[n].site === stories[n - 1].site && stories[n].site === stories[n - 2].site;
    assert.ok(!run, `${where}: stories ${n - 1} to ${n + 1} are all from ${stories[n].site}:\n${listing}`);
  }

  // Thumbnails: most items have one, and every one loads (they are lazy).
  const withImage = items.filter((i) => i.images > 0).length;
  assert.ok(withImage >= BLOCK_ITEMS / 2, `${where}: only ${withImage} of ${BLOCK_ITEMS} items have a thumbnail`);
  const images = page.locator('section.trending img');
  for (let n = 0; n < await images.count(); n++) await images.nth(n).scrollIntoViewIfNeeded();
  try {
    await page.waitForFunction(() => [...document.querySelectorAll('section.trending img')].every((img) => img.complete),
      null, { timeout: 15_000 });
  } catch {
    assert.fail(`${where}: the block's images did not finish loading within 15 s${problemsNote(page)}`);
  }
  const broken = await page.$$eval('section.trending img', (imgs) => imgs
    .filter((img) => !(img.naturalWidth > 0)).map((img) => img.currentSrc || img.src));
  assert.deepEqual(broken, [], `${where}: thumbnails that did not load`);
  return items;
}

/** Opens the article of site `key`, checks its block, follows its first link and checks the block there. */
async function blockAndFirstLink(key) {
  await withPage(async (page) => {
    await open(page, articleOf[key]);
    const items = await checkBlock(page, key);
    const first = items[0];
    const dest = siteByHost[new URL(first.url).host];

    const nav = page.waitForResponse((r) => r.request().isNavigationRequest()
      && r.request().frame() === page.mainFrame() && r.url() === first.url);
    await page.locator('section.trending li.trending-item a[href]').first().click();
    const res = await nav;
    await page.waitForLoadState('load');
    assert.equal(res.status(), 200, `the block's first link ${first.url} answered ${res.status()}`);
    assert.equal(page.url(), first.url, `the block's first link ${first.url} moved on to ${page.url()}`);
    await page.locator('h1.headline').waitFor({ state: 'visible' });
    assert.equal((await page.locator('h1.headline').innerText()).trim(), first.title,
      `${first.url}: the headline is not the block's title`);
    assert.equal((await page.locator('header .site-name').first().innerText()).trim(), dest.name,
      `${first.url}: the header names another site than ${dest.name}`);
    // There the block leaves that site out (checkBlock: never the page's own host or name).
    await checkBlock(page, dest.key);
    const problems = page.problems();
    assert.deepEqual(problems, [], 'the browser reported problems');
  });
}

describe('the trending block on article pages', () => {
  it('a news article: 12 stories of the travel and lifestyle sites, mixed, images load; its first link leads to an article there whose block leaves its own site out', () => blockAndFirstLink('news'));

  it('a travel article: 12 stories of the news and lifestyle sites, mixed, images load; its first link leads to an article there whose block leaves its own site out', () => blockAndFirstLink('travel'));

  it('axe-core finds no serious or critical violation on an article page with the block (1280 px); trending-block-1280.png', () => withPage(async (page) => {
    await open(page, articleOf.news);
    await checkBlock(page, 'news');
    const failures = await audit(page, `${articleOf.news} (with the trending block)`);
    const block = page.locator('section.trending');
    await block.scrollIntoViewIfNeeded();
    const file = path.join(SCREENSHOT_DIR, 'trending-block-1280.png');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await block.screenshot({ path: file, animations: 'disabled', caret: 'hide', scale: 'css' });
    assert.ok(failures.length === 0, failures.join('\n'));
  }));

  it('at 390 px an article page with the block does not scroll sideways', () => withPage(async (page) => {
    const failures = [];
    for (const key of ['news', 'travel']) {
      await open(page, articleOf[key]);
      await page.locator('section.trending li.trending-item').first().waitFor({ state: 'visible' });
      await settle(page);
      failures.push(...await sidewaysScroll(page, articleOf[key], PHONE.width));
    }
    assert.ok(failures.length === 0, failures.join('\n'));
  }, PHONE));
});

// --- the desk ---------------------------------------------------------------------

/** Cookies of the signed-in editor, for a new context per use. */
let editorState;

/**
 * Makes an editor with `kawaraban user add EMAIL --role editor` and signs
 * it in in `page` with the one-time link the command prints.
 */
async function cliEditor(page, name) {
  const email = uniqueEmail('editor');
  const out = await kawaraban('user', 'add', email, '--name', name, '--role', 'editor', '--site', 'news');
  const link = out.match(/https?:\/\/\S+\/login\/link\/\S+/)?.[0];
  assert.ok(link, `kawaraban user add printed no sign-in link:\n${out}`);
  assert.equal(new URL(link).host, sites.news.host, `the sign-in link ${link} is not on the news site`);
  await open(page, link);
  await expectHeading(page, 'Sign in to');
  await page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectUrl(page, (u) => u.host === sites.news.host && u.pathname === '/account', `/account after the sign-in link of ${email}`);
  const account = page.locator('.account-links .account-name');
  await account.waitFor({ state: 'visible' });
  assert.equal((await account.textContent()).trim(), name, `${page.url()}: the header shows another name`);
}

/** A fresh context signed in as the editor. */
const asEditor = (fn, viewport = DESKTOP) => withPage(fn, viewport, { storageState: editorState });

/** The tables of the desk page open in `page`: caption (without the CSV link), CSV link, columns, rows. */
function readTables(page) {
  return page.evaluate(() => [...document.querySelectorAll('main table')].map((t) => {
    const caption = t.querySelector('caption');
    const own = caption ? [...caption.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('') : '';
    return {
      wrapper: t.parentElement.classList.contains('desk-table') ? (t.parentElement.id || '(no id)') : null,
      caption: own.replace(/\s+/g, ' ').trim(),
      csv: caption?.querySelector('a.csv')?.getAttribute('href') ?? null,
      columns: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => ({
        text: td.textContent.replace(/\s+/g, ' ').trim(),
        href: td.querySelector('a[href]')?.getAttribute('href') ?? null,
      }))),
    };
  }));
}

const STORY_COLUMNS = ['Story', 'Site', 'Section', 'Readers', 'Views'];
/** The columns of each table of the dashboard, by its key (the CSV's header row). */
const COLUMNS = {
  now: STORY_COLUMNS,
  hour: STORY_COLUMNS,
  day: STORY_COLUMNS,
  week: STORY_COLUMNS,
  range: STORY_COLUMNS,
  sections: ['Site', 'Section', 'Views', 'Readers'],
  referrers: ['Kind', 'Host', 'Views'],
  hourly: ['Hour', 'Views', 'Readers'],
};

/**
 * GET `target` with `page.request` and the page's cookies for it, not
 * following redirects. Node's resolver (which page.request uses, unlike
 * Chromium) does not know *.localhost, so the request goes to 127.0.0.1
 * with the site's Host header, and the cookies are sent by hand.
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

const STORY_LINK = /^\/desk\/analytics\/article\/(\d+)$/;

/** Bars of the 48-hour chart under the heading "Views per hour, last 48 hours". */
async function chartBars(page) {
  const heading = page.locator('main h2', { hasText: 'Views per hour, last 48 hours' });
  assert.equal(await heading.count(), 1, `${page.url()}: no heading "Views per hour, last 48 hours"`);
  // The chart is in the heading's own section.
  const svg = heading.locator('xpath=..').locator('svg.chart');
  assert.equal(await svg.count(), 1, `${page.url()}: no svg.chart under "Views per hour, last 48 hours"`);
  return { bars: await svg.locator('rect.bar').count(), desc: (await svg.locator('desc').textContent().catch(() => '')).trim() };
}

/** The blocks on /desk/trending: site name → items { href, title, source, pinned, pin, leaveOut, article, method, csrf }. */
function deskBlocks(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('section.desk-block')].map((s) => [
    s.querySelector('h2').textContent.trim().replace(/^On /, ''),
    [...s.querySelectorAll('ol > li')].map((li) => {
      const button = (label) => [...li.querySelectorAll('form button')].find((b) => b.textContent.trim() === label);
      const form = button('Pin')?.form || button('Leave out')?.form;
      return {
        href: li.querySelector('a[href]').href,
        title: li.querySelector('a[href]').textContent.trim(),
        source: li.querySelector('.trending-source')?.textContent.replace(/\s+/g, ' ').trim(),
        pinned: [...li.querySelectorAll('strong')].some((e) => e.textContent.trim() === 'Pinned'),
        sponsored: [...li.querySelectorAll('strong')].some((e) => e.textContent.trim() === 'Sponsored'),
        pin: Boolean(button('Pin')),
        leaveOut: Boolean(button('Leave out')),
        article: form?.querySelector('input[name=article]')?.value ?? null,
        method: form?.method ?? null,
        csrf: Boolean(form?.querySelector('input[name=csrf]')?.value),
      };
    }),
  ])));
}

/** The first item of the public block on the article page of site `key`, for an anonymous reader. */
const firstOnArticle = (key) => withPage(async (p) => {
  await open(p, articleOf[key]);
  return readBlock(p).then((b) => b?.items[0] ?? null);
});

/** When the article at `href` was published, and how many days ago (from its JSON-LD). */
async function published(href) {
  return withPage(async (p) => {
    await open(p, href);
    const at = await p.evaluate(() => {
      for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
        const m = /"datePublished"\s*:\s*"([^"]+)"/.exec(s.textContent);
        if (m) return m[1];
      }
      return null;
    });
    return at ? `published ${at}, ${((Date.now() - Date.parse(at)) / 86_400_000).toFixed(1)} days ago` : 'no datePublished';
  });
}

/**
 * Presses a button of a POST form on /desk/trending and waits until the
 * page it leads to (303 to /desk/trending) has loaded: the URL stays the
 * same, so waiting for it would not wait at all.
 */
async function pressAndReload(page, button, what) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST'
    && r.request().isNavigationRequest() && new URL(r.url()).pathname === '/desk/trending', { timeout: 20_000 });
  const landed = page.waitForResponse((r) => r.request().method() === 'GET'
    && r.request().isNavigationRequest() && new URL(r.url()).pathname === '/desk/trending', { timeout: 20_000 });
  await button.click();
  const res = await posted;
  assert.equal(res.status(), 303, `${what}: POST /desk/trending answered ${res.status()}: ${(await res.text().catch(() => '')).slice(0, 300)}`);
  assert.equal((await landed).status(), 200, `${what}: /desk/trending did not load after the POST`);
  await page.waitForLoadState('load');
  await expectHeading(page, 'Trending block');
}

/**
 * On /desk/trending (open in `page`): pins `target` (an item of the news
 * site's block) with its Pin button and checks that it goes first on the
 * blocks of the sites other than its own, on the desk and on their article
 * pages, and not onto its own site's block. Then runs `then(from, others)`;
 * a pin still held afterwards (a failure, or `then` did not release it) is
 * released, so the other specs see the usual blocks.
 */
async function pinAndCheck(page, target, then) {
  const from = siteByHost[new URL(target.href).host];
  assert.ok(from && from.key !== 'news', `${target.href} is not a story of a sister site`);
  const others = SITE_KEYS.filter((k) => k !== from.key);
  const newsFirst = (await deskBlocks(page))[sites.news.name][0];
  assert.notEqual(newsFirst.href, target.href, `${target.href} is already first on ${sites.news.name}'s block`);
  let done = false;
  try {
    await pressAndReload(page, page.locator('section.desk-block', { has: page.locator('h2', { hasText: `On ${sites.news.name}` }) })
      .locator('ol > li', { has: page.locator(`a[href="${target.href}"]`) })
      .getByRole('button', { name: 'Pin', exact: true }), `pinning ${target.href}`);
    const pick = page.locator('ul.desk-picks > li', { hasText: target.title });
    await pick.waitFor({ state: 'visible' });
    assert.match((await pick.innerText()).replace(/\s+/g, ' '), /\bpinned\b/, 'the staff picks do not say the story is pinned');
    const blocks = await deskBlocks(page);
    for (const k of others) {
      const items = blocks[sites[k].name];
      const at = items.findIndex((i) => i.href === target.href);
      assert.equal(items[0].href, target.href, `/desk/trending: after pinning "${target.title}" (${target.href}, `
        + `${await published(target.href)}), the block on ${sites[k].name} starts with "${items[0].title}"; `
        + `the pinned story is ${at < 0 ? 'not in it' : `item ${at + 1} of ${items.length}`}`);
      assert.ok(items[0].pinned, `/desk/trending: the pinned story is not marked Pinned on ${sites[k].name}'s block`);
      assert.ok(!items[0].pin && items[0].leaveOut, `/desk/trending: the pinned story still offers Pin (or no Leave out) on ${sites[k].name}'s block`);
      assert.equal(items.length, BLOCK_ITEMS, `/desk/trending: after pinning, ${sites[k].name}'s block has ${items.length} items`);
    }
    assert.ok(!blocks[from.name].some((i) => i.href === target.href), `/desk/trending: the pinned story is on its own site's block (${from.name})`);
    // The readers' article pages (cached for everyone) show it at once.
    for (const k of others) {
      const first = await firstOnArticle(k);
      assert.equal(first?.href, target.href, `${articleOf[k]}: after pinning, the block starts with ${first?.href}, not the pinned ${target.href}`);
    }
    const own = await withPage(async (p) => { await open(p, articleOf[from.key]); return readBlock(p); });
    assert.ok(own && !own.items.some((i) => i.href === target.href), `${articleOf[from.key]}: the pinned story is on its own site's block`);
    await then(from, others);
    done = true;
  } finally {
    // Release whatever pick is left (by this test or an earlier run).
    try {
      await open(page, url('/desk/trending'));
      for (let n = 0; n < 5 && await page.locator('ul.desk-picks > li').count() > 0; n++) {
        await pressAndReload(page, page.locator('ul.desk-picks > li').first().getByRole('button', { name: 'Release', exact: true }), 'releasing a pick');
      }
      assert.equal(await page.locator('ul.desk-picks > li').count(), 0, '/desk/trending: a staff pick could not be released');
    } catch (e) {
      // Do not hide the test's own failure behind this one.
      if (done) throw e;
      console.error(`could not release the pin of ${target.href}: ${e.message}`);
    }
  }
}

describe('the desk', () => {
  before(async () => {
    if (skipDesk) return;
    await withPage(async (page) => {
      await cliEditor(page, `Eda Editor ${Math.random().toString(36).slice(2, 7)}`);
      editorState = await page.context().storageState();
    });
  });

  it('an anonymous visit to /desk/analytics is sent to /login', () => withPage(async (page) => {
    const res = await open(page, url('/desk/analytics'));
    const u = new URL(page.url());
    assert.equal(u.pathname, '/login', `an anonymous /desk/analytics ended at ${page.url()}`);
    assert.equal(u.searchParams.get('next'), '/desk/analytics', 'the login page does not lead back to /desk/analytics');
    const first = res.request().redirectedFrom();
    assert.ok(first, 'no redirect: /login was not reached by a redirect');
    assert.equal(new URL(first.url()).pathname, '/desk/analytics');
    assert.equal((await first.response()).status(), 303, 'the redirect to /login is not a 303');
    assert.equal(await page.locator('svg.chart, .desk-table').count(), 0, 'the login page shows analytics');
  }));

  it('/desk leads to Analytics: the tables with demo stories, the 48-hour chart, the site filter, every CSV and a story\'s page', { skip: skipDesk }, () => asEditor(async (page) => {
    const failures = [];
    await open(page, url('/desk'));
    await expectHeading(page, 'Desk');
    const nav = await page.locator('nav.desk-nav li a').allInnerTexts();
    for (const label of ['Analytics', 'Trending block']) {
      assert.ok(nav.map((t) => t.trim()).includes(label), `/desk: the desk navigation has no "${label}" (it has ${JSON.stringify(nav)})`);
    }
    await page.locator('main .desk-cards').getByRole('link', { name: 'Analytics', exact: true }).click();
    await expectUrl(page, (u) => u.pathname === '/desk/analytics', '/desk/analytics from the desk');
    await expectHeading(page, 'Analytics');
    assert.equal((await page.locator('nav.desk-nav a[aria-current=page]').innerText()).trim(), 'Analytics',
      'the desk navigation does not mark Analytics as the current page');

    // The filter form: a site (or the whole network) and a range of days.
    const form = page.locator('form.desk-filters');
    assert.equal(await form.count(), 1, '/desk/analytics has no form.desk-filters');
    const options = (await form.locator('select[name=site] option').allInnerTexts()).map((t) => t.trim());
    for (const s of SITE_KEYS) assert.ok(options.includes(sites[s].name), `the site filter does not offer ${sites[s].name}: ${JSON.stringify(options)}`);
    assert.match(await form.locator('input[type=date][name=from]').inputValue(), /^\d{4}-\d{2}-\d{2}$/);
    assert.match(await form.locator('input[type=date][name=to]').inputValue(), /^\d{4}-\d{2}-\d{2}$/);

    // The tables, in order.
    let tables = await readTables(page);
    const captions = tables.map((t) => t.caption);
    const expected = [
      'Readers per site, last 5 minutes', 'Readers now (last 5 minutes)', 'Views per hour, last 48 hours',
      'Top stories, last hour', 'Top stories, last 24 hours', 'Top stories, last 7 days',
      /^Top stories, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
      /^Views by section, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
      /^Where readers came from, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
    ];
    assert.equal(captions.length, expected.length, `/desk/analytics: the tables' captions are ${JSON.stringify(captions)}`);
    expected.forEach((e, n) => {
      if (typeof e === 'string') assert.equal(captions[n], e, `/desk/analytics: table ${n + 1}'s caption`);
      else assert.match(captions[n], e, `/desk/analytics: table ${n + 1}'s caption`);
    });
    for (const t of tables) assert.ok(t.wrapper, `the table "${t.caption}" is not in a .desk-table wrapper`);
    const byCaption = (c) => tables.find((t) => t.caption === c);

    const perSite = byCaption('Readers per site, last 5 minutes');
    assert.deepEqual(perSite.rows.map((r) => r[0].text).sort(), SITE_KEYS.map((k) => sites[k].name).sort(),
      'the "Readers per site" table does not list the three sites');
    for (const c of ['Top stories, last hour', 'Top stories, last 24 hours', 'Top stories, last 7 days']) {
      const t = byCaption(c);
      assert.deepEqual(t.columns, STORY_COLUMNS, `"${c}": the columns`);
      const stories = t.rows.filter((r) => r[0].href && STORY_LINK.test(r[0].href));
      // The demo's history ends when the server started (the test browser
      // counts as a bot): a server older than an hour has no last hour.
      const empty = t.rows.length === 1 && t.rows[0][0].text === 'No views counted in this time.';
      if (!(c === 'Top stories, last hour' && empty)) {
        assert.ok(stories.length >= 3, `"${c}" lists ${stories.length} stories (the demo's history should fill it): ${JSON.stringify(t.rows.slice(0, 3))}`);
        assert.equal(stories.length, t.rows.length, `"${c}": rows without a story link: ${JSON.stringify(t.rows.filter((r) => !r[0].href))}`);
      }
      for (const r of stories) {
        assert.ok(r[0].text, `"${c}": a story without a title`);
        assert.ok(Object.values(sites).some((s) => s.name === r[1].text), `"${c}": "${r[0].text}" is on an unknown site "${r[1].text}"`);
        assert.match(r[3].text, /^\d+$/, `"${c}": readers of "${r[0].text}"`);
        assert.match(r[4].text, /^\d+$/, `"${c}": views of "${r[0].text}"`);
      }
    }
    const week = byCaption('Top stories, last 7 days');
    const weekSites = new Set(week.rows.map((r) => r[1].text));
    assert.ok(weekSites.size >= 2, `"Top stories, last 7 days" (whole network) lists one site only: ${[...weekSites]}`);

    // Every table but the per-site one has its CSV.
    for (const t of tables.slice(1)) {
      assert.ok(t.csv && t.csv.startsWith('/desk/analytics.csv?table='), `the table "${t.caption}" has no CSV link: ${t.csv}`);
    }

    // The chart: one bar an hour.
    const chart = await chartBars(page);
    if (chart.bars !== 48) failures.push(`/desk/analytics: the chart "Views per hour, last 48 hours" has ${chart.bars} rect.bar, expected 48 (its <desc>: "${chart.desc}")`);
    const hourly = byCaption('Views per hour, last 48 hours');
    if (hourly.rows.length !== 48) failures.push(`/desk/analytics: the table "Views per hour, last 48 hours" has ${hourly.rows.length} rows, expected 48`);

    // The site filter: Lanternfield Journeys only.
    await form.locator('select[name=site]').selectOption({ label: sites.travel.name });
    await form.getByRole('button', { name: 'Show', exact: true }).click();
    await expectUrl(page, (u) => u.pathname === '/desk/analytics' && u.searchParams.get('site') === 'travel', '/desk/analytics?site=travel');
    await expectHeading(page, 'Analytics');
    assert.equal(await page.locator('form.desk-filters select[name=site]').inputValue(), 'travel', 'the filter does not keep the site chosen');
    tables = await readTables(page);
    for (const c of ['Top stories, last 24 hours', 'Top stories, last 7 days']) {
      const t = tables.find((x) => x.caption === c);
      assert.ok(t && t.rows.some((r) => r[0].href), `"${c}" is empty for ${sites.travel.name}`);
      const elsewhere = t.rows.filter((r) => r[0].href && r[1].text !== sites.travel.name).map((r) => `${r[0].text} (${r[1].text})`);
      assert.deepEqual(elsewhere, [], `"${c}" filtered to ${sites.travel.name} lists other sites' stories`);
    }
    const sections = tables.find((x) => x.caption.startsWith('Views by section,'));
    assert.ok(sections.rows.length > 0 && sections.rows.every((r) => r[0].text === sites.travel.name),
      `"${sections.caption}" filtered to ${sites.travel.name}: ${JSON.stringify(sections.rows.map((r) => r[0].text))}`);

    // Every CSV (filtered like the page), with the session's cookies.
    for (const t of tables.slice(1)) {
      const csvUrl = new URL(t.csv, page.url());
      const key = csvUrl.searchParams.get('table');
      assert.equal(csvUrl.searchParams.get('site'), 'travel', `the CSV link of "${t.caption}" drops the site filter: ${t.csv}`);
      const res = await requestAsPage(page, csvUrl.toString());
      assert.equal(res.status(), 200, `${t.csv} answered ${res.status()}`);
      assert.match(res.headers()['content-type'] || '', /^text\/csv\b/, `${t.csv}: Content-Type`);
      assert.match(res.headers()['content-disposition'] || '', /^attachment; filename="kawaraban-[a-z]+-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/, `${t.csv}: Content-Disposition`);
      const lines = (await res.text()).split(/\r?\n/).filter(Boolean);
      assert.ok(COLUMNS[key], `${t.csv}: an unknown table "${key}"`);
      assert.equal(lines[0], COLUMNS[key].join(','), `${t.csv}: the header row`);
      assert.deepEqual(t.columns, COLUMNS[key], `the table "${t.caption}" and its CSV have other columns`);
      assert.equal(lines.length - 1, t.rows.filter((r) => r.length === COLUMNS[key].length).length,
        `${t.csv}: ${lines.length - 1} data rows, the table "${t.caption}" shows ${t.rows.length}`);
    }
    // And one the way an editor gets it: the link downloads a file.
    const download = page.waitForEvent('download');
    await page.locator('#table-week caption a.csv').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^kawaraban-week-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/, 'the downloaded CSV\'s name');
    const saved = readFileSync(await file.path(), 'utf8').split(/\r?\n/);
    assert.equal(saved[0], STORY_COLUMNS.join(','), 'the downloaded CSV\'s header row');
    assert.ok(saved.slice(1).some((l) => l.includes(sites.travel.name)), `the downloaded CSV has no story of ${sites.travel.name}:\n${saved.slice(0, 4).join('\n')}`);

    // A story's own page, from the table of the last 7 days.
    const story = page.locator('#table-week tbody a[href^="/desk/analytics/article/"]').first();
    const title = (await story.innerText()).trim();
    await story.click();
    await expectUrl(page, (u) => STORY_LINK.test(u.pathname), 'a story\'s page on the desk');
    await expectHeading(page, title);
    assert.equal((await page.locator('main h1').innerText()).trim(), title, 'the story\'s page has another title');
    assert.equal((await page.locator('nav.desk-nav a[aria-current=page]').innerText()).trim(), 'Analytics');
    const own = await chartBars(page);
    if (own.bars !== 48) failures.push(`${page.url()}: the story's chart has ${own.bars} rect.bar, expected 48 (its <desc>: "${own.desc}")`);
    const totals = (await readTables(page)).find((t) => t.caption === 'Readers and views');
    assert.ok(totals, `${page.url()}: no "Readers and views" table`);
    assert.deepEqual(totals.rows.map((r) => r[0].text).slice(0, 4),
      ['Readers now (last 5 minutes)', 'Top stories, last hour', 'Top stories, last 24 hours', 'Top stories, last 7 days']);
    const week7 = totals.rows[3];
    assert.ok(Number(week7[2].text) > 0, `${page.url()}: the story has no views in the last 7 days, yet it tops that table`);
    // Its link leads to the story itself, on its own site.
    const read = page.locator('main a', { hasText: 'read the story' });
    const storyUrl = new URL(await read.getAttribute('href'), page.url());
    assert.equal(storyUrl.host, sites.travel.host, `"read the story" leads to ${storyUrl}, not to ${sites.travel.name}`);
    await read.click();
    await expectUrl(page, (u) => u.href === storyUrl.href, storyUrl.href);
    await page.locator('h1.headline').waitFor({ state: 'visible' });
    assert.equal((await page.locator('h1.headline').innerText()).trim(), title, `${storyUrl}: the article has another headline`);

    const problems = page.problems();
    if (problems.length) failures.push(`the browser reported problems:\n  ${problems.join('\n  ')}`);
    assert.ok(failures.length === 0, failures.join('\n'));
  }));

  it('/desk/trending: every site\'s block with Pin and Leave out; pinning a story puts it first on the other sites\' blocks (desk and article pages); Release undoes it', { skip: skipDesk }, () => asEditor(async (page) => {
    await open(page, url('/desk/trending'));
    await expectHeading(page, 'Trending block');
    let blocks = await deskBlocks(page);
    assert.deepEqual(Object.keys(blocks).sort(), SITE_KEYS.map((k) => sites[k].name).sort(), '/desk/trending: one block per site');
    for (const [name, items] of Object.entries(blocks)) {
      assert.equal(items.length, BLOCK_ITEMS, `/desk/trending: the block on ${name} has ${items.length} items`);
      assert.ok(items.every((i) => !i.source.startsWith(name)), `/desk/trending: the block on ${name} has its own stories`);
      for (const i of items.filter((x) => !x.sponsored)) {
        assert.ok(i.pin && i.leaveOut, `/desk/trending: "${i.title}" on ${name} lacks its Pin or Leave out button`);
        assert.equal(i.method, 'post', `/desk/trending: the forms of "${i.title}" are not POST`);
        assert.ok(i.csrf, `/desk/trending: the form of "${i.title}" has no CSRF token`);
      }
    }
    // The desk shows what readers get.
    const onArticle = await withPage(async (p) => { await open(p, articleOf.news); return readBlock(p); });
    assert.deepEqual(blocks[sites.news.name].map((i) => i.href), onArticle.items.map((i) => i.href),
      `/desk/trending: the block on ${sites.news.name} is not the one on ${articleOf.news}`);
    assert.equal(await page.locator('ul.desk-picks').count(), 0, '/desk/trending lists staff picks before any (another run left a pick?)');

    // The second story of the news site's block: the best of the site that is not first there.
    const target = blocks[sites.news.name][1];
    await pinAndCheck(page, target, async (from, others) => {
      // Release.
      const pick = page.locator('ul.desk-picks > li', { hasText: target.title });
      await pressAndReload(page, pick.getByRole('button', { name: 'Release', exact: true }), `releasing ${target.href}`);
      assert.equal(await page.locator('ul.desk-picks > li', { hasText: target.title }).count(), 0, 'the released story is still in the staff picks');
      blocks = await deskBlocks(page);
      for (const k of others) {
        const items = blocks[sites[k].name];
        assert.notEqual(items[0].href, target.href, `/desk/trending: after releasing, ${sites[k].name}'s block still starts with the story`);
        const again = items.find((i) => i.href === target.href);
        if (again) assert.ok(!again.pinned && again.pin, `/desk/trending: the released story on ${sites[k].name} is still marked Pinned or offers no Pin`);
      }
      assert.equal(blocks[sites.news.name][1].href, target.href, `/desk/trending: after releasing, the story is not back in second place on ${sites.news.name}'s block`);
      for (const k of others) {
        const first = await firstOnArticle(k);
        assert.notEqual(first?.href, target.href, `${articleOf[k]}: after releasing, the block still starts with ${target.href}`);
      }
    });
    const problems = page.problems();
    assert.deepEqual(problems, [], 'the browser reported problems');
  }));

  it('/desk/trending: a story the desk offers to pin goes first when pinned, even one that only fills the block (the last of the news site\'s block)', { skip: skipDesk }, () => asEditor(async (page) => {
    await open(page, url('/desk/trending'));
    await expectHeading(page, 'Trending block');
    const blocks = await deskBlocks(page);
    const items = blocks[sites.news.name];
    const target = items[items.length - 1];
    assert.ok(target.pin, `/desk/trending: the last story on ${sites.news.name}'s block offers no Pin`);
    await pinAndCheck(page, target, async () => {});
  }));

  it('axe-core finds no serious or critical violation on /desk, /desk/analytics and /desk/trending at 1280 px, nor on /desk/analytics at 390 px, which does not scroll sideways; analytics-1280.png', { skip: skipDesk }, async () => {
    const failures = [];
    await asEditor(async (page) => {
      for (const [p, heading] of [['/desk', 'Desk'], ['/desk/analytics', 'Analytics'], ['/desk/trending', 'Trending block']]) {
        await open(page, url(p));
        await expectHeading(page, heading);
        failures.push(...await audit(page, `${p} at ${DESKTOP.width}px`));
        failures.push(...await sidewaysScroll(page, `${p}`, DESKTOP.width));
        if (p === '/desk/analytics') await screenshot(page, 'analytics-1280');
      }
    });
    await asEditor(async (page) => {
      await open(page, url('/desk/analytics'));
      await expectHeading(page, 'Analytics');
      await settle(page);
      failures.push(...await sidewaysScroll(page, '/desk/analytics', PHONE.width));
      failures.push(...await audit(page, `/desk/analytics at ${PHONE.width}px`));
    }, PHONE);
    assert.ok(failures.length === 0, failures.join('\n'));
  });
});
