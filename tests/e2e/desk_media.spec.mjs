// The desk's media library and staff invitations, the way newsroom staff
// use them in the browser.
//
// An editor writes a story with photos: one dropped onto the body (a
// DataTransfer with a real PNG, made here), one pasted (a ClipboardEvent
// carrying one); each lands in the media library (/desk/media), the body
// gets its Markdown and the live preview shows it. A third photo is
// uploaded with the media page's form, with a caption, credit and alt
// text; the editor takes it as the story's hero image by its id; the
// published article shows it with those words, in the renditions of its
// srcset (each one loading, at its width). Bad uploads (a text file named
// .jpg, a PNG claiming 60,000 x 60,000 pixels, a file over the size limit)
// get a clear message on the media page and add nothing to the library.
// What a writer does next after a drop (type on, paste another photo, drop
// two at once) leaves every image's Markdown whole, the caret after it; an
// upload's note stays up while the autosave's come and go.
// An admin invites a new address as contributor on the news site; the
// mailed one-time link signs the new member in and lands on the desk,
// where they can submit a story on news but get the themed refusal on
// travel's desk; the link does not work twice; once the admin removes the
// grant the member is refused on the news desk too. axe-core on the
// invitation's sign-in page at 1280 and 390 px.
//
// Staff accounts come from `kawaraban user add` (KW_BIN, KW_DATA_DIR) and
// mail from the SMTP sink (KAWARABAN_TEST_MAIL_DIR), as in
// desk_stories.spec.mjs and newsletters.spec.mjs; without them the tests
// are skipped. Images are new per run (their pixels carry a token of the
// run), since the library stores an image once by its content.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import {
  DESKTOP, PHONE, BASE, url, launchBrowser, newPage, open, settle, axeSerious, formatAxe, horizontalOverflow,
  uniqueEmail, KW_BIN, KW_DATA_DIR, kawaraban, MAIL_DIR, waitForMail, linkIn, problemsNote, headingText,
  expectHeading, expectUrl,
} from './lib.mjs';

const NEWS_HOST = new URL(BASE).host;
const TRAVEL_HOST = new URL(url('/', 'travel')).host;

const skipCli = (!KW_BIN || !KW_DATA_DIR)
  ? 'KW_BIN and KW_DATA_DIR are not set: the desk tests make staff accounts with the CLI on the database of the server scripts/e2e.sh starts'
  : false;
const skipMail = skipCli || (MAIL_DIR ? false
  : 'KAWARABAN_TEST_MAIL_DIR is not set: run with scripts/e2e.sh, which starts the SMTP sink and points the server at it');

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const RUN = Date.now();
let made = 0;
const headline = (words) => `${words} ${RUN} ${++made}`;
const slugOf = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// --- images made here -------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function ihdr(w, h) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d[8] = 8; // bit depth
  d[9] = 2; // truecolour RGB
  return chunk('IHDR', d); // compression, filter, interlace: 0
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid RGB PNG of w x h: a diagonal gradient whose colours depend on
 * `seed`, so that every run (and every seed) gives new bytes.
 */
