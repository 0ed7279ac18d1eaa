// Shared helpers for the browser end-to-end tests (run by scripts/e2e.sh).
//
// The server is expected at KW_BASE (for example http://news.localhost:8080);
// Chromium resolves *.localhost to loopback by itself. Node's own HTTP client
// does not, so httpGet() connects to 127.0.0.1 and sends the Host header.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(E2E_DIR, '..', '..');
export const SCREENSHOT_DIR = path.join(E2E_DIR, 'screenshots');

if (!process.env.KW_BASE) {
  throw new Error('KW_BASE is not set: run the suite with `bash scripts/e2e.sh` '
    + '(or set KW_BASE=http://news.localhost:PORT for a server you started yourself)');
}
export const BASE = process.env.KW_BASE.replace(/\/+$/, '');
export const PORT = process.env.KW_PORT || new URL(BASE).port || '80';

/** URL of `p` on the news site, or on the sister site `host` (e.g. travel). */
export function url(p, host) {
  const u = new URL(p, BASE + '/');
  if (host) {
    u.hostname = `${host}.localhost`;
  }
  return u.toString();
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

const CHROMIUM = process.env.KW_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * A new page in its own context at the given viewport. The page records
 * problems a reader would not see but we care about: uncaught script errors,
 * console errors (CSP violations land there) and subresources that failed or
 * answered >= 400. Read them with `page.problems()`. `contextOptions` go to
 * browser.newContext (for example `{ javaScriptEnabled: false }` or a
 * `storageState` to start signed in).
 */
export async function newPage(browser, viewport = DESKTOP, contextOptions = {}) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'Asia/Tokyo',
    ...contextOptions,
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText;
    // Lazy images still loading when the test navigates away are aborted
    // by the browser itself; that is not a broken subresource.
    if (why === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.url()} (${why})`);
  });
  page.on('response', (res) => {
    // The main document of the 404 test answers 404 on purpose.
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      problems.push(`HTTP ${res.status()} for ${res.request().resourceType()} ${res.url()}`);
    }
  });
  page.problems = () => problems.splice(0);
  page.closeAll = () => context.close();
  return page;
}

/** Opens `target` and checks the status (default 200). Returns the response. */
export async function open(page, target, expectStatus = 200) {
  const res = await page.goto(target, { waitUntil: 'load' });
  if (!res) throw new Error(`no response for ${target}`);
  if (res.status() !== expectStatus) {
    throw new Error(`${target} answered HTTP ${res.status()}, expected ${expectStatus}`);
  }
  return res;
}

/**
 * Scrolls through the page so lazy images load, then waits (bounded) for all
 * images and web fonts, and returns to the top. For full-page screenshots.
 */
export async function settle(page) {
  await page.evaluate(async () => {
    const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
    for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 30));
    }
    window.scrollTo(0, 0);
    const pending = [...document.images]
      .filter((img) => !img.complete)
      .map((img) => new Promise((r) => { img.addEventListener('load', r); img.addEventListener('error', r); }));
    await Promise.race([
      Promise.all([...pending, document.fonts.ready]),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
  });
}

/** `href` attributes (resolved) of the elements matching `selector`. */
export async function hrefs(page, selector) {
  return page.$$eval(selector, (els) => els.map((a) => a.href).filter(Boolean));
}

/** First link matching `selector` whose path matches `re`; throws a clear error if none. */
export async function firstLink(page, selector, re, what) {
  const all = await hrefs(page, selector);
  const hit = all.find((h) => {
    const u = new URL(h);
    return re.test(u.pathname + u.search);
  });
  if (!hit) {
    throw new Error(`${page.url()}: no ${what} link (${selector} matching ${re}); found ${all.length} link(s): `
      + JSON.stringify(all.slice(0, 10)));
  }
  return hit;
}

export const SECTION_PATH = /^\/[a-z0-9-]+\/$/;
export const ARTICLE_PATH = /^\/(?!tag\/|author\/|search|media\/|assets\/)[a-z0-9-]+\/[a-z0-9-]+$/;
export const TAG_PATH = /^\/tag\/[^/]+$/;
export const AUTHOR_PATH = /^\/author\/[^/]+$/;

/**
 * Finds one URL of each page type by following links the way a reader
 * would: the first section in `nav.sections`, the first article on the home
 * page (`a` in `.lead` or `.card`), the article's first tag (`.tags a`) and
 * author (`.byline a`), and a second page of listings (`?page=2` of the
 * section if it has one, else `/latest?page=2`).
 */
export async function discover(page) {
  const found = { home: url('/') };
  await open(page, found.home);
  found.section = await firstLink(page, 'nav.sections a', SECTION_PATH, 'section (nav.sections)');
  found.article = await firstLink(page, '.lead a, .card a', ARTICLE_PATH, 'article (.lead a, .card a)');
  await open(page, found.article);
  found.tag = await firstLink(page, '.tags a', TAG_PATH, 'tag (.tags a)');
  found.author = await firstLink(page, '.byline a', AUTHOR_PATH, 'author (.byline a)');
  found.search = url('/search?q=tokyo');
  found.notFound = url('/no/such/page/here');
  await open(page, found.section);
  const next = await hrefs(page, 'nav.pagination a[rel=next]');
  found.page2 = next[0] || url('/latest?page=2');
  return found;
}

const AXE_SOURCE = readFileSync(path.join(E2E_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page and returns the violations with impact serious
 * or critical. The site's Content-Security-Policy (script-src 'self') blocks
 * inline <script> tags, so axe is evaluated through the DevTools protocol,
 * which CSP does not govern.
 */
export async function axeSerious(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function formatAxe(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`);
    const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : '';
    return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}${more}`;
  }).join('\n');
}

// Full-page screenshots are cut at this many CSS pixels so the committed PNGs
// stay modest (the phone-width home page is over 15,000 px tall);
// KW_SCREENSHOT_MAX_HEIGHT=0 takes them uncut.
const MAX_HEIGHT = Number(process.env.KW_SCREENSHOT_MAX_HEIGHT ?? 5000);

/** Saves a PNG screenshot to tests/e2e/screenshots/<name>.png (or `file`). */
export async function screenshot(page, name, { fullPage = true, file } = {}) {
  const out = file || path.join(SCREENSHOT_DIR, `${name}.png`);
  mkdirSync(path.dirname(out), { recursive: true });
  const options = { path: out, fullPage, animations: 'disabled', caret: 'hide', scale: 'css' };
  if (fullPage && MAX_HEIGHT > 0) {
    const { width, height } = await page.evaluate(() => ({
      width: document.documentElement.clientWidth,
      height: document.documentElement.scrollHeight,
    }));
    if (height > MAX_HEIGHT) options.clip = { x: 0, y: 0, width, height: MAX_HEIGHT };
  }
  await page.screenshot(options);
  return out;
}

/** Elements sticking out of the viewport sideways (a horizontal scrollbar). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '')
      + [...e.classList].map((c) => `.${c}`).join('');
    const wide = [...document.body.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      // Report the innermost culprits, not every ancestor.
      .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o)));
    return wide.slice(0, 8).map((e) => `${describe(e)} reaches ${Math.round(e.getBoundingClientRect().right)}px `
      + `(viewport ${width}px): ${JSON.stringify((e.textContent || '').trim().slice(0, 60))}`);
  });
}

/**
 * GET with Node's http client: connects to 127.0.0.1 for *.localhost hosts
 * and sends the original Host header. Resolves { status, headers, body }.
 */
export function httpGet(target) {
  const u = new URL(target);
  const connectHost = u.hostname === 'localhost' || u.hostname.endsWith('.localhost') ? '127.0.0.1' : u.hostname;
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: connectHost,
      port: u.port || 80,
      path: u.pathname + u.search,
      headers: { Host: u.host, 'Accept-Encoding': 'identity', 'User-Agent': 'kawaraban-e2e' },
      timeout: 30_000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${target}`)));
    req.on('error', reject);
  });
}

