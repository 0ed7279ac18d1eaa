// Many readers answering a survey at once, for scripts/bench.sh (the
// `engagement` group).
//
//   node survey_submit.mjs BASE HOST SLUG READERS RUN_ID
//
// Each of READERS readers is a new browser from its own address (the server
// runs with `--trusted-proxy 127.0.0.1` and each reader sends its own
// X-Forwarded-For), on its own connection: it opens the survey page, as a
// browser would, for the form's CSRF token and cookie. Then every answer is
// sent in the same turn of the event loop, and each POST is timed from its
// sending to its full answer (a 303 to the thanks page, which a browser
// then loads like any page). The free-text answer carries RUN_ID and the
// reader's number, so the database can be checked afterwards for lost and
// duplicated responses. Prints JSON: p50, p99 and max in ms, and how many
// answers were thanked. (Node's one event loop sends them all in a few
// milliseconds; a client of many threads measured its own scheduling.)
import http from 'node:http';

const [base, host, slug, readersArg, runId] = process.argv.slice(2);
const readers = Number(readersArg);
const u = new URL(base);
const path = `/surveys/${slug}`;

function request(agent, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const prepared = await Promise.all([...Array(readers).keys()].map(async (i) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { Host: host, 'X-Forwarded-For': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'User-Agent': `bench-reader-${i}` };
  const page = await request(agent, 'GET', headers);
  const token = /name="csrf" value="([^"]+)"/.exec(page.body)[1];
  const cookie = (page.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
  const form = new URLSearchParams([
    ['csrf', token], ['q1', String(i % 4)], ['q2', '0'], ['q2', String(1 + (i % 5))], ['q3', String(1 + (i % 5))],
    ['q4', String(i % 11)], ['q5_0', '2'], ['q5_1', '1'], ['q5_2', '0'], ['q6', `bench ${runId} reader ${i}`],
  ]).toString();
  return { agent, headers: { ...headers, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) }, form };
}));

const errors = [];
const results = await Promise.all(prepared.map(async (p, i) => {
  const t0 = process.hrtime.bigint();
  try {
    const r = await request(p.agent, 'POST', p.headers, p.form);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const thanked = r.status === 303 && String(r.headers.location).endsWith(`${path}/thanks`);
    if (!thanked) errors.push(`reader ${i}: ${r.status} ${r.body.slice(0, 200)}`);
    return { ms, thanked };
  } catch (e) {
    errors.push(`reader ${i}: ${e}`);
    return { ms: null, thanked: false };
  }
}));
for (const p of prepared) p.agent.destroy();
const ts = results.map((r) => r.ms).filter((m) => m !== null).sort((a, b) => a - b);
const pct = (q) => (ts.length ? Math.round(ts[Math.min(ts.length - 1, Math.floor(ts.length * q))] * 100) / 100 : null);
console.log(JSON.stringify({
  readers, timed: ts.length, thanked: results.filter((r) => r.thanked).length,
  p50_ms: pct(0.5), p99_ms: pct(0.99), max_ms: ts.length ? Math.round(ts[ts.length - 1] * 100) / 100 : null,
  errors: errors.slice(0, 5),
}));
