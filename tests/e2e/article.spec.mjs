// The anatomy of an article page, checked on a wire story (one with a
// .source-copyright line), its structured data and social metadata; the
// sister site on its own host; and the README screenshot
// (docs/screenshot-article.png).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ROOT, DESKTOP, url, launchBrowser, newPage, open, hrefs, screenshot, currentYears, ARTICLE_PATH,
} from './lib.mjs';

let browser;
let page;
let articleUrl;
let newsSiteName;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser, DESKTOP);
});
after(async () => { await browser?.close(); });

const hasSourceCopyright = async () => (await page.locator('.source-copyright').count()) > 0;

/**
 * A wire story: the first search result for "Pacific Wire" if search finds
 * one, else the first article linked from the home page that carries a
 * .source-copyright line.
 */
async function findWireStory() {
  const tried = [];
  await open(page, url('/search?q=Pacific+Wire'));
  const candidates = (await hrefs(page, 'main .card a')).filter((h) => ARTICLE_PATH.test(new URL(h).pathname));
  await open(page, url('/'));
  for (const h of await hrefs(page, '.lead a, .card a')) {
    if (ARTICLE_PATH.test(new URL(h).pathname) && !candidates.includes(h)) candidates.push(h);
  }
  for (const candidate of candidates.slice(0, 40)) {
    await open(page, candidate);
    tried.push(candidate);
    if (await hasSourceCopyright()) return candidate;
  }
  throw new Error(`no wire story found: none of ${tried.length} article(s) reached from /search?q=Pacific+Wire `
    + 'and the home page has a .source-copyright element');
}

/** innerText of the first match, asserting it exists, is visible and is non-empty. */
async function text(selector) {
  const loc = page.locator(selector);
  const n = await loc.count();
  assert.ok(n > 0, `${articleUrl}: missing ${selector}`);
  assert.ok(await loc.first().isVisible(), `${articleUrl}: ${selector} is not visible`);
  const t = (await loc.first().innerText()).trim();
  assert.ok(t.length > 0, `${articleUrl}: ${selector} is empty`);
  return t;
}

async function attr(selector, name) {
  const loc = page.locator(selector);
  assert.ok(await loc.count() > 0, `${articleUrl}: missing ${selector}`);
  return loc.first().getAttribute(name);
}