function png(w, h, seed) {
  const s = seed % 251;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const p = row + 1 + x * 3;
      raw[p] = (x + s) & 0xff;
      raw[p + 1] = (y * 2 + s * 3) & 0xff;
      raw[p + 2] = ((x + y) >> 1 ^ s) & 0xff;
    }
  }
  return Buffer.concat([PNG_SIGNATURE, ihdr(w, h), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG header claiming 60,000 x 60,000 pixels (3.6 gigapixels) and a few bytes of pixels: a pixel bomb. */
function pixelBomb(seed) {
  const idat = zlib.deflateSync(Buffer.alloc(1024, seed % 256));
  return Buffer.concat([PNG_SIGNATURE, ihdr(60_000, 60_000), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

// --- accounts ---------------------------------------------------------------

let browser;
const staff = { kenji: null };

before(async () => {
  browser = await launchBrowser();
  if (skipCli) return;
  const page = await newPage(browser, DESKTOP);
  try {
    const who = await cliAccount(page, 'admin', `Kenji Mori ${Math.random().toString(36).slice(2, 7)}`);
    staff.kenji = { ...who, state: await page.context().storageState() };
  } finally {
    await page.closeAll();
  }
});

after(async () => { await browser?.close(); });

/** `kawaraban user add EMAIL --role ROLE`, then its printed one-time link followed in `page`. */
async function cliAccount(page, role, name) {
  const email = uniqueEmail(role);
  const out = await kawaraban('user', 'add', email, '--name', name, '--role', role, '--site', 'news');
  const link = out.match(/https?:\/\/\S+\/login\/link\/\S+/)?.[0];
  assert.ok(link, `expected kawaraban user add to print a sign-in link; it printed:\n${out}`);
  await open(page, link);
  await expectHeading(page, 'Sign in to');
  await page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectUrl(page, (u) => u.host === NEWS_HOST && u.pathname === '/account', `/account after the sign-in link of ${email}`);
  return { email, name };
}

async function as(who, fn, viewport = DESKTOP) {
  const page = await newPage(browser, viewport, { storageState: who.state });
  try {
    return await fn(page);
  } finally {
    await page.closeAll();
  }
}

// --- the editor and the library ----------------------------------------------

async function openEditor(page, id) {
  await open(page, url(id === 'new' ? '/desk/stories/new' : `/desk/stories/${id}`));
  await page.locator('#story-form .editor-toolbar').waitFor({ state: 'visible' });
}

/**
 * Starts recording what the editor's upload note (#upload-note) says, every
 * change of it; read with `notes(page)`.
 */
async function watchNotes(page) {
  await page.evaluate(() => {
    const el = document.getElementById('upload-note');
    window.kwNotes = [];
    new MutationObserver(() => window.kwNotes.push(el.textContent.trim())).observe(el, { childList: true, characterData: true, subtree: true });
  });
}
const notes = (page) => page.evaluate(() => window.kwNotes || []);

/** Presses the editor's button `name` and checks the save: a 303 back to the editor saying "Saved as version N.". */
async function save(page, name, what) {
  const button = page.locator('#story-form .story-buttons').getByRole('button', { name, exact: true });
  assert.equal(await button.count(), 1, `${what}: expected one "${name}" button on ${page.url()}`);
  const [landed] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  let req = landed.request();
  while (req.redirectedFrom()) req = req.redirectedFrom();
  const status = (await req.response()).status();
  const notice = squash(await page.locator('main .form-notice').innerText({ timeout: 2000 }).catch(() => ''));
  const errors = squash(await page.locator('main .form-errors').innerText({ timeout: 500 }).catch(() => ''));
  assert.equal(status, 303, `${what}: expected the save to answer 303, it answered ${status} at ${page.url()}: "${errors || notice}"`);
  assert.match(notice, /Saved as version \d+\./, `${what}: expected "Saved as version N." on ${page.url()}, found "${notice}"`);
  const m = /^\/desk\/stories\/(\d+)$/.exec(new URL(page.url()).pathname);
  assert.ok(m, `${what}: expected to land on the story's editor, the browser is at ${page.url()}`);
  return Number(m[1]);
}

/**
 * Dispatches a drop (dragover first, as a browser does) or a paste of a
 * file with `bytes` on the element matching `selector`, with a
 * DataTransfer holding it, the way a browser delivers a dragged or pasted
 * file. Returns whether the page took it (preventDefault).
 */
function deliver(page, selector, kind, bytes, name, type = 'image/png') {
  return page.evaluate(({ selector, kind, b64, name, type }) => {
    const el = document.querySelector(selector);
    const bin = atob(b64);
    const data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([data], name, { type }));
    el.focus();
    if (kind === 'paste') {
      const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
      el.dispatchEvent(ev);
      return ev.defaultPrevented;
    }
    const over = new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true });
    el.dispatchEvent(over);
    const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
    el.dispatchEvent(drop);
    return over.defaultPrevented && drop.defaultPrevented;
  }, { selector, kind, b64: Buffer.from(bytes).toString('base64'), name, type });
}

/** Waits until the body holds Markdown for the image `hash`; returns the body. */
async function waitForImageMarkdown(page, hash, what) {
  const re = new RegExp(`!\\[[^\\]]*\\]\\(/media/${hash}-\\d+\\.jpg\\)`);
  try {
    await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('st-body').value), re.source, { timeout: 15_000 });
  } catch {
    const state = squash(await page.locator('#upload-note').textContent().catch(() => ''));
    assert.fail(`${what}: expected the body to get the Markdown ![…](/media/${hash}-W.jpg) within 15 s; `
      + `the body is ${JSON.stringify(await page.locator('#st-body').inputValue())}, the editor says "${state}"${problemsNote(page)}`);
  }
  return page.locator('#st-body').inputValue();
}

