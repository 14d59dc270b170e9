// Two kezdesu nodes on one store, as one service, with real browsers: a call whose room lives on one node while two
// of its people are connected to the other, and the death of the room's node in the middle of the call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, startStore } from '../lib/daemon.js';
import { browserSet, videoFlowing, until } from '../lib/browser.js';
import { register, createRoom, enterRoom } from '../lib/flows.js';

const SHARED = ['--jwt-secret', 'the e2e cluster shares this login-token secret', '--admin-token',
  'the e2e cluster admin token', '--node-timeout', '2s'];
let store;
let nodeA;
let nodeB;
const browsers = browserSet();

before(async () => {
  store = await startStore();
  nodeA = await startDaemon(['--mongo-uri', store.uri, ...SHARED]);
  nodeB = await startDaemon(['--mongo-uri', store.uri, ...SHARED]);
}, { timeout: 120_000 });
after(async () => {
  await browsers.closeAll();
  await nodeA?.stop();
  await nodeB?.stop();
  await store?.stop();
}, { timeout: 60_000 });

const browser = (name) => browsers.open(name);

/** Every peer connection the page ever made, in order: its state and the video frames it decoded so far. */
function connections(b) {
  return b.page.evaluate(async () => Promise.all(window.__pcs.map(async (pc) => {
    let framesDecoded = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded += r.framesDecoded || 0;
    });
    return { state: pc.connectionState, framesDecoded };
  })));
}

/** The room as node B's admin API shows it (B answers itself once it holds the room, else asks the owner). */
async function roomAtB(roomId) {
  const r = await fetch(nodeB.url + '/admin/rooms/' + roomId,
    { headers: { Authorization: 'Bearer the e2e cluster admin token' } });
  return r.ok ? r.json() : { status: r.status };
}

test('the room\'s node dies mid-call: its people resume at the other node and their video never stops',
  { timeout: 150_000 }, async () => {
    // Cy opens the room on node A: A serves it. Ada and Bob come in through node B, which forwards to A.
    const cy = await browser('Cy');
    await register(cy, nodeA.url);
    const linkA = await createRoom(cy, nodeA.url, { name: 'Across two nodes' });
    await enterRoom(cy, linkA);
    const linkB = linkA.replace(nodeA.url, nodeB.url);
    const ada = await browser('Ada');
    await register(ada, nodeB.url);
    const sockets = [];
    ada.page.on('websocket', (ws) => sockets.push(ws.url()));
    await enterRoom(ada, linkB);
    const bob = await browser('Bob');
    await register(bob, nodeB.url);
    await enterRoom(bob, linkB);
    await Promise.all([videoFlowing(ada, 2), videoFlowing(bob, 2), videoFlowing(cy, 2)]);
    const before = { Ada: await connections(ada), Bob: await connections(bob) };
    // The socket names its room, for load balancers that keep a room's sockets on one node (docs/CLUSTER.md).
    const roomParam = 'room=' + encodeURIComponent(linkA.split('/r/')[1]);
    assert.ok(sockets.some((u) => u.includes('/ws?') && u.includes(roomParam)), JSON.stringify(sockets));

    // A dies without a word. Ada's and Bob's sockets (to B) are sent off; they resume at B, which takes the room
    // and its conference over once A's lease has lapsed: they are back in, connected, with the ids they had.
    const roomId = linkA.split('/r/')[1];
    const ids = (await roomAtB(roomId)).participants.map((p) => p.id).sort();
    await nodeA.kill();
    const killed = Date.now();
    const room = await until('Ada and Bob back in the room at B', () => roomAtB(roomId), (r) => (r.participants || [])
      .filter((p) => ['Ada', 'Bob'].includes(p.name) && p.connected).length === 2, { timeout: 30_000 });
    const back = (Date.now() - killed) / 1000;
    assert.ok(back < 15, 'the room is served again ' + back + ' s after its node died');
    assert.deepEqual(room.participants.map((p) => p.id).sort(), ids, 'the same people, the same places');

    // The same peer connections, still decoding: nothing was torn down or negotiated again.
    for (const b of [ada, bob]) {
      const was = before[b.name];
      const now = await until(b.name + "'s video still flowing", () => connections(b), (c) => c.length === was.length
        && was.every((p, i) => p.state !== 'connected'
          || (c[i].state === 'connected' && c[i].framesDecoded > p.framesDecoded + 10)));
      assert.equal(now.length, was.length, b.name + ' made no new peer connection');
      assert.deepEqual(b.errors, [], b.name + "'s page errors");
    }
  });
