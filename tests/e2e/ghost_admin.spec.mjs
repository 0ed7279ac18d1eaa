// Ghost's own Admin API client (@tryghost/admin-api, as Ghost's
// integrations use it) against the running demo: an admin key from
// `kawaraban api-key add NAME --kind admin` (the CLI on the server's
// database: KW_BIN, KW_DATA_DIR), then the site, a post added from HTML,
// read back, edited from what was read, a stale edit refused with Ghost's
// collision error, an image uploaded and made the post's feature image as
// it is published, the post read on the site, found among the published
// ones and taken down; and the errors the client raises for an unknown
// key, an author's key editing, and a field of the wrong type.
//
// Node's resolver does not know *.localhost, so the client talks to
// 127.0.0.1: the network's default site (the news site) answers it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import GhostAdminAPI from '@tryghost/admin-api';
import { PORT, KW_BIN, kawaraban } from './lib.mjs';

const API_URL = `http://127.0.0.1:${PORT}`;
const needsCli = !KW_BIN && 'needs the server started by scripts/e2e.sh (KW_BIN, KW_DATA_DIR)';

async function newKey(name, ...more) {
  const key = (await kawaraban('api-key', 'add', name, '--kind', 'admin', ...more)).trim();
  assert.match(key, /^[0-9a-f]{24}:[0-9a-f]{64}$/, `an admin key, got ${key}`);
  return key;
}

function client(key) {
  return new GhostAdminAPI({ url: API_URL, key, version: 'v5.0' });
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    let c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A PNG of one colour, new on every run (so the library takes it as a new image). */
function png(width, height) {
  const rgb = [0, 1, 2].map(() => Math.floor(Math.random() * 256));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function sitePage(url) {
  const r = await fetch(`${API_URL}${new URL(url).pathname}`);
  return { status: r.status, text: await r.text() };
}

test("Ghost's admin client adds, edits, publishes and takes down a post with an uploaded image", { skip: needsCli }, async () => {
  const api = client(await newKey('e2e ghost admin client'));

  const site = await api.site.read();
  assert.ok(site.title && site.url, JSON.stringify(site));

  const title = `Night ferry timetable ${Date.now()}`;
  const added = await api.posts.add({
    title,
    html: '<p>The <strong>winter</strong> timetable starts on Monday.</p><p>Fewer sailings until March.</p>',
    custom_excerpt: 'Fewer sailings until March.',
    tags: ['Ferries'],
  }, { source: 'html' });
  assert.equal(added.status, 'draft');
  assert.equal(added.title, title);
  assert.equal(added.published_at, null);
  assert.ok(added.id && added.uuid && added.updated_at, JSON.stringify(added).slice(0, 300));

  const read = await api.posts.read({ id: added.id }, { formats: 'html' });
  assert.match(read.html, /<strong>winter<\/strong>/);
  assert.equal(read.updated_at, added.updated_at, 'read back as it was saved');
  assert.equal(read.custom_excerpt, 'Fewer sailings until March.');
  assert.deepEqual(read.tags.map((t) => t.name), ['Ferries']);

  const edited = await api.posts.edit({ id: read.id, updated_at: read.updated_at, title: `${title}, from Monday` });
  assert.equal(edited.title, `${title}, from Monday`);
  assert.equal(edited.custom_excerpt, 'Fewer sailings until March.', 'fields left out stay');
  assert.notEqual(edited.updated_at, read.updated_at);

  // A second edit from the first read is someone else's stale copy.
  await assert.rejects(
    api.posts.edit({ id: read.id, updated_at: read.updated_at, title: 'Overwritten' }),
    (e) => {
      assert.equal(e.name, 'UpdateCollisionError');
      assert.match(e.message, /Someone else is editing this post/);
      return true;
    },
  );

  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kw-ghost-admin-')), 'harbour.png');
  writeFileSync(file, png(640, 360));
  const image = await api.images.upload({ file, ref: 'harbour.png' });
  assert.match(image.url, /\/media\/[0-9a-f]{64}-\d+\.jpg$/, image.url);
  assert.equal(image.ref, 'harbour.png');
  assert.equal((await fetch(`${API_URL}${new URL(image.url).pathname}`)).status, 200);

  const published = await api.posts.edit({
    id: edited.id,
    updated_at: edited.updated_at,
    status: 'published',
    feature_image: image.url,
    feature_image_alt: 'The harbour at dusk',
  });
  assert.equal(published.status, 'published');
  assert.equal(published.feature_image, image.url);
  assert.ok(published.published_at, 'published now');

  const onSite = await sitePage(published.url);
  assert.equal(onSite.status, 200, published.url);
  assert.ok(onSite.text.includes(`${title}, from Monday`), 'the headline on the page');
  assert.match(onSite.text, /<strong>winter<\/strong>/);
  assert.ok(onSite.text.includes(new URL(image.url).pathname.replace(/-\d+\.jpg$/, '')), 'the feature image on the page');

  const out = await api.posts.browse({ filter: 'status:published', limit: 15, formats: 'html' });
  assert.ok(out.some((p) => p.id === published.id), 'among the published posts');
  assert.ok(out.meta.pagination.total >= out.length);
  assert.ok(out.every((p) => p.status === 'published' && typeof p.html === 'string'));

  await api.posts.delete({ id: published.id });
  assert.equal((await sitePage(published.url)).status, 410, 'taken down');
  const kept = await api.posts.read({ id: published.id });
  assert.equal(kept.status, 'draft', 'kept, as a draft');
});

test("the admin client's errors name the problem: an unknown key, an author's key on another's post, a wrong type", { skip: needsCli }, async () => {
  const stranger = client(`${'0'.repeat(24)}:${'ab'.repeat(32)}`);
  await assert.rejects(stranger.posts.browse(), (e) => {
    assert.equal(e.name, 'UnauthorizedError');
    assert.equal(e.code, 'UNKNOWN_ADMIN_API_KEY');
    return true;
  });

  const author = client(await newKey('e2e ghost admin author', '--role', 'author'));
  const post = await author.posts.add({ title: `Wire: port strike ends ${Date.now()}`, html: '<p>Dockers return.</p>' }, { source: 'html' });
  assert.equal(post.status, 'draft');
  // Its own post is its to edit, as an author's on the desk; another
  // author's key may not, and the list of every post takes an editor's.
  const edited = await author.posts.edit({ id: post.id, updated_at: post.updated_at, title: 'Port strike ends after nine days' });
  assert.equal(edited.title, 'Port strike ends after nine days');
  const other = client(await newKey('e2e ghost admin other author', '--role', 'author'));
  await assert.rejects(
    other.posts.edit({ id: post.id, updated_at: edited.updated_at, title: 'Changed' }),
    (e) => e.name === 'NoPermissionError',
  );
  await assert.rejects(author.posts.browse(), (e) => e.name === 'NoPermissionError');

  const api = client(await newKey('e2e ghost admin checks'));
  await assert.rejects(api.posts.add({ title: 'Flagged', featured: 'yes' }), (e) => {
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.property, 'featured');
    assert.match(e.message, /true or false/);
    return true;
  });
  await assert.rejects(api.posts.read({ id: '999999999' }), (e) => e.name === 'NotFoundError');
});
