// The HTML of every page type, exactly as the server sends it, passes the
// Nu HTML Checker (vnu) with no errors; the feeds and sitemap are XML.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  url, launchBrowser, newPage, discover, httpGet, vnu, writeFile,
} from './lib.mjs';

let browser;
let page;
let dir;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
  dir = mkdtempSync(path.join(tmpdir(), 'kawaraban-vnu-'));
});
after(async () => {
  await browser?.close();
  if (dir && !process.env.KW_KEEP_HTML) rmSync(dir, { recursive: true, force: true });
});

describe('HTML validity (Nu HTML Checker)', () => {
  it('every page type has no vnu errors', async () => {
    const found = await discover(page);
    const pages = {
      home: [found.home, 200],
      section: [found.section, 200],
      article: [found.article, 200],
      tag: [found.tag, 200],
      author: [found.author, 200],
      search: [found.search, 200],
      'search-empty': [url('/search?q=zzzqqqxxx'), 200],
      'not-found': [found.notFound, 404],
      'page-2': [found.page2, 200],
      'travel-home': [url('/', 'travel'), 200],
    };
    const files = [];
    const where = new Map();
    const statusErrors = [];
    for (const [name, [target, status]] of Object.entries(pages)) {
      const res = await httpGet(target);
      if (res.status !== status) statusErrors.push(`${target}: HTTP ${res.status}, expected ${status}`);
      if (!String(res.headers['content-type']).includes('text/html')) {
        statusErrors.push(`${target}: content-type "${res.headers['content-type']}" is not text/html`);
      }
      const file = path.join(dir, `${name}.html`);
      writeFile(file, res.body);
      files.push(file);
      where.set(file, target);
    }
    const messages = await vnu(files);
    const lines = messages.map((m) => {
      const src = readFileSync(m.file, 'utf8').split('\n')[m.line - 1]?.trim().slice(0, 160);
      return `${path.basename(m.file)} (${where.get(m.file) || m.file}) line ${m.line ?? '?'}:${m.column ?? '?'}: `
        + `[${m.type}${m.subType ? '/' + m.subType : ''}] ${m.message}`
        + (src ? `\n      ${src}` : '');
    });
    const all = [...statusErrors, ...lines];
    assert.ok(all.length === 0, `${lines.length} vnu error(s) in ${files.length} page(s)`
      + `${statusErrors.length ? ` and ${statusErrors.length} other problem(s)` : ''}:\n  ${all.join('\n  ')}`);
  });
});

describe('feeds and sitemap are XML', () => {
  for (const p of ['/feed.xml', '/atom.xml', '/sitemap.xml']) {
    it(p, async () => {
      const target = url(p);
      const res = await httpGet(target);
      assert.equal(res.status, 200, `${target}: HTTP ${res.status}`);
      const type = String(res.headers['content-type'] || '');
      assert.ok(type.includes('xml'), `${target}: content-type "${type}" does not contain "xml"`);
      assert.ok(res.body.startsWith('<?xml'), `${target}: body does not start with <?xml: ${JSON.stringify(res.body.slice(0, 80))}`);
      // Well-formedness, checked by the browser's XML parser.
      const error = await page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        const err = doc.querySelector('parsererror');
        return err ? err.textContent : null;
      }, res.body);
      assert.equal(error, null, `${target} is not well-formed XML: ${error}`);
    });
  }
});