describe('article page of a wire story', () => {
  before(async () => {
    articleUrl = await findWireStory();
    console.log(`wire story: ${articleUrl}`);
    await open(page, articleUrl);
  });

  it('masthead: date bar, site name, section navigation', async () => {
    const datebar = await text('.datebar');
    const years = currentYears();
    assert.ok(years.some((y) => datebar.includes(y)), `.datebar "${datebar}" does not contain the current year (${years.join(' or ')})`);
    newsSiteName = await text('.site-name');
    assert.equal(new URL(await attr('.site-name', 'href'), articleUrl).pathname, '/', '.site-name does not link to /');
    const navLinks = await page.locator('nav.sections a').filter({ visible: true }).count();
    assert.ok(navLinks >= 3, `expected at least 3 visible links in nav.sections, found ${navLinks}`);
    assert.equal(await attr('nav.sections', 'aria-label'), 'Sections', 'nav.sections has no aria-label="Sections"');
  });

  it('article header: section label, headline, standfirst, byline, time', async () => {
    await text('.section-label');
    await text('h1.headline');
    assert.equal(await page.locator('h1').count(), 1, 'an article page should have exactly one <h1>');
    await text('.standfirst');
    await text('.byline');
    await text('time.published[datetime]');
    const dt = await attr('time.published[datetime]', 'datetime');
    assert.ok(!Number.isNaN(Date.parse(dt)), `time.published datetime="${dt}" is not a parseable date`);
  });

  it('hero image with srcset, dimensions, caption and credit', async () => {
    const img = 'figure.hero img';
    assert.ok(await page.locator(img).count() > 0, `${articleUrl}: missing ${img}`);
    assert.ok(await page.locator(img).first().isVisible(), `${img} is not visible`);
    for (const name of ['srcset', 'width', 'height', 'alt']) {
      const v = await attr(img, name);
      assert.ok(v !== null && (name === 'alt' || v.trim() !== ''), `${img} has no ${name} attribute`);
    }
    assert.match(await attr(img, 'width'), /^\d+$/, `${img} width is not a number`);
    assert.match(await attr(img, 'height'), /^\d+$/, `${img} height is not a number`);
    const loaded = await page.locator(img).first().evaluate((el) => el.complete && el.naturalWidth > 0);
    assert.ok(loaded, `${img} did not load`);
    await text('figure.hero figcaption .caption');
    const credit = await text('figure.hero figcaption .credit');
    assert.ok(credit.startsWith('Image: '), `.credit "${credit}" does not start with "Image: "`);
  });

  it('body: dateline and several paragraphs', async () => {
    const dateline = await text('.dateline');
    assert.match(dateline, /\p{L}/u, `.dateline "${dateline}" has no letters`);
    assert.equal(dateline, dateline.toUpperCase(), `.dateline "${dateline}" is not upper-case`);
    const paragraphs = await page.locator('.article-body p').filter({ visible: true }).count();
    assert.ok(paragraphs >= 3, `expected several .article-body p, found ${paragraphs}`);
  });

  it('copyright lines: wire source and publisher', async () => {
    const source = await text('.source-copyright');
    assert.ok(source.includes('©'), `.source-copyright "${source}" has no ©`);
    const publisher = await text('footer .publisher-copyright');
    assert.ok(publisher.includes('©'), `footer .publisher-copyright "${publisher}" has no ©`);
    const years = currentYears();
    assert.ok(years.some((y) => publisher.includes(y)), `footer .publisher-copyright "${publisher}" does not contain the current year`);
  });

  it('structured data: NewsArticle JSON-LD', async () => {
    const blocks = await page.$$eval('script[type="application/ld+json"]', (els) => els.map((e) => e.textContent));
    assert.ok(blocks.length > 0, 'no script[type="application/ld+json"]');
    const items = [];
    for (const [i, block] of blocks.entries()) {
      let data;
      try { data = JSON.parse(block); } catch (e) { assert.fail(`JSON-LD block ${i} does not parse: ${e.message}\n${block.slice(0, 500)}`); }
      for (const item of [data, ...(data['@graph'] || [])].flat()) items.push(item);
    }
    const article = items.find((x) => x && [x['@type']].flat().includes('NewsArticle'));
    assert.ok(article, `no JSON-LD item with @type NewsArticle (found: ${items.map((x) => x?.['@type']).join(', ')})`);
    const empty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    const missing = ['headline', 'image', 'datePublished', 'dateModified', 'author', 'dateline', 'publisher']
      .filter((k) => empty(article[k]));
    assert.ok(missing.length === 0, `NewsArticle JSON-LD lacks: ${missing.join(', ')}`);
    assert.equal(article.headline, await text('h1.headline'), 'JSON-LD headline differs from h1.headline');
    for (const k of ['datePublished', 'dateModified']) {
      assert.ok(!Number.isNaN(Date.parse(article[k])), `JSON-LD ${k} "${article[k]}" is not a date`);
    }
  });

  it('social and canonical metadata', async () => {
    const ogTitle = await attr('meta[property="og:title"]', 'content');
    assert.ok(ogTitle?.trim(), 'meta[property="og:title"] has no content');
    const card = await attr('meta[name="twitter:card"]', 'content');
    assert.ok(card?.trim(), 'meta[name="twitter:card"] has no content');
    const canonical = await attr('link[rel=canonical]', 'href');
    assert.ok(canonical, 'link[rel=canonical] has no href');
    assert.equal(new URL(canonical).pathname, new URL(articleUrl).pathname, 'link[rel=canonical] points at another page');
  });

  // Written among the run's screenshots; the README's own copy only when
  // asked (KW_README_SCREENSHOT=1), so a test run never changes tracked files.
  it('README screenshot (docs/screenshot-article.png)', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('figure.hero img').first().evaluate((img) => img.complete || new Promise((r) => { img.onload = r; img.onerror = r; }));
    await page.evaluate(() => document.fonts.ready);
    const readme = process.env.KW_README_SCREENSHOT === '1';
    const file = await screenshot(page, 'screenshot-article', {
      fullPage: false,
      file: readme ? path.join(ROOT, 'docs', 'screenshot-article.png') : undefined,
    });
    console.log(`saved ${file}`);
  });

  it('share: six plain links, and "Copy link" (shown by share.js) puts the story\'s address on the clipboard', async () => {
    assert.equal(await page.locator('aside.share a.share-link').count(), 6, 'expected six share links (email and five networks)');
    const origin = new URL(page.url()).origin;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const copy = page.locator('aside.share .share-copy');
    await copy.waitFor({ state: 'visible', timeout: 5000 });
    await copy.click();
    await page.locator('aside.share .share-copied', { hasText: 'Link copied' }).waitFor({ timeout: 5000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(new URL(copied).pathname, new URL(page.url()).pathname, `expected the story's address on the clipboard, got ${copied}`);
  });

  it('no script errors or broken subresources', async () => {
    const problems = page.problems();
    assert.ok(problems.length === 0, `the browser reported problems:\n  ${problems.join('\n  ')}`);
  });
});

describe('sister site', () => {
  it('travel.localhost is a different site with its own name', async () => {
    const travel = url('/', 'travel');
    await open(page, travel);
    const name = (await page.locator('.site-name').first().innerText()).trim();
    assert.ok(name, `${travel}: .site-name is empty`);
    if (!newsSiteName) {
      await open(page, url('/'));
      newsSiteName = (await page.locator('.site-name').first().innerText()).trim();
    }
    assert.notEqual(name, newsSiteName, `${travel} shows the same site name as the news site ("${name}")`);
    const canonical = await page.locator('link[rel=canonical]').first().getAttribute('href').catch(() => null);
    if (canonical) assert.equal(new URL(canonical).hostname, 'travel.localhost', `${travel}: canonical ${canonical} is not on the travel host`);
  });
});