/** The library's entry for `hash` as /desk/media?q=hash shows it: null when it lists none. */
async function libraryEntry(page, hash) {
  await open(page, url(`/desk/media?q=${hash}`));
  const item = page.locator(`main li.media-item#image-${hash}`);
  if (await item.count() === 0) return null;
  const value = (sel) => item.locator(sel).inputValue();
  return {
    item,
    name: await value(`#n-${hash}`),
    caption: await value(`#c-${hash}`),
    credit: await value(`#r-${hash}`),
    alt: await value(`#a-${hash}`),
    thumbLoaded: await item.locator('img').evaluate(async (img) => {
      img.loading = 'eager';
      if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
      return img.naturalWidth > 0;
    }),
  };
}

/** The newest images of the library's first page, by hash. */
const libraryHashes = async (page) => {
  await open(page, url('/desk/media'));
  return page.$$eval('main li.media-item', (lis) => lis.map((li) => li.id.replace(/^image-/, '')));
};

// --- the tests ----------------------------------------------------------------

describe('the media library', { skip: skipCli }, () => {
  it('an editor writes a story with photos: dropped and pasted into the body (in the library, the Markdown in the body, the live preview showing them), a hero image uploaded on /desk/media with its words, published with that caption, credit and alt in its renditions', () => as(staff.kenji, async (page) => {
    const title = headline('Harbour lights festival opens');
    const dropped = png(320, 200, RUN + 1);
    const pasted = png(360, 240, RUN + 2);
    const hero = png(1000, 600, RUN + 3);
    const [dropHash, pasteHash, heroHash] = [dropped, pasted, hero].map(sha256);

    await openEditor(page, 'new');
    await page.locator('#st-title').fill(title);
    await page.locator('#st-summary').fill('Lanterns line the quay for three nights.');
    await page.locator('#st-section').selectOption('national');
    await page.locator('#st-body').fill('Lanterns went up along the quay at dusk.\n\n');
    await page.locator('#st-body').press('Control+End');
    await watchNotes(page);

    // Dropped onto the body.
    assert.ok(await deliver(page, '#st-body', 'drop', dropped, `quay-${RUN}.png`), 'expected the editor to take the dropped image (preventDefault on dragover and drop)');
    let body = await waitForImageMarkdown(page, dropHash, 'the dropped photo');
    const said = await notes(page);
    assert.ok(said.some((n) => n === `quay-${RUN}.png is in the media library.`),
      `expected the editor to say "quay-${RUN}.png is in the media library."; it said ${JSON.stringify(said)}`);

    // Pasted into the body, the caret at its end (where a writer goes on).
    await page.locator('#st-body').press('Control+End');
    await page.locator('#st-body').pressSequentially('Boats joined after dark.\n\n');
    assert.ok(await deliver(page, '#st-body', 'paste', pasted, 'image.png'), 'expected the editor to take the pasted image (preventDefault on paste)');
    body = await waitForImageMarkdown(page, pasteHash, 'the pasted photo');
    assert.match(body, new RegExp(`/media/${dropHash}-\\d+\\.jpg`), `expected the pasted photo to leave the dropped one's Markdown in the body: ${JSON.stringify(body)}`);
    assert.match(body, /Lanterns went up along the quay at dusk\./, `expected the typed text to stay in the body: ${JSON.stringify(body)}`);
    assert.match(body, /Boats joined after dark\./, `expected the typed text to stay in the body: ${JSON.stringify(body)}`);
    const images = [...body.matchAll(/!\[([^\]]*)\]\((\/media\/[0-9a-f]{64}-\d+\.jpg)\)/g)].map((m) => m[2]);
    assert.equal(images.length, 2, `expected exactly two images' Markdown in the body, found ${images.length}: ${JSON.stringify(body)}`);
    assert.ok(!/!\[[^\]]*!\[/.test(body), `expected the two images' Markdown side by side, not one inside the other: ${JSON.stringify(body)}`);

    // The live preview (the site's template) shows both, loaded.
    const frame = page.frameLocator('#live-preview-frame');
    for (const [hash, what] of [[dropHash, 'dropped'], [pasteHash, 'pasted']]) {
      const img = frame.locator(`img[src*="${hash}"]`);
      try {
        await img.first().waitFor({ state: 'attached', timeout: 10_000 });
      } catch {
        assert.fail(`expected the live preview to show the ${what} photo (img src containing ${hash}) within 10 s; `
          + `preview shown: ${await page.locator('section.live-preview').isVisible()}${problemsNote(page)}`);
      }
      const loaded = await img.first().evaluate(async (el) => {
        if (!el.complete) await new Promise((r) => { el.onload = r; el.onerror = r; });
        return el.naturalWidth;
      });
      assert.ok(loaded > 0, `expected the ${what} photo to load in the live preview (naturalWidth ${loaded})`);
    }

    // The media page's form, with the photo's words.
    const words = { caption: `Lanterns over the quay at dusk ${RUN}`, credit: `Mika Arai ${RUN}`, alt: `Rows of red paper lanterns above a quay ${RUN}` };
    const library = await newPage(browser, DESKTOP, { storageState: staff.kenji.state });
    try {
      for (const [hash, what] of [[dropHash, 'dropped'], [pasteHash, 'pasted']]) {
        const entry = await libraryEntry(library, hash);
        assert.ok(entry, `expected the ${what} photo (${hash}) to be in the media library on /desk/media`);
        assert.ok(entry.thumbLoaded, `expected the ${what} photo's thumbnail to load on /desk/media`);
      }
      assert.equal((await libraryEntry(library, dropHash)).name, `quay-${RUN}.png`, 'expected the dropped photo to be named after its file in the library');

      await open(library, url('/desk/media'));
      const form = library.locator('form.media-upload');
      await form.getByLabel(/^Image \(JPEG/).setInputFiles({ name: `lanterns-${RUN}.png`, mimeType: 'image/png', buffer: hero });
      await form.getByLabel('Caption').fill(words.caption);
      await form.getByLabel('Credit').fill(words.credit);
      await form.getByLabel('Alt text').fill(words.alt);
      await Promise.all([library.waitForNavigation({ waitUntil: 'load' }), form.getByRole('button', { name: 'Upload' }).click()]);
      assert.equal(new URL(library.url()).searchParams.get('q'), heroHash,
        `expected the upload to land on /desk/media?q=<its hash> (${heroHash}); the browser is at ${library.url()}`);
      const entry = await libraryEntry(library, heroHash);
      assert.ok(entry, `expected the uploaded hero photo (${heroHash}) in the media library`);
      assert.deepEqual({ caption: entry.caption, credit: entry.credit, alt: entry.alt }, words, 'expected the library to keep the caption, credit and alt typed with the upload');
      assert.equal(squash(await entry.item.locator('code.media-id').textContent()), heroHash, 'expected the library to show the photo\'s id for a hero image');
      assert.match(squash(await entry.item.locator('summary').textContent()), /1000×600/, 'expected the library to give the photo\'s size, 1000×600');
      assert.deepEqual(library.problems(), [], 'expected no browser problems on /desk/media');
    } finally {
      await library.closeAll();
    }

    // The hero image by its id, the story's own words left empty: the library's come with it.
    await page.locator('details.story-more summary').click();
    await page.locator('#st-image').fill(heroHash);
    const id = await save(page, 'Publish or schedule', 'publishing the story with photos');
    assert.equal(await page.locator('#st-image').inputValue(), heroHash, 'expected the saved story to keep the hero image\'s id');
    assert.deepEqual({
      caption: await page.locator('#st-caption').inputValue(),
      credit: await page.locator('#st-credit').inputValue(),
      alt: await page.locator('#st-alt').inputValue(),
    }, words, 'expected the saved story to take the library\'s caption, credit and alt text for its hero image');
    const slug = await page.locator('#st-slug').inputValue();
    assert.equal(slug, slugOf(title), 'expected the slug made from the headline');
    assert.match(squash(await page.locator('main .story-meta .story-status').getAttribute('class')), /\bstory-published\b/, `expected story ${id} to be published`);

    // The public article.
    const reader = await newPage(browser, DESKTOP);
    try {
      await open(reader, url(`/national/${slug}`));
      assert.equal(squash(await reader.locator('main h1').first().textContent()), title, 'expected the article\'s headline');
      const figure = reader.locator('figure.hero');
      assert.equal(await figure.count(), 1, 'expected the article to show one hero figure');
      const img = figure.locator('img');
      assert.equal(await img.getAttribute('alt'), words.alt, 'expected the hero photo\'s alt text from the library');
      assert.equal(squash(await figure.locator('figcaption .caption').textContent()), words.caption, 'expected the hero photo\'s caption');
      assert.equal(squash(await figure.locator('figcaption .credit').textContent()), `Image: ${words.credit}`, 'expected the hero photo\'s credit');
      const srcset = (await img.getAttribute('srcset')) ?? '';
      const candidates = srcset.split(',').map((c) => c.trim().split(/\s+/)).filter((c) => c[0]);
      assert.deepEqual(candidates.map((c) => c[1]), ['480w', '800w'],
        `expected the 1000 px photo in the site's 480 and 800 px renditions (none wider than the original), srcset "${srcset}"`);
      for (const [src, w] of candidates) {
        assert.equal(src, `/media/${heroHash}-${parseInt(w, 10)}.jpg`, `expected the rendition ${w} to be /media/${heroHash}-${parseInt(w, 10)}.jpg`);
        const got = await reader.evaluate(async (s) => {
          const r = await fetch(s);
          const bmp = r.ok ? await createImageBitmap(await r.blob()) : null;
          return { status: r.status, type: r.headers.get('content-type'), width: bmp?.width, height: bmp?.height };
        }, src);
        const width = parseInt(w, 10);
        assert.deepEqual(got, { status: 200, type: 'image/jpeg', width, height: Math.round(600 * width / 1000) },
          `expected ${src} to be a ${width} px wide JPEG`);
      }
      const shown = await img.evaluate(async (el) => {
        if (!el.complete) await new Promise((r) => { el.onload = r; el.onerror = r; });
        return { natural: el.naturalWidth, current: el.currentSrc };
      });
      assert.ok(shown.natural > 0 && shown.current.includes(heroHash), `expected the hero photo to load from a rendition, got ${JSON.stringify(shown)}`);
      // The body's photos, on the page too.
      for (const [hash, what] of [[dropHash, 'dropped'], [pasteHash, 'pasted']]) {
        const inBody = reader.locator(`main img[src*="${hash}"]`);
        assert.equal(await inBody.count(), 1, `expected the ${what} photo in the article's body`);
        const w = await inBody.evaluate(async (el) => {
          el.loading = 'eager';
          if (!el.complete) await new Promise((r) => { el.onload = r; el.onerror = r; });
          return el.naturalWidth;
        });
        assert.ok(w > 0, `expected the ${what} photo to load on the article page`);
      }
      assert.deepEqual(reader.problems(), [], 'expected no browser problems on the article page');
    } finally {
      await reader.closeAll();
    }
    assert.deepEqual(page.problems(), [], 'expected no browser problems in the editor');
  }));

  it('after a dropped photo the writer goes on: typing, pasting a second photo and dropping two at once keep every image\'s Markdown, side by side', () => as(staff.kenji, async (page) => {
    const failures = [];
    const md = (hash) => new RegExp(`!\\[[^\\][]*\\]\\(/media/${hash}-\\d+\\.jpg\\)`);
    const waitFor = (hash) => page.waitForFunction((h) => document.getElementById('st-body').value.includes(`/media/${h}-`), hash, { timeout: 10_000 })
      .catch(() => {});
    const start = async () => {
      await openEditor(page, 'new');
      await page.locator('#st-body').fill('Start.\n');
      await page.locator('#st-body').press('Control+End');
    };
    const [a, b, c, d, e] = [21, 22, 23, 24, 25].map((n) => png(120, 80, RUN + n));
    const [ha, hb, hc, hd, he] = [a, b, c, d, e].map(sha256);

    // Typing right after a drop.
    await start();
    await deliver(page, '#st-body', 'drop', a, 'a.png');
    await waitFor(ha);
    await page.keyboard.type('Next line.');
    let body = await page.locator('#st-body').inputValue();
    if (!md(ha).test(body) || !body.includes('Next line.')) failures.push(`typing after a drop: expected the photo's Markdown and the typed words, the body is ${JSON.stringify(body)}`);
    // The upload's note outlives the autosave's (every 3 s).
    await page.waitForTimeout(4000);
    const upNote = squash(await page.locator('#upload-note').textContent());
    if (upNote !== 'a.png is in the media library.') failures.push(`expected the upload note to still say "a.png is in the media library." after an autosave, it says "${upNote}"`);

    // Pasting right after a drop.
    await start();
    await deliver(page, '#st-body', 'drop', b, 'b.png');
    await waitFor(hb);
    await deliver(page, '#st-body', 'paste', c, 'c.png');
    await waitFor(hc);
    body = await page.locator('#st-body').inputValue();
    if (!md(hb).test(body) || !md(hc).test(body)) failures.push(`a paste right after a drop: expected two images side by side, the body is ${JSON.stringify(body)}`);

    // Two photos in one drop.
    await start();
    await page.evaluate(({ files }) => {
      const el = document.getElementById('st-body');
      const dt = new DataTransfer();
      for (const f of files) {
        const bin = atob(f.b64);
        dt.items.add(new File([Uint8Array.from(bin, (ch) => ch.charCodeAt(0))], f.name, { type: 'image/png' }));
      }
      el.focus();
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { files: [['d.png', d], ['e.png', e]].map(([name, bytes]) => ({ name, b64: bytes.toString('base64') })) });
    await waitFor(hd);
    await waitFor(he);
    body = await page.locator('#st-body').inputValue();
    if (!md(hd).test(body) || !md(he).test(body)) failures.push(`two photos in one drop: expected two images side by side, the body is ${JSON.stringify(body)}`);
    assert.ok(failures.length === 0, failures.join('\n'));
  }));

  it('bad uploads: a text file named .jpg, a pixel bomb and a file over the size limit each get a clear message on /desk/media, and nothing is added to the library', () => as(staff.kenji, async (page) => {
    const text = Buffer.from(`Not a photo at all, run ${RUN}.\n`.repeat(40));
    const bomb = pixelBomb(RUN);
    const cases = [
      { what: 'a text file named .jpg', name: `notes-${RUN}.jpg`, mimeType: 'image/jpeg', buffer: text, message: /notes-\d+\.jpg.*not a JPEG, PNG or WebP image/i },
      { what: 'a pixel bomb (60,000 x 60,000 PNG)', name: `bomb-${RUN}.png`, mimeType: 'image/png', buffer: bomb, message: /too large \(60000x60000 pixels\)/ },
    ];
    const before = await libraryHashes(page);
    for (const c of cases) {
      await open(page, url('/desk/media'));
      const form = page.locator('form.media-upload');
      await form.getByLabel(/^Image \(JPEG/).setInputFiles({ name: c.name, mimeType: c.mimeType, buffer: c.buffer });
      await form.getByLabel('Caption').fill(`Should never be stored ${RUN}`);
      const [nav] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.getByRole('button', { name: 'Upload' }).click()]);
      assert.equal(nav.status(), 422, `${c.what}: expected the media page to answer 422 with the error, it answered ${nav.status()} at ${page.url()}`);
      const alert = page.locator('main .form-errors[role=alert]');
      assert.equal(await alert.count(), 1, `${c.what}: expected an error (role=alert) on ${page.url()}, the page says "${squash(await page.locator('main').innerText()).slice(0, 300)}"`);
      assert.match(squash(await alert.textContent()), c.message, `${c.what}: expected the error to say ${c.message}`);
      assert.equal(await libraryEntry(page, sha256(c.buffer)), null, `${c.what}: expected nothing in the library under its hash`);
    }

    // Over the 25 MB limit: a real PNG header, then padding.
    const big = Buffer.concat([png(64, 64, RUN + 9), Buffer.alloc(26 * 1024 * 1024, 7)]);
    await open(page, url('/desk/media'));
    const form = page.locator('form.media-upload');
    await form.getByLabel(/^Image \(JPEG/).setInputFiles({ name: `huge-${RUN}.png`, mimeType: 'image/png', buffer: big });
    let nav;
    try {
      [nav] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 }), form.getByRole('button', { name: 'Upload' }).click()]);
    } catch (e) {
      assert.fail(`a 26 MB file: expected the media page back with an error, the browser got no page (${e.message}), at ${page.url()}`);
    }
    const alert = squash(await page.locator('main .form-errors[role=alert]').textContent({ timeout: 2000 }).catch(() => ''));
    assert.equal(nav?.status(), 422, `a 26 MB file: expected the media page to answer 422 with an error, it answered ${nav?.status()} at ${page.url()} ("${await headingText(page)}", error "${alert}")`);
    assert.match(alert, /at most 25 MB/, `a 26 MB file: expected the error to say files are at most 25 MB, it says "${alert}"`);
    assert.equal(await libraryEntry(page, sha256(big)), null, 'a 26 MB file: expected nothing in the library under its hash');

    assert.deepEqual(await libraryHashes(page), before, 'expected the library\'s first page to be as before the bad uploads');
    // In the editor too: a refused drop says why and leaves the body alone.
    await openEditor(page, 'new');
    await page.locator('#st-body').fill('Body before.\n');
    await watchNotes(page);
    assert.ok(await deliver(page, '#st-body', 'drop', bomb, `bomb-${RUN}.png`), 'expected the editor to take the dropped file');
    await page.waitForFunction(() => (window.kwNotes || []).some((n) => /too large/.test(n)), null, { timeout: 10_000 })
      .catch(async () => assert.fail(`expected the editor to say the dropped pixel bomb is too large; it said ${JSON.stringify(await notes(page))}`));
    assert.equal(await page.locator('#st-body').inputValue(), 'Body before.\n', 'expected a refused drop to leave the body as it was');
    assert.deepEqual(await libraryHashes(page), before, 'expected the library\'s first page to be as before the refused drop');
  }));
});

