// Every page type of the reader site at desktop and phone widths: the page
// renders with its key parts, a full-page screenshot is saved to
// tests/e2e/screenshots/<name>-<width>.png, nothing sticks out sideways, the
// browser saw no script errors or broken subresources, and axe-core finds no
// serious or critical accessibility violations. Last, the same pages reflow
// at 320 CSS px without a horizontal scrollbar (WCAG 2.1 SC 1.4.10).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, url, launchBrowser, newPage, open, settle, firstLink, screenshot,
  axeSerious, formatAxe, horizontalOverflow, discover, SECTION_PATH, ARTICLE_PATH, TAG_PATH, AUTHOR_PATH,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// Chromium logs the 404 of the document itself as a console error; broken
// subresources are reported separately (with their URL) by newPage().
const isResourceStatusNoise = (p) => p.startsWith('console error: Failed to load resource: the server responded with a status of');

async function visibleCount(page, selector) {
  return page.locator(selector).filter({ visible: true }).count();
}

async function assertVisible(page, selector, what = selector) {
  const n = await visibleCount(page, selector);
  assert.ok(n > 0, `${page.url()}: expected a visible ${what} (${selector}), found none`);
}

for (const viewport of [DESKTOP, PHONE]) {
  describe(`pages at ${viewport.width}x${viewport.height}`, () => {
    let page;
    let siteName;
    // Filled in as the tests follow links, in order.
    const links = {};

    before(async () => { page = await newPage(browser, viewport); });
    after(async () => { await page?.closeAll(); });

    /** Screenshot, problems and axe: the common end of every page test. */
    async function finish(name) {
      await settle(page);
      await screenshot(page, `${name}-${viewport.width}`);
      const violations = await axeSerious(page);
      const problems = page.problems().filter((p) => !isResourceStatusNoise(p));
      const overflow = await horizontalOverflow(page);
      const messages = [];
      if (overflow.length) {
        messages.push(`${page.url()}: the page scrolls sideways at ${viewport.width}px:\n  ${overflow.join('\n  ')}`);
      }
      if (problems.length) {
        messages.push(`${page.url()}: the browser reported problems:\n  ${problems.join('\n  ')}`);
      }
      if (violations.length) {
        messages.push(`${page.url()}: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
      }
      if (messages.length) {
        assert.fail(messages.join('\n'));
      }
    }

    it('home page', async () => {
      await open(page, url('/'));
      await assertVisible(page, 'header .site-name', 'site name');
      siteName = (await page.locator('.site-name').first().innerText()).trim();
      assert.ok(siteName, 'home page: .site-name is empty');
      await assertVisible(page, 'nav.sections a', 'section navigation link');
      await assertVisible(page, 'main');
      await assertVisible(page, '.lead', 'lead story');
      assert.ok(await visibleCount(page, '.card') >= 3, `home page: expected at least 3 visible .card articles, found ${await visibleCount(page, '.card')}`);
      await assertVisible(page, 'footer .publisher-copyright', 'publisher copyright');
      links.section = await firstLink(page, 'nav.sections a', SECTION_PATH, 'section (nav.sections a)');
      links.article = await firstLink(page, '.lead a, .card a', ARTICLE_PATH, 'article (.lead a, .card a)');
      await finish('home');
    });

    it('section page', async () => {
      assert.ok(links.section, 'no section link was found on the home page');
      await open(page, links.section);
      await assertVisible(page, 'main h1', 'heading');
      await assertVisible(page, 'main .card', 'article card');
      await firstLink(page, 'main .card a', ARTICLE_PATH, 'article (main .card a)');
      await finish('section');
    });

    it('article page', async () => {
      assert.ok(links.article, 'no article link was found on the home page');
      await open(page, links.article);
      await assertVisible(page, 'h1.headline', 'headline');
      await assertVisible(page, '.article-body p', 'body paragraph');
      links.tag = await firstLink(page, '.tags a', TAG_PATH, 'tag (.tags a)');
      links.author = await firstLink(page, '.byline a', AUTHOR_PATH, 'author (.byline a)');
      await finish('article');
    });

    it('search page', async () => {
      await open(page, url('/search?q=tokyo'));
      await assertVisible(page, 'main .card', 'search result (.card)');
      const marked = await page.locator('main .card mark').count();
      assert.ok(marked > 0, '/search?q=tokyo: no <mark> inside any .card result');
      await assertVisible(page, 'main .card .snippet mark', 'highlighted match (.card .snippet mark)');
      await finish('search');
    });

    it('tag page', async () => {
      assert.ok(links.tag, 'no tag link was found on the article page');
      await open(page, links.tag);
      await assertVisible(page, 'main h1', 'heading');
      await assertVisible(page, 'main .card', 'article card');
      await finish('tag');
    });

    it('author page', async () => {
      assert.ok(links.author, 'no author link was found on the article page');
      await open(page, links.author);
      await assertVisible(page, 'main h1', 'heading');
      await assertVisible(page, 'main .card', 'article card');
      await finish('author');
    });

    it('404 page', async () => {
      await open(page, url('/no/such/page/here'), 404);
      await assertVisible(page, 'header', 'themed header');
      await assertVisible(page, 'footer', 'themed footer');
      await assertVisible(page, 'main h1', 'heading');
      const name = (await page.locator('.site-name').first().innerText().catch(() => '')).trim();
      assert.ok(name, '404 page: no .site-name (the error page is not themed)');
      if (siteName) assert.equal(name, siteName, '404 page: site name differs from the home page');
      // A short page still ends with its footer at the window's foot, not
      // mid-screen above a blank band.
      const foot = await page.evaluate(() => {
        const f = document.querySelector('footer.site-footer').getBoundingClientRect();
        return { bottom: Math.round(f.bottom + window.scrollY), window: window.innerHeight };
      });
      assert.ok(foot.bottom >= foot.window - 1, `404 page: the footer ends at ${foot.bottom}px, above the window's foot at ${foot.window}px`);
      await finish('404');
    });
  });
}

describe('reflow at 320x640 (WCAG 2.1 SC 1.4.10: no horizontal scrolling)', () => {
  let page;
  let found;
  before(async () => {
    page = await newPage(browser, { width: 320, height: 640 });
    found = await discover(page);
  });
  after(async () => { await page?.closeAll(); });

  for (const [name, key, status] of [
    ['home page', 'home', 200], ['section page', 'section', 200], ['article page', 'article', 200],
    ['search page', 'search', 200], ['tag page', 'tag', 200], ['author page', 'author', 200],
    ['404 page', 'notFound', 404],
  ]) {
    it(name, async () => {
      await open(page, found[key], status);
      const overflow = await horizontalOverflow(page);
      assert.ok(overflow.length === 0, `${found[key]}: the page scrolls sideways at 320px:\n  ${overflow.join('\n  ')}`);
    });
  }
});
