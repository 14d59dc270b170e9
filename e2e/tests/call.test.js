// Calls between real browsers: two and three people, plain and relay-only, and a look at the room page.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../lib/daemon.js';
import { openBrowser, peerStats, videoFlowing, until } from '../lib/browser.js';
import { register, createRoom, enterRoom, tileStates } from '../lib/flows.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
let daemon;
const browsers = [];
async function browser(name, opts) {
  const b = await openBrowser(name, opts);
  browsers.push(b);
  return b;
}
async function closeAll() {
  await Promise.all(browsers.splice(0).map((b) => b.close()));
}

before(async () => {
  daemon = await startDaemon();
}, { timeout: 120_000 });
after(async () => {
  await closeAll();
  await daemon?.stop();
}, { timeout: 60_000 });

describe('two browsers', { timeout: 150_000 }, () => {
  let ada;
  let bob;
  let link;

  test('register, create a room, join by link, and see each other', { timeout: 90_000 }, async () => {
    ada = await browser('Ada');
    bob = await browser('Bob');
    await register(ada, daemon.url);
    link = await createRoom(ada, daemon.url, { name: 'Two of us' });
    assert.match(link, /\/r\/[A-Za-z0-9_-]+$/);

    // Bob follows the link without an account: login page, then registration, then back into the room.
    await bob.page.goto(link);
    await bob.page.waitForURL(/\/login\.html\?next=/);
    await bob.page.getByRole('link', { name: 'Register' }).last().click();
    await register(bob, daemon.url, { from: 'link' });
    await bob.page.waitForURL(link);

    await enterRoom(ada, link);
    await bob.page.locator('#room').waitFor({ state: 'visible' });
    await Promise.all([videoFlowing(ada, 1), videoFlowing(bob, 1)]);
    await until('tiles show connected', () => tileStates(bob),
      (t) => t.length === 1 && t[0].name === 'Ada' && t[0].state === 'connected');
    assert.deepEqual(ada.errors, []);
    assert.deepEqual(bob.errors, []);
  });

  test('relay only (?relay=1): the selected pair goes through our relay', { timeout: 60_000 }, async (t) => {
    if (!daemon.relay) {
      t.skip('relay not in this build');
      return;
    }
    assert.ok(ada && bob, 'the two-browser call ran');
    await Promise.all([enterRoom(ada, link + '?relay=1'), enterRoom(bob, link + '?relay=1')]);
    for (const b of [ada, bob]) {
      const [stats] = await videoFlowing(b, 1);
      assert.equal(stats.local.type, 'relay', b.name + ' local candidate');
      assert.equal(stats.local.address, daemon.relay.ip, b.name + ' relayed address');
      assert.match(stats.local.url || '', new RegExp(`:${daemon.relay.port}\\b`), b.name + ' TURN server used');
    }
  });

  after(closeAll);
});

describe('three browsers', { timeout: 150_000 }, () => {
  const people = [];

  test('every pair connects and decodes video', { timeout: 100_000 }, async () => {
    for (const name of ['Ada', 'Bob', 'Cem']) people.push(await browser(name));
    await Promise.all(people.map((b) => register(b, daemon.url)));
    const link = await createRoom(people[0], daemon.url, { name: 'Weekly sync' });
    for (const b of people) await enterRoom(b, link);
    await Promise.all(people.map((b) => videoFlowing(b, 2, 60_000)));
    for (const b of people) {
      const tiles = await until(b.name + ' tiles', () => tileStates(b),
        (t) => t.length === 2 && t.every((x) => x.state === 'connected'));
      assert.deepEqual(tiles.map((x) => x.name).sort(), ['Ada', 'Bob', 'Cem'].filter((n) => n !== b.name));
      assert.equal(await b.page.locator('#people li').count(), 3);
    }
  });

  test('screenshot of the room page with three participants', { timeout: 30_000 }, async () => {
    assert.equal(people.length, 3, 'the three-browser call ran');
    mkdirSync(ARTIFACTS, { recursive: true });
    const head = people[0].page;
    await head.screenshot({ path: join(ARTIFACTS, 'room-three-desktop.png') });
    await head.setViewportSize({ width: 390, height: 844 });
    await head.screenshot({ path: join(ARTIFACTS, 'room-three-phone.png'), fullPage: true });
    const frames = await peerStats(head);
    assert.equal(frames.length, 2);
    assert.ok(frames.every((p) => p.framesDecoded > 0));
  });
});
