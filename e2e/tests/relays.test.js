// The whole service as docs/CLUSTER.md sets it up, with real browsers: three `kezdesu signaling` nodes behind a real
// HAProxy in round robin and two `kezdesu relay` processes, all on one `kezdesu store`. Browsers whose requests and
// sockets are spread over the nodes hold relayed calls; a relay drains under a call, which goes on, while a call that
// starts meanwhile lands on the other relay; the drained relay exits once its call has ended.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, startRelay, startStore } from '../lib/daemon.js';
import { haproxyBinary, startHaproxy } from '../lib/haproxy.js';
import { browserSet, peerStats, videoFlowing, until } from '../lib/browser.js';
import { register, createRoom, enterRoom } from '../lib/flows.js';

const ADMIN = 'the e2e relay fleet admin token';
let store;
let front;
const nodes = [];
const relays = [];
const browsers = browserSet();

const skip = haproxyBinary() ? false : 'haproxy is not installed (scripts/install-test-deps installs it for root)';

before(async () => {
  if (skip) return;
  store = await startStore();
  for (let i = 0; i < 2; i++) relays.push(await startRelay(['--mongo-uri', store.uri, '--node-timeout', '2s']));
  // Every healthy relay is handed out (ice-relay-count 0, the default): a drained one is left out for its state alone.
  for (let i = 0; i < 3; i++) {
    nodes.push(await startDaemon(['--mongo-uri', store.uri, '--jwt-secret',
      'the e2e cluster shares this login-token secret', '--admin-token', ADMIN, '--node-timeout', '2s'],
    'signaling'));
  }
  front = await startHaproxy(nodes);
}, { timeout: 120_000 });
after(async () => {
  await browsers.closeAll();
  await front?.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all(relays.map((r) => r.stop()));
  await store?.stop();
}, { timeout: 60_000 });

const browser = (name) => browsers.open(name);

async function admin(path, method = 'GET') {
  const r = await fetch(front.url + path, { method, headers: { Authorization: 'Bearer ' + ADMIN } });
  assert.ok(r.ok, method + ' ' + path + ': ' + r.status);
  return r.json();
}

/** The relay port of each browser's selected candidate pair, once its video flows (relay-only calls). */
async function relayPorts(people) {
  const ports = [];
  for (const b of people) {
    const [stats] = await videoFlowing(b, 1);
    assert.equal(stats.local.type, 'relay', b.name + ' relays');
    ports.push(Number(stats.local.url.match(/:(\d+)\?/)[1]));
  }
  return ports;
}

async function call(names, title) {
  const people = [];
  for (const name of names) people.push(await browser(name));
  await Promise.all(people.map((b) => register(b, front.url)));
  const link = await createRoom(people[0], front.url, { name: title });
  await Promise.all(people.map((b) => enterRoom(b, link + '?relay=1')));
  return people;
}

/** The TURN ports a page's peer connections were configured with (the iceServers of its `joined`). */
function configuredPorts(b) {
  return b.page.evaluate(() => window.__pcs.flatMap((pc) => pc.getConfiguration().iceServers
    .flatMap((s) => [].concat(s.urls)).filter((u) => u.startsWith('turn:'))
    .map((u) => Number(u.match(/:(\d+)\?/)[1]))));
}

async function frames(b) {
  return (await peerStats(b.page)).reduce((n, p) => n + p.framesDecoded, 0);
}

/** kezdesu_forwarded_sessions over the nodes: sockets whose room another node serves. */
async function forwarded() {
  let sum = 0;
  for (const n of nodes) {
    const text = await (await fetch(n.url + '/metrics')).text();
    const m = text.match(/^kezdesu_forwarded_sessions ([0-9.]+)/m);
    sum += m ? Number(m[1]) : 0;
  }
  return sum;
}

test('through round robin over three nodes, a relay drains under a call: the call goes on, new calls go to the '
  + 'other relay, then it exits', { timeout: 180_000, skip }, async () => {
    const first = await call(['Ada', 'Bob'], 'Before the drain');
    // Round robin puts each request and socket on the next node: wherever the two sockets landed, one room.
    console.log('sockets forwarded to the room\'s node:', await forwarded());
    assert.deepEqual([...new Set(await configuredPorts(first[0]))].sort(), relays.map((r) => r.port).sort(),
      'both relays handed out');
    // Ada's side of the call goes through one relay (Bob's maybe through the other): that one drains.
    const [port] = await relayPorts(first);
    const draining = relays.find((r) => r.port === port);
    const other = relays.find((r) => r !== draining);
    assert.ok(draining, 'the call uses one of the fleet\'s relays: ' + port);

    await admin('/admin/relays/' + draining.id + '/drain', 'POST');
    await until('the relay draining and no longer handed out', () => admin('/admin/relays'),
      (r) => r.relays.some((x) => x.id === draining.id && x.state === 'draining' && !x.handedOut));

    // The call it relays goes on: the same connections keep decoding new frames.
    const decoded = await Promise.all(first.map(frames));
    await until('video still arriving through the draining relay', () => Promise.all(first.map(frames)),
      (now) => now.every((n, i) => n > decoded[i] + 30));
    assert.deepEqual((await Promise.all(first.map((b) => peerStats(b.page)))).map((s) => s.length), [1, 1],
      'no new connections were made');

    // A call that starts now is given the other relay alone, and relayed by it.
    const second = await call(['Cy', 'Dee'], 'During the drain');
    assert.deepEqual(await relayPorts(second), [other.port, other.port]);
    for (const b of second) assert.deepEqual([...new Set(await configuredPorts(b))], [other.port], b.name);
    assert.equal(await Promise.race([draining.exited, new Promise((r) => setTimeout(() => r('running'), 0))]),
      'running', 'the draining relay waits for its call');

    // The first call ends (the browsers close their connections, which releases their allocations); its relay,
    // empty now, leaves the fleet and exits cleanly.
    await Promise.all(first.map((b) => b.page.evaluate(() => window.__pcs.forEach((pc) => pc.close()))));
    assert.equal(await draining.exited, 0);
    const left = await until('the drained relay gone from the fleet', () => admin('/admin/relays'),
      (r) => !r.relays.some((x) => x.id === draining.id));
    assert.deepEqual(left.relays.map((x) => x.id), [other.id]);
  });
