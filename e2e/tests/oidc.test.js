// Access tokens of a real OpenID provider (npm oidc-provider, on loopback) on kezdesu's API:
// accepted as the provider's user's account, refused when tampered with, expired or meant for another audience, and still
// accepted after the provider rotates its signing key, without restarting kezdesu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.js';
import { until } from '../lib/browser.js';
import { startIdp, CLIENT, SHORT_CLIENT } from '../lib/idp.js';

let idp;
let daemon;

before(async () => {
  idp = await startIdp();
  daemon = await startDaemon(['--oidc-issuer', idp.issuer, '--oidc-audience', 'kezdesu', '--oidc-keys-min-interval',
    '1s'], 'signaling');
}, { timeout: 90_000 });
after(async () => {
  await daemon?.stop();
  await idp?.stop();
}, { timeout: 30_000 });

const call = (method, path, token, body) => fetch(daemon.url + path, {
  method,
  headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

test('the provider\'s access tokens work on the API as its client\'s account', { timeout: 60_000 }, async () => {
  const token = await idp.token();
  const me = await call('GET', '/api/me', token);
  assert.equal(me.status, 200);
  const account = await me.json();
  assert.equal(account.email, CLIENT.id + '@127.0.0.1');
  const room = await call('POST', '/api/rooms', token, { name: 'Made by a service' });
  assert.equal(room.status, 201);
  const again = await (await call('GET', '/api/me', await idp.token())).json();
  assert.equal(again.id, account.id, 'one account for the client, every time');

  // (The signaling socket takes these tokens the same way: IdpTokenAccountsTest.)
});

test('a tampered token and a token for another audience are refused, saying why', { timeout: 60_000 }, async () => {
  const token = await idp.token();
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const tampered = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url'), s]
    .join('.');
  const refused = await call('GET', '/api/me', tampered);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).message, 'invalid token signature or format');
  const other = await call('GET', '/api/me', await idp.token('urn:other-app'));
  assert.equal(other.status, 401);
  assert.equal((await other.json()).message, 'token for another audience (expected kezdesu)');
});

test('an expired token is refused once its exp is past, with the minute of clock skew allowed',
  { timeout: 120_000 }, async () => {
    const token = await idp.token(undefined, SHORT_CLIENT);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    assert.equal((await call('GET', '/api/me', token)).status, 200, 'good while it lives');
    // kezdesu allows 60 s of skew between its clock and the provider's: wait until the token is past that.
    await new Promise((r) => setTimeout(r, Math.max(0, (exp + 61) * 1000 - Date.now())));
    const expired = await call('GET', '/api/me', token);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'token-expired', message: 'token expired' });
  });

test('after the provider rotates its key, its new tokens are accepted without a restart', { timeout: 60_000 },
  async () => {
    assert.equal((await call('GET', '/api/me', await idp.token())).status, 200);
    await idp.rotate('key-2');
    const rotated = await idp.token();
    assert.equal(JSON.parse(Buffer.from(rotated.split('.')[0], 'base64url')).kid, 'key-2');
    // The keys are read again once oidc-keys-min-interval (1 s here) has passed since the last reading.
    const status = await until('the new key accepted', async () => (await call('GET', '/api/me', rotated)).status,
      (s) => s === 200, { timeout: 15_000 });
    assert.equal(status, 200);
  });
