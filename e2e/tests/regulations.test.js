// Conference regulations in the web client: a room that opens later says when, a room with a time limit shows its
// end, warns before it, lets its head add time, and ends the call at its limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.js';
import { browserSet } from '../lib/browser.js';
import { register, createRoom, enterRoom, told } from '../lib/flows.js';

let daemon;
const browsers = browserSet();

before(async () => {
  daemon = await startDaemon();
}, { timeout: 90_000 });
after(async () => {
  await browsers.closeAll();
  await daemon?.stop();
}, { timeout: 30_000 });

const browser = (name) => browsers.open(name);

test('a room that opens tomorrow says when', { timeout: 60_000 }, async () => {
  const ada = await browser('Ada');
  await register(ada, daemon.url);
  const link = await createRoom(ada, daemon.url, { name: 'Tomorrow', opensAt: new Date(Date.now() + 86_400_000) });
  await ada.page.goto(link);
  await told(ada, 'This room opens at');
  assert.equal(await ada.page.locator('#room').isVisible(), false);
});

test('a time limit: the end shown, the warning, the head\'s extension, and the end of the call',
  { timeout: 150_000 }, async () => {
    const bob = await browser('Bob');
    await register(bob, daemon.url);
    // Ten minutes: the head adds five.
    const long = await createRoom(bob, daemon.url, { name: 'Ten minutes', limitMinutes: 10 });
    await enterRoom(bob, long);
    await bob.page.locator('#ends', { hasText: 'Ends at' }).waitFor({ state: 'visible' });
    const before = await bob.page.locator('#ends').textContent();
    await bob.page.getByRole('button', { name: 'Add 5 minutes' }).click();
    await told(bob, 'The head added 5 minutes');
    assert.notEqual(await bob.page.locator('#ends').textContent(), before, 'the end moved');
    await bob.page.getByRole('button', { name: 'Leave' }).click();

    // One minute: warned at once, and out when it is over.
    const short = await createRoom(bob, daemon.url, { name: 'One minute', limitMinutes: 1 });
    await enterRoom(bob, short);
    await told(bob, 'This conference ends in one minute');
    await told(bob, 'This conference has reached its time limit', 90_000);
    assert.equal(await bob.page.locator('#room').isVisible(), false, 'the call is over');
  });
