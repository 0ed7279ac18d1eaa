// A loopback OpenID Connect provider for Kawaraban's members tests.
//
//   node provider.mjs --port PORT --client-id ID --client-secret SECRET \
//     [--redirect-uri URI ...]
//
// Issuer http://127.0.0.1:PORT, one confidential client (client_secret_basic
// or client_secret_post), authorization code flow with PKCE (S256, required),
// state and nonce, scopes "openid email profile". Besides the --redirect-uri
// values, any http(s) redirect_uri on 127.0.0.1, localhost or *.localhost is
// accepted, since the app's port is not known in advance.
//
// Sign-in is a one-field form: type an email and press "Sign in". The fixed
// accounts are below; any other email becomes a verified account whose sub is
// "sub-" + the first 24 hex digits of sha256(lowercased email). Consent is
// granted automatically. Prints "ready" once listening.

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
  },
});
for (const name of ['port', 'client-id', 'client-secret']) {
  if (!args[name]) {
    console.error(`usage: node provider.mjs --port PORT --client-id ID --client-secret SECRET [--redirect-uri URI ...]\nmissing --${name}`);
    process.exit(2);
  }
}
const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;

// Accounts, by sub.
const accounts = new Map([
  ['alice-sub', { email: 'alice@example.test', name: 'Alice Example', email_verified: true }],
  ['bob-sub', { email: 'bob@example.test', name: 'Bob Unverified', email_verified: false }],
]);

function accountForEmail(raw) {
  const email = raw.trim().toLowerCase();
  for (const [sub, account] of accounts) {
    if (account.email === email) return sub;
  }
  const sub = `sub-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
  accounts.set(sub, { email, name: email.split('@')[0], email_verified: true });
  return sub;
}

function isLoopbackUri(value) {
  try {
    const { protocol, hostname } = new URL(value);
    return ['http:', 'https:'].includes(protocol)
      && (['127.0.0.1', '[::1]', 'localhost'].includes(hostname) || hostname.endsWith('.localhost'));
  } catch {
    return false;
  }
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: args['redirect-uri'].length ? args['redirect-uri'] : ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
  }],
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // put the scopes' claims in the ID token, not only at userinfo
  allowOmittingSingleRegisteredRedirectUri: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [{ ...signingKey, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
});

// Exact matches from --redirect-uri, plus anything on loopback.
const { redirectUriAllowed } = provider.Client.prototype;
provider.Client.prototype.redirectUriAllowed = function allowed(value) {
  return redirectUriAllowed.call(this, value) || isLoopbackUri(value);
};

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (ctx, err) => console.error(`oidc ${event}: ${err.message} ${err.error_description ?? ''}`));
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body>
  <h1>Test provider</h1>
  ${error ? `<p role="alert">${escape(error)}</p>` : ''}
  <form method="post" action="/interaction/${escape(uid)}/login">
    <label>Email <input type="email" name="email" required autofocus></label>
    <button type="submit">Sign in</button>
  </form>
</body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// Grants whatever the consent prompt says is missing.
async function grantConsent(req, res, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const savedId = await grant.save();
  await provider.interactionFinished(req, res, { consent: grantId ? {} : { grantId: savedId } });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'consent') {
    await grantConsent(req, res, details);
  } else if (req.method === 'POST' && action === 'login') {
    const email = (await readForm(req)).get('email') ?? '';
    if (!/^[^@\s]+@[^@\s]+$/.test(email.trim())) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, 'Enter an email address.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: accountForEmail(email) } });
  } else {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(uid));
  }
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login))?(?:\?|$)/.exec(req.url);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (err) {
    console.error(`oidc interaction error: ${err.message}`);
    if (!res.headersSent) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    }
    res.end(`interaction failed: ${err.message}\n`);
  }
});

server.listen(port, '127.0.0.1', () => console.log('ready'));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}
