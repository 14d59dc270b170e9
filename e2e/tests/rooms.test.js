// Room rules as people see them: a full room, a kick that sticks, closing the room, the lobby, resuming a dropped
// socket, room passwords, a login the server no longer accepts and an account disabled during a call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../lib/daemon.js';
import { openBrowser, videoFlowing, until } from '../lib/browser.js';
import { register, createRoom, enterRoom, told } from '../lib/flows.js';

let daemon;
let ada;
let bob;
let cem;

// Three people for the whole file; each test makes its own room, so none depends on another's outcome.
before(async () => {
  daemon = await startDaemon();
  [ada, bob, cem] = await Promise.all(['Ada', 'Bob', 'Cem'].map((n) => openBrowser(n)));
  await Promise.all([ada, bob, cem].map((b) => register(b, daemon.url)));
}, { timeout: 120_000 });
after(async () => {
  await Promise.all([ada, bob, cem].filter(Boolean).map((b) => b.close()));
  await daemon?.stop();
}, { timeout: 60_000 });

test('a room limited to 2 tells the third person it is full', { timeout: 90_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Pair', max: 2 });
  await enterRoom(ada, link);
  await enterRoom(bob, link);
  await cem.page.goto(link);
  await told(cem, 'This room is full');
  assert.equal(await cem.page.locator('#room').isVisible(), false);
  await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);
});

test('the head kicks a participant, who cannot rejoin; closing the room tells everyone', { timeout: 90_000 },
  async () => {
    const link = await createRoom(ada, daemon.url, { name: 'Moderated' });
    await enterRoom(ada, link);
    await enterRoom(bob, link);
    await enterRoom(cem, link);
    await ada.page.locator('#people li', { hasText: 'Bob' }).getByRole('button', { name: 'Remove Bob' }).click();
    await told(bob, 'You were removed from this room');
    await ada.page.locator('#people li', { hasText: 'Bob' }).waitFor({ state: 'detached' });

    await bob.page.goto(link); // trying again
    await told(bob, 'You were removed from this room and cannot rejoin it');
    assert.equal(await bob.page.locator('#room').isVisible(), false);

    await ada.page.getByRole('button', { name: 'Close room for everyone' }).click();
    await Promise.all([told(cem, 'The head closed this room'), told(ada, 'closed')]);
    await cem.page.goto(link);
    await told(cem, 'This room has been closed');
  });

test('a lobby joiner waits until the head admits them', { timeout: 90_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Gated', lobby: true });
  await enterRoom(ada, link);
  await bob.page.goto(link);
  await told(bob, 'waiting in the lobby');
  assert.equal(await bob.page.locator('#room').isVisible(), false);
  await ada.page.getByRole('button', { name: 'Admit Bob' }).click();
  await bob.page.locator('#room').waitFor({ state: 'visible' });
  await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);
});

test('a dropped signaling socket resumes its place without the others noticing', { timeout: 90_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Flaky network' });
  await enterRoom(ada, link);
  await enterRoom(bob, link);
  await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);

  await bob.page.evaluate(() => window.__sockets.at(-1).close()); // the socket drops; Bob never sent `leave`
  await until('Bob back on a second socket', () => bob.page.evaluate(() => ({
    sockets: window.__sockets.length, conn: document.getElementById('conn').dataset.state })),
  (s) => s.sockets === 2 && s.conn === 'open');
  const metrics = await until('the server counted a resume', async () => (await fetch(daemon.url + '/metrics')).text(),
    (text) => /^kezdesu_resumes_total\S* [1-9]/m.test(text));
  assert.match(metrics, /^kezdesu_resumes_total\S* 1(\.0)?$/m);

  // Same participants, same peer connections: Ada never saw Bob leave and come back.
  await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);
  assert.equal(await ada.page.evaluate(() => window.__pcs.length), 1);
  assert.equal(await ada.page.locator('#people li').count(), 2);
});

test('a room with a password asks for it, and says when it is wrong', { timeout: 60_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Private', password: 'open sesame' });
  await enterRoom(ada, link); // the head passes the password
  await bob.page.goto(link);
  await told(bob, 'This room needs a password');
  const field = bob.page.getByLabel('Room password');
  await field.fill('guess');
  await bob.page.getByRole('button', { name: 'Enter' }).click();
  await told(bob, 'That password is wrong');
  await field.fill('open sesame');
  await bob.page.getByRole('button', { name: 'Enter' }).click();
  await bob.page.locator('#room').waitFor({ state: 'visible' });
  await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);
});

test('moderation: promote, ask to mute, lock', { timeout: 60_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Orderly' });
  await enterRoom(ada, link);
  await enterRoom(bob, link);
  await ada.page.getByRole('button', { name: 'Make moderator Bob' }).click();
  await bob.page.locator('#people li', { hasText: 'Bob (you)' }).locator('.badge', { hasText: 'moderator' }).waitFor();
  await bob.page.locator('#admin-card').waitFor({ state: 'visible' });

  await bob.page.getByRole('button', { name: 'Lock room' }).click();
  await ada.page.locator('#lock-state', { hasText: 'locked' }).waitFor();
  await cem.page.goto(link);
  await told(cem, 'This room is locked');
  await ada.page.getByRole('button', { name: 'Unlock room' }).click();
  await enterRoom(cem, link);

  await bob.page.getByRole('button', { name: 'Ask to mute Cem' }).click();
  await cem.page.locator('#ask', { hasText: 'asks you to mute your microphone' }).waitFor();
  await cem.page.locator('#ask-ok').click();
  await cem.page.getByRole('button', { name: 'Unmute microphone' }).waitFor();
  await ada.page.locator('.tile', { hasText: 'Cem' }).locator('.media', { hasText: 'mic off' }).waitFor();
});

