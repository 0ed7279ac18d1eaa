// Ghost's own Content API client (@tryghost/content-api, as Ghost front
// ends use it) against the running demo: a content key from
// `kawaraban api-key add NAME --kind content` (the CLI on the server's
// database: KW_BIN, KW_DATA_DIR), then posts page by page with tags and
// authors, one post by slug, a tag, an author, the site's tags and authors,
// a filter, the settings; the
// errors the client raises for an unknown key, a bad parameter and a key
// revoked while it was in use.
//
// Node's resolver does not know *.localhost, so the client talks to
// 127.0.0.1: the network's default site (the news site) answers it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import GhostContentAPI from '@tryghost/content-api';
import { PORT, KW_BIN, kawaraban } from './lib.mjs';

const API_URL = `http://127.0.0.1:${PORT}`;
const needsCli = !KW_BIN && 'needs the server started by scripts/e2e.sh (KW_BIN, KW_DATA_DIR)';

async function newKey(name) {
  const key = (await kawaraban('api-key', 'add', name, '--kind', 'content')).trim();
  assert.match(key, /^[0-9a-f]{26}$/, `a content key, got ${key}`);
  return key;
}

test("Ghost's content client reads the demo's posts, tags, authors and settings", { skip: needsCli }, async () => {
  const api = new GhostContentAPI({ url: API_URL, key: await newKey('e2e ghost client'), version: 'v5.0' });

  const posts = await api.posts.browse({ limit: 5, include: 'tags,authors' });
  assert.equal(posts.length, 5);
  const { pagination } = posts.meta;
  assert.equal(pagination.page, 1);
  assert.equal(pagination.limit, 5);
  assert.ok(pagination.total > 5 && pagination.next === 2, JSON.stringify(pagination));
  for (const p of posts) {
    assert.ok(p.id && p.uuid && p.title && p.slug, JSON.stringify(p).slice(0, 200));
    assert.match(p.html, /<p>/);
    assert.ok(Array.isArray(p.tags) && Array.isArray(p.authors) && p.authors.length > 0, p.slug);
    assert.equal(p.primary_author.slug, p.authors[0].slug);
    assert.ok(new URL(p.url).pathname.endsWith(`/${p.slug}`), p.url);
  }
  const times = posts.map((p) => Date.parse(p.published_at));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');

  const next = await api.posts.browse({ limit: 5, page: 2 });
  assert.equal(next.length, 5);
  assert.equal(next.meta.pagination.prev, 1);
  assert.ok(!posts.some((p) => next.some((q) => q.id === p.id)), 'the second page holds other posts');

  const one = await api.posts.read({ slug: posts[0].slug }, { include: 'authors' });
  assert.equal(one.title, posts[0].title);
  assert.equal(one.html, posts[0].html);

  const withTag = posts.find((p) => p.tags.length > 0);
  assert.ok(withTag, 'a demo post with a tag');
  const tag = await api.tags.read({ slug: withTag.tags[0].slug });
  assert.equal(tag.name, withTag.tags[0].name);
  const tagged = await api.posts.browse({ filter: `tag:${tag.slug}`, include: 'tags', limit: 'all' });
  assert.ok(tagged.length > 0 && tagged.every((p) => p.tags.some((t) => t.slug === tag.slug)), `every post tagged ${tag.slug}`);
  const author = await api.authors.read({ slug: posts[0].authors[0].slug });
  assert.equal(author.name, posts[0].authors[0].name);

  const allTags = await api.tags.browse({ limit: 'all' });
  assert.ok(allTags.some((t) => t.slug === tag.slug), `${tag.slug} among the site's tags`);
  const authors = await api.authors.browse({ limit: 'all' });
  assert.ok(authors.some((a) => a.slug === author.slug), `${author.slug} among the site's authors`);
  assert.equal(authors.meta.pagination.total, authors.length);

  const titles = await api.posts.browse({ fields: 'title,slug', limit: 2 });
  assert.deepEqual(Object.keys(titles[0]).sort(), ['slug', 'title']);

  const settings = await api.settings.browse();
  assert.ok(settings.title, JSON.stringify(settings));
  assert.ok(settings.navigation.length > 0);

  const pages = await api.pages.browse();
  assert.equal(pages.length, 0);
});

test("the client's errors name the problem: an unknown key, a bad parameter, a revoked key", { skip: needsCli }, async () => {
  const stranger = new GhostContentAPI({ url: API_URL, key: '0123456789abcdef0123456789', version: 'v5.0' });
  await assert.rejects(stranger.posts.browse(), (e) => {
    assert.equal(e.name, 'UnauthorizedError');
    assert.match(e.message, /never issued|revoked/);
    return true;
  });

  const key = await newKey('e2e revoked');
  const api = new GhostContentAPI({ url: API_URL, key, version: 'v5.0' });
  await assert.rejects(api.posts.browse({ limit: 1000 }), (e) => {
    assert.equal(e.name, 'ValidationError');
    assert.match(e.message, /limit/);
    return true;
  });
  await assert.rejects(api.posts.read({ slug: 'no-such-story-anywhere' }), (e) => e.name === 'NotFoundError');
  assert.equal((await api.posts.browse({ limit: 1 })).length, 1);

  const listed = await kawaraban('api-key', 'list');
  const line = listed.split('\n').find((l) => l.includes('e2e revoked'));
  const id = line && line.trim().split(/\s+/)[0];
  assert.match(id || '', /^\d+$/, `the key's id in:\n${listed}`);
  await kawaraban('api-key', 'revoke', id);
  let refused = null;
  for (let i = 0; i < 40 && !refused; i++) {
    refused = await api.posts.browse({ limit: 1 }).then(() => null, (e) => e);
    if (!refused) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(refused, 'the revoked key is refused within 4 s');
  assert.equal(refused.name, 'UnauthorizedError');
});
