// A real OpenID Connect provider for the test suite: panva's oidc-provider
// (npm, package.json devDependencies), started by tests/oidc/fixtures.py on
// 127.0.0.1. Nothing here is mocked: discovery, authorization with PKCE,
// the token endpoint, JWKS, userinfo and RP-initiated logout are the library's.
//
// Environment: OIDC_PORT, OIDC_REDIRECT_URIS and OIDC_POST_LOGOUT_REDIRECT_URIS
// (comma-separated), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET.
//
// Test control, on this provider only (POST JSON to /__test/state):
//   accounts:  {id: {email, email_verified, name, groups}} added to the users
//   autologin: an account id; the login interaction then signs it in without
//              a form (non-browser tests). null: the devInteractions form shows.
//   mode:      how the next ID tokens go wrong, each a real fault:
//     "ok"            as the library issues them
//     "bad-signature" the JWKS endpoint advertises another key under the same
//                     kid, so tokens signed with the real key do not verify
//     "wrong-audience" the token endpoint's ID token is re-signed (real key)
//                     with aud set to another client
//     "expired"       re-signed (real key) with iat/exp an hour in the past
//     "bad-nonce"     re-signed (real key) with another nonce
import { CompactSign, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 4999);
const issuer = `http://127.0.0.1:${port}`;
const split = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const KID = 'test-key-1';
const realKey = await signingKey(KID);
const impostorKey = await signingKey(KID);
const publicOf = ({ d, p, q, dp, dq, qi, ...pub }) => pub;

const state = {
  mode: 'ok',
  autologin: null,
  accounts: {
    'alice': { email: 'alice@agency-a.example.gov', email_verified: true, name: 'Alice Able', groups: [] },
  },
};

const configuration = {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID || 'widgets',
      client_secret: process.env.OIDC_CLIENT_SECRET || 'widgets-test-secret',
      redirect_uris: split(process.env.OIDC_REDIRECT_URIS),
      post_logout_redirect_uris: split(process.env.OIDC_POST_LOGOUT_REDIRECT_URIS),
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [realKey] },
  cookies: { keys: ['oidc-test-cookie-key'] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const account = state.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const [given, ...family] = (account.name || id).split(' ');
        return {
          sub: id,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name || id,
          given_name: given,
          family_name: family.join(' '),
          preferred_username: id,
          groups: account.groups || [],
        };
      },
    };
  },
  // A first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (!ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

async function resign(idToken, change) {
  const header = decodeProtectedHeader(idToken);
  const payload = { ...decodeJwt(idToken), ...change };
  const key = await importJWK(realKey, 'RS256');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : {};
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/state' && ctx.method === 'POST') {
    const body = await readJson(ctx.req);
    if ('mode' in body) state.mode = body.mode;
    if ('autologin' in body) state.autologin = body.autologin;
    Object.assign(state.accounts, body.accounts || {});
    ctx.body = { ok: true, mode: state.mode, autologin: state.autologin };
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction && ctx.method === 'GET' && state.autologin) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name === 'login') {
      const url = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId: state.autologin },
      }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(url);
      return;
    }
  }
  await next();
  if (ctx.path === '/jwks' && state.mode === 'bad-signature') {
    ctx.body = { keys: [publicOf(impostorKey)] };
  }
  if (ctx.path === '/token' && ctx.body?.id_token) {
    const now = Math.floor(Date.now() / 1000);
    const change = {
      'wrong-audience': { aud: 'another-client' },
      'expired': { iat: now - 3600, exp: now - 1800 },
      'bad-nonce': { nonce: 'not-the-nonce-that-was-sent' },
    }[state.mode];
    if (change) {
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, change) };
    }
  }
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
