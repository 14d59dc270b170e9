// Sign-in with the organisation's OpenID provider in the web client, against a real provider (npm oidc-provider on
// loopback): someone opens a room link, signs in with the provider (authorization code with PKCE), lands in the room
// with the account the provider vouches for, and signs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.js';
import { browserSet } from '../lib/browser.js';
import { register, createRoom } from '../lib/flows.js';
import { startIdp, WEB_CLIENT } from '../lib/idp.js';
import { freePort } from '../lib/ports.js';

let idp;
let daemon;
const browsers = browserSet();

before(async () => {
  const port = await freePort();
  daemon = await startDaemon(['--oidc-issuer', `http://127.0.0.1:${port}`, '--oidc-client-id', WEB_CLIENT.id,
    '--oidc-client-secret', WEB_CLIENT.secret, '--oidc-display-name', 'Staff login'], 'signaling');
  idp = await startIdp({ port, redirectUri: daemon.url + '/auth/oidc/callback' });
}, { timeout: 90_000 });
after(async () => {
  await browsers.closeAll();
  await daemon?.stop();
  await idp?.stop();
}, { timeout: 30_000 });

test('a room link, sign-in with the provider, the room, and signing out', { timeout: 90_000 }, async () => {
  const bob = await browsers.open('Bob');
  await register(bob, daemon.url);
  const link = await createRoom(bob, daemon.url, { name: 'Staff meeting' });

  const ada = await browsers.open('Ada');
  const { page } = ada;
  await page.goto(link);
  await page.waitForURL((u) => u.pathname === '/login.html');
  await page.getByRole('link', { name: 'Sign in with Staff login' }).click();
  // The provider's own pages: its login (any login and password here), then consent.
  await page.waitForURL((u) => u.origin === idp.issuer);
  await page.locator('input[name=login]').fill('ada');
  await page.locator('input[name=password]').fill('whatever the provider wants');
  await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
  if (new URL(page.url()).origin === idp.issuer) {
    // The consent page: kezdesu asks for openid, email and profile.
    await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
  }
  // Back at kezdesu, signed in as the provider's user, and on to the room the link named.
  await page.waitForURL(link);
  await page.locator('#room').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#who').textContent(), 'User ada');
  const me = await page.evaluate(async () => (await fetch('/api/me', {
    headers: { Authorization: 'Bearer ' + localStorage.getItem('kezdesu.token') } })).json());
  assert.equal(me.email, 'ada@example.org');
  assert.equal(new URL(page.url()).hash, '', 'no token left in the address');

  // Signing out: the token is gone, and the room asks for a login again.
  await page.goto(daemon.url + '/');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto(link);
  await page.waitForURL((u) => u.pathname === '/login.html');
  assert.equal(await page.evaluate(() => localStorage.getItem('kezdesu.token')), null);
});