test('without a camera you are told so, and still see the others', { timeout: 60_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'No camera' });
  await enterRoom(ada, link);
  const page = await cem.page.context().newPage(); // a tab whose camera and microphone cannot be opened
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no device', 'NotFoundError'));
  });
  try {
    await page.goto(link);
    await page.locator('#notice', { hasText: 'Your camera or microphone is unavailable (NotFoundError)' }).waitFor();
    await page.locator('#room').waitFor({ state: 'visible' });
    await videoFlowing({ name: 'Cem without a camera', page }, 1);
    await ada.page.locator('.tile', { hasText: 'Cem' }).locator('.media', { hasText: 'mic off · camera off' })
      .waitFor();
  } finally {
    await page.close();
  }
});

test('the profile: change the name and password, list rooms, download a report as CSV', { timeout: 60_000 },
  async () => {
    const { page } = ada;
    await page.goto(daemon.url + '/profile.html');
    await page.locator('#rooms li', { hasText: 'Moderated' }).waitFor();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.locator('#who', { hasText: 'Ada Lovelace' }).waitFor();

    await page.getByLabel('Current password').fill('correct horse battery');
    await page.getByLabel('New password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#notice', { hasText: 'Your password is changed' }).waitFor();

    // The kick test's room has ended (closed), so its report is final.
    const report = page.locator('#reports li', { hasText: 'Moderated' }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), report.getByRole('button').click()]);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    const csv = Buffer.concat(chunks).toString('utf8');
    assert.match(download.suggestedFilename(), /^conference-.+\.csv$/);
    assert.match(csv, /Bob/);
    assert.match(csv, /kicked/);

    await page.reload(); // the new token from the password change is in use
    await page.locator('#rooms li', { hasText: 'Moderated' }).waitFor();
  });

test('a login the server no longer accepts leads back to login, then into the room', { timeout: 60_000 }, async () => {
  const link = await createRoom(ada, daemon.url, { name: 'Later' });
  const email = await ada.page.evaluate(() => JSON.parse(localStorage.getItem('kezdesu.user')).email);
  await ada.page.evaluate(() => localStorage.setItem('kezdesu.token', 'eyJhbGciOiJIUzI1NiJ9.e30.bm90LXZhbGlk'));
  await ada.page.goto(link);
  await ada.page.waitForURL(/\/login\.html\?next=/);
  await ada.page.locator('#notice', { hasText: 'Please log in again' }).waitFor();
  await ada.page.getByLabel('Email').fill(email);
  await ada.page.getByLabel('Password').fill('correct horse battery');
  await ada.page.getByRole('button', { name: 'Log in' }).click();
  await ada.page.waitForURL(link);
  await ada.page.locator('#room').waitFor({ state: 'visible' });
});

test('an account disabled during a call is told so and leaves it; the others see it go', { timeout: 60_000 },
  async () => {
    // Its own browser and account: the other tests' people stay usable whatever the order.
    const dan = await openBrowser('Dan');
    try {
      const email = await register(dan, daemon.url);
      const link = await createRoom(ada, daemon.url, { name: 'Audited' });
      await enterRoom(ada, link);
      await enterRoom(dan, link);
      await ada.page.locator('#people li', { hasText: 'Dan' }).waitFor();
      const adminToken = readFileSync(join(daemon.dataDir, 'admin-token'), 'utf8').trim();
      const res = await fetch(daemon.url + '/admin/users/' + encodeURIComponent(email) + '/disable',
        { method: 'POST', headers: { Authorization: 'Bearer ' + adminToken } });
      assert.equal(res.status, 200, await res.text());
      await told(dan, 'Your account has been disabled');
      await ada.page.locator('#people li', { hasText: 'Dan' }).waitFor({ state: 'detached' });
    } finally {
      await dan.close();
    }
  });

test('after registering, a next= that points at another site leads home instead', { timeout: 60_000 }, async () => {
  const eve = await openBrowser('Eve');
  try {
    const { page } = eve;
    // Browsers read /\evil.example as //evil.example: another host. A prefix check let it through.
    for (const next of ['/\\evil.example/phish', '/\t/evil.example/phish']) {
      await page.goto(daemon.url + '/register.html?next=' + encodeURIComponent(next));
      await page.getByLabel('Email').fill(`eve-${Date.now()}-${next.length}@example.org`);
      await page.getByLabel('Your name').fill('Eve');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Register' }).click();
      await page.waitForURL((u) => !u.pathname.endsWith('/register.html'));
      assert.equal(new URL(page.url()).origin, new URL(daemon.url).origin, next);
      assert.equal(new URL(page.url()).pathname, '/', next);
      await page.evaluate(() => localStorage.clear());
    }
  } finally {
    await eve.close();
  }
});