const VNU_JAR = path.join(E2E_DIR, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

/**
 * Runs the Nu HTML Checker on the files (errors only) and returns its
 * messages as { file, line, column, message, extract }. vnu writes its JSON
 * report to stderr and exits 1 when it found errors.
 */
export function vnu(files) {
  return new Promise((resolve, reject) => {
    execFile('java', ['-Xss2m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', ...files],
      { maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
      (err, stdout, stderr) => {
        let report;
        try {
          report = JSON.parse(stderr || stdout);
        } catch {
          reject(new Error(`vnu did not produce JSON (${err ? err.message : 'exit 0'}):\n${stderr}\n${stdout}`));
          return;
        }
        resolve(report.messages.map((m) => ({
          type: m.type,
          subType: m.subType,
          file: m.url ? fileURLToPath(m.url) : '(no file)',
          line: m.lastLine ?? m.firstLine,
          column: m.firstColumn ?? m.lastColumn,
          message: m.message,
          extract: m.extract,
        })));
      });
  });
}

export function writeFile(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The years that are "now" here or in Japan (they differ around New Year). */
export function currentYears() {
  const now = new Date();
  const years = new Set([String(now.getUTCFullYear()), String(now.getFullYear())]);
  years.add(new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone: 'Asia/Tokyo' }).format(now));
  return [...years];
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// --- email (the SMTP sink of scripts/testsvc/smtp_sink.py) -------------------

/**
 * Where the SMTP sink writes what the server sends, one file per message and
 * recipient: NNNNNN-<recipient>.eml. Set by scripts/e2e.sh; empty when the
 * tests run against a server whose mail they cannot read.
 */
export const MAIL_DIR = process.env.KAWARABAN_TEST_MAIL_DIR || '';

/** An address no earlier run used: reader-<timestamp>-<random>@example.test. */
export function uniqueEmail(prefix = 'reader') {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

// The sink's file name for a recipient (smtp_sink.py: re.sub(r"[^A-Za-z0-9@._+-]", "_", rcpt)).
const sinkName = (address) => address.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_');

function mailFiles(to) {
  const suffix = `-${sinkName(to)}.eml`;
  return readdirSync(MAIL_DIR)
    .filter((f) => !f.startsWith('.') && f.toLowerCase().endsWith(suffix))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

/**
 * Waits until at least `n` messages to `to` are in the sink and returns the
 * n-th (1-based, in the order received) as { file, subject, from, to, text,
 * html, links } with the MIME decoded (quoted-printable, base64, RFC 2047
 * headers). `links` are the http(s) URLs of the text part, in order.
 */
export async function waitForMail(to, n = 1, timeoutMs = 15_000) {
  if (!MAIL_DIR) {
    throw new Error('KAWARABAN_TEST_MAIL_DIR is not set: run the suite with scripts/e2e.sh, which starts the SMTP sink');
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = mailFiles(to);
    if (files.length >= n) return readMail(path.join(MAIL_DIR, files[n - 1]));
    if (Date.now() > deadline) {
      const subjects = files.map((f) => `${f}: ${readMail(path.join(MAIL_DIR, f)).subject}`);
      throw new Error(`message ${n} to ${to} did not arrive in ${MAIL_DIR} within ${timeoutMs} ms; `
        + `${files.length} did${subjects.length ? `:\n  ${subjects.join('\n  ')}` : ''}`);
    }
    await sleep(100);
  }
}

/** The first http(s) URL in the text part of `mail` that contains `needle`. */
export function linkIn(mail, needle) {
  const hit = mail.links.find((l) => l.includes(needle));
  if (!hit) {
    throw new Error(`no link containing ${JSON.stringify(needle)} in "${mail.subject}" (${mail.file}); `
      + `links: ${JSON.stringify(mail.links)}\n${mail.text}`);
  }
  return hit;
}

/** Reads and decodes one .eml file. */
export function readMail(file) {
  // latin1 keeps one character per byte, so any 8-bit part can be decoded later.
  const root = parseEntity(readFileSync(file).toString('latin1'));
  const leaves = [];
  const walk = (e) => (e.parts ? e.parts.forEach(walk) : leaves.push(e));
  walk(root);
  const text = leaves.find((e) => e.type === 'text/plain')?.body ?? '';
  const html = leaves.find((e) => e.type === 'text/html')?.body ?? '';
  const links = [...new Set(text.match(/https?:\/\/[^\s<>"')\]]+/g) || [])];
  return {
    file,
    subject: decodeHeader(root.headers.subject ?? ''),
    from: decodeHeader(root.headers.from ?? ''),
    to: decodeHeader(root.headers.to ?? ''),
    text,
    html,
    links,
  };
}

function parseEntity(raw) {
  const sep = /\r?\n\r?\n/.exec(raw);
  const head = sep ? raw.slice(0, sep.index) : raw;
  const body = sep ? raw.slice(sep.index + sep[0].length) : '';
  const headers = {};
  // Unfold (a line break before white space continues the header), then split.
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  const contentType = headers['content-type'] || 'text/plain; charset=us-ascii';
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(contentType, 'boundary');
    if (!boundary) throw new Error(`multipart entity without a boundary: ${contentType}`);
    const parts = [];
    // The first piece is the preamble; a piece starting with "--" follows the closing delimiter.
    for (const piece of body.split(`--${boundary}`).slice(1)) {
      if (piece.startsWith('--')) break;
      parts.push(parseEntity(piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '')));
    }
    return { headers, type, parts };
  }
  const charset = headerParam(contentType, 'charset') || 'utf-8';
  const encoding = (headers['content-transfer-encoding'] || '7bit').trim().toLowerCase();
  let bytes;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'latin1');
  return { headers, type, body: decodeBytes(bytes, charset).replace(/\r\n/g, '\n') };
}

function headerParam(value, name) {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : '';
}

function decodeBytes(bytes, charset) {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function decodeQuotedPrintable(s) {
  // Trailing white space is not part of a line; "=" at the end of a line is a soft break.
  return hexBytes(s.replace(/[ \t]+(?=\r?\n|$)/g, '').replace(/=\r?\n/g, ''));
}

/** Bytes of `text` (one per character) with each =XX replaced by that byte. */
function hexBytes(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** A header value with RFC 2047 encoded words (=?charset?B|Q?...?=) decoded. */
function decodeHeader(raw) {
  const word = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;
  // Raw 8-bit header bytes are UTF-8; white space between encoded words is dropped.
  const value = Buffer.from(raw, 'latin1').toString('utf8')
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?[^?]+\?[bBqQ]\?[^?]*\?=)/g, '$1');
  return value.replace(word, (_, charset, enc, data) => {
    const bytes = enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64')
      : hexBytes(data.replace(/_/g, ' '));
    return decodeBytes(bytes, charset.replace(/\*.*$/, ''));
  });
}

// --- the server's command line ------------------------------------------------

/**
 * The server's binary and data directory, exported by scripts/e2e.sh when it
 * starts the server itself (KW_BIN, KW_DATA_DIR); empty for a server started
 * elsewhere (KW_BASE), whose database the tests cannot reach.
 */
export const KW_BIN = process.env.KW_BIN || '';
export const KW_DATA_DIR = process.env.KW_DATA_DIR || '';

/**
 * Runs `kawaraban --data-dir KW_DATA_DIR ...args` against the running
 * server's database and resolves its standard output; rejects with stderr
 * when it fails.
 */
export function kawaraban(...args) {
  if (!KW_BIN || !KW_DATA_DIR) {
    return Promise.reject(new Error('KW_BIN and KW_DATA_DIR are not set: run the suite with scripts/e2e.sh, which starts the server'));
  }
  return new Promise((resolve, reject) => {
    execFile(KW_BIN, ['--data-dir', KW_DATA_DIR, ...args], { timeout: 60_000, env: { ...process.env, KAWARABAN_LOG: 'warn' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kawaraban ${args.join(' ')} failed (${err.message}):\n${stderr}${stdout}`));
        else resolve(stdout);
      });
  });
}

/** The browser problems of the page, as a note for a failure message. */
export function problemsNote(page) {
  const problems = page.problems();
  return problems.length ? `\nthe browser reported:\n  ${problems.join('\n  ')}` : '';
}

export async function headingText(page) {
  return (await page.locator('main h1').first().innerText({ timeout: 1000 }).catch(() => '(no main h1)')).trim();
}

/** Waits for a main heading containing `text`; fails naming what is there instead. */
export async function expectHeading(page, text, timeout = 15_000) {
  try {
    await page.locator('main h1', { hasText: text }).first().waitFor({ state: 'visible', timeout });
  } catch {
    const body = (await page.locator('main').first().innerText({ timeout: 1000 }).catch(() => '')).trim().slice(0, 400);
    assert.fail(`${page.url()}: expected a heading containing "${text}", found "${await headingText(page)}"\n${body}${problemsNote(page)}`);
  }
}

/** Waits for the browser to land where `test` says; fails naming where it is. */
export async function expectUrl(page, test, what, timeout = 20_000) {
  try {
    await page.waitForURL((u) => test(u), { timeout });
  } catch {
    assert.fail(`expected to land on ${what}; the browser is at ${page.url()} ("${await headingText(page)}")${problemsNote(page)}`);
  }
}