// --- staff invitations -----------------------------------------------------------

const isOwnAnswer = (p) => /^console error: Failed to load resource: the server responded with a status of (403|410)\b/.test(p);

describe('staff invitations', { skip: skipMail }, () => {
  it('an admin invites a new address as contributor on news: the mailed one-time link signs them in to the desk, they submit a story on news, travel\'s desk refuses them (themed 403), the link works once; removing the grant takes the desk away; axe-core on the invitation\'s page at 1280 and 390 px', async () => {
    const email = uniqueEmail('invitee');
    const name = `Hana Invitee ${Math.random().toString(36).slice(2, 7)}`;
    await as(staff.kenji, async (page) => {
      await open(page, url('/desk/staff'));
      const form = page.locator('main section[aria-labelledby=invite-heading] form');
      await form.getByLabel('Email address').fill(email);
      await form.getByLabel(/^Name/).fill(name);
      await form.getByLabel('Role on this site').selectOption('contributor');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.getByRole('button', { name: 'Invite' }).click()]);
      const notice = squash(await page.locator('main .form-notice').textContent({ timeout: 2000 }).catch(() => ''));
      const errors = squash(await page.locator('main .form-errors').textContent({ timeout: 500 }).catch(() => ''));
      assert.match(notice, new RegExp(`${email.replace(/[.+]/g, '\\$&')} has the contributor role on .+ and an email with a sign-in link\\.`),
        `expected the staff page to confirm the invitation, it says "${notice}" ${errors}`);
      const row = page.locator('main section[aria-labelledby=grants-heading] tbody tr', { hasText: email });
      assert.equal(await row.count(), 1, `expected ${email} in the site's staff table`);
      assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 3).map(squash), [name, email, 'contributor'], 'expected the staff table\'s row for the invitee');
    });

    const mail = await waitForMail(email, 1);
    assert.match(mail.subject, /^You are invited to the .+ newsroom$/, `expected the invitation's subject, got "${mail.subject}"`);
    assert.match(mail.text, /the contributor role on/, 'expected the invitation to name the contributor role');
    assert.match(mail.text, new RegExp(staff.kenji.name), 'expected the invitation to say who invited');
    const link = linkIn(mail, '/login/link/');
    assert.equal(new URL(link).host, NEWS_HOST, `expected the invitation's link on the news site, got ${link}`);

    // The invitation's page, before it is used: axe-core at both widths (a GET spends nothing).
    const failures = [];
    for (const [viewport, width] of [[DESKTOP, 1280], [PHONE, 390]]) {
      const look = await newPage(browser, viewport);
      try {
        await open(look, link);
        await expectHeading(look, 'Sign in to');
        await settle(look);
        const violations = await axeSerious(look);
        if (violations.length) failures.push(`${width}px: axe-core found ${violations.length} serious/critical violation(s):\n${formatAxe(violations)}`);
        if (width === PHONE.width) {
          const wide = await horizontalOverflow(look);
          if (wide.length) failures.push(`${width}px: the page scrolls sideways:\n  ${wide.join('\n  ')}`);
        }
        const problems = look.problems();
        if (problems.length) failures.push(`${width}px: the browser reported problems:\n  ${problems.join('\n  ')}`);
      } finally {
        await look.closeAll();
      }
    }
    assert.ok(failures.length === 0, `expected the invitation's sign-in page to pass axe-core with no browser problems:\n${failures.join('\n')}`);

    const member = await newPage(browser, DESKTOP);
    try {
      await open(member, link);
      await expectHeading(member, 'Sign in to');
      await member.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectUrl(member, (u) => u.host === NEWS_HOST && u.pathname === '/desk', '/desk after the invitation\'s link');
      await expectHeading(member, 'Desk');
      assert.equal(squash(await member.locator('.account-links .account-name').textContent({ timeout: 2000 }).catch(() => '(nobody)')), name,
        `expected the header to show ${name} signed in`);

      // A story on news: submitted, since a contributor does not publish.
      const title = headline('Tram line reopens in Arakawa');
      await openEditor(member, 'new');
      const labels = await member.$$eval('#story-form .story-buttons button', (bs) => bs.map((b) => b.textContent.trim()));
      assert.ok(labels.includes('Submit for review') && !labels.includes('Publish or schedule'),
        `expected a contributor to be offered "Submit for review" and not "Publish or schedule", got ${JSON.stringify(labels)}`);
      await member.locator('#st-title').fill(title);
      await member.locator('#st-section').selectOption('national');
      await member.locator('#st-body').fill('The tram runs again from Monday.\n');
      await save(member, 'Submit for review', 'the invitee submitting a story');
      assert.match(await member.locator('main .story-meta .story-status').getAttribute('class'), /\bstory-submitted\b/, 'expected the invitee\'s story to be submitted');

      // Travel's desk: the same member, no role there.
      const res = await open(member, url('/desk/stories/new', 'travel'), 403);
      assert.equal(new URL(member.url()).host, TRAVEL_HOST, `expected to stay on travel's desk, the browser is at ${member.url()}`);
      assert.equal(res.status(), 403, 'expected travel\'s desk to refuse the news contributor with 403');
      assert.ok(await member.locator('header .site-name').count() > 0, 'expected the refusal in the site\'s theme (header .site-name)');
      assert.match(squash(await member.locator('main').innerText()), /for the site's staff with the contributor role or above/,
        'expected the refusal to say which role the desk needs');
      assert.equal(await member.locator('#story-form').count(), 0, 'expected no editor on travel\'s refusal');

      // The link a second time, in a new browser.
      const again = await newPage(browser, DESKTOP);
      try {
        await open(again, link, 410);
        await expectHeading(again, 'This link has expired or was already used');
      } finally {
        await again.closeAll();
      }

      // The admin takes the grant away.
      await as(staff.kenji, async (page) => {
        await open(page, url('/desk/staff'));
        const row = page.locator('main section[aria-labelledby=grants-heading] tbody tr', { hasText: email });
        assert.equal(await row.count(), 1, `expected ${email} in the staff table before removing it`);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), row.getByRole('button', { name: 'Remove' }).click()]);
        assert.equal(new URL(page.url()).pathname, '/desk/staff', `expected Remove to land back on /desk/staff, the browser is at ${page.url()}`);
        assert.equal(await page.locator('main section[aria-labelledby=grants-heading] tbody tr', { hasText: email }).count(), 0,
          `expected ${email} gone from the staff table after Remove`);
      });
      await open(member, url('/desk/stories/new'), 403);
      assert.match(squash(await member.locator('main').innerText()), /for the site's staff with the contributor role or above/,
        'expected the news desk to refuse the member once the grant is removed');
      await open(member, url('/desk'), 403);
      assert.deepEqual(member.problems().filter((p) => !isOwnAnswer(p)), [], 'expected no browser problems for the invitee');
    } finally {
      await member.closeAll();
    }
  });
});
