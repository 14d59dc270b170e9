// The real PeerJS 1.5 client in headless Chromium against kezdesu's PeerJS endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, launchBrowser, peerPage, peerOptions } from './harness.mjs';
import { startStore } from '../lib/daemon.js';

let daemon;
let browser;

before(async () => {
  daemon = await startDaemon('signaling', ['--peerjs-expire-timeout', '1s']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

/** Opens a Peer in the page as window.peer; resolves with its id or rejects with the PeerJS error type. */
function openPeer(page, id, options) {
  return page.evaluate(({ id, options }) => new Promise((resolve, reject) => {
    const peer = id ? new peerjs.Peer(id, options) : new peerjs.Peer(options);
    window.peer = peer;
    peer.on('open', resolve);
    peer.on('error', (e) => reject(new Error(e.type)));
  }), { id, options });
}

test('a data connection between two peers, the second id from GET /id', async () => {
  const a = await peerPage(browser, daemon);
  const b = await peerPage(browser, daemon);
  assert.equal(await openPeer(a, 'alice-data', peerOptions(daemon)), 'alice-data');
  const bId = await openPeer(b, null, peerOptions(daemon));
  assert.match(bId, /^[0-9a-f-]{36}$/);
  const received = b.evaluate(() => new Promise((resolve) => {
    peer.on('connection', (conn) => conn.on('data', (d) => { conn.send('pong:' + d); resolve(d); }));
  }));
  const reply = await a.evaluate((to) => new Promise((resolve, reject) => {
    const conn = peer.connect(to, { reliable: true });
    conn.on('open', () => conn.send('ping'));
    conn.on('data', resolve);
    conn.on('error', reject);
  }), bId);
  assert.equal(await received, 'ping');
  assert.equal(reply, 'pong:ping');
  await a.context().close();
  await b.context().close();
});

test('peers connected to two nodes of a cluster reach each other', async () => {
  const store = await startStore();
  const cluster = ['--mongo-uri', store.uri, '--jwt-secret', 'the peerjs e2e cluster shares this secret',
    '--node-timeout', '2s'];
  const nodes = [];
  try {
    nodes.push(await startDaemon('signaling', cluster));
    nodes.push(await startDaemon('signaling', cluster));
    const a = await peerPage(browser, nodes[0]);
    const b = await peerPage(browser, nodes[1]);
    assert.equal(await openPeer(a, 'ada-on-one', peerOptions(nodes[0])), 'ada-on-one');
    assert.equal(await openPeer(b, 'bob-on-two', peerOptions(nodes[1])), 'bob-on-two');
    const received = b.evaluate(() => new Promise((resolve) => {
      peer.on('connection', (conn) => conn.on('data', (d) => { conn.send('pong:' + d); resolve(d); }));
    }));
    // The offer, answer and candidates cross from one node to the other; the data then flows between the browsers.
    const reply = await a.evaluate((to) => new Promise((resolve, reject) => {
      const conn = peer.connect(to, { reliable: true });
      conn.on('open', () => conn.send('across'));
      conn.on('data', resolve);
      conn.on('error', reject);
    }), 'bob-on-two');
    assert.equal(await received, 'across');
    assert.equal(reply, 'pong:across');
    await a.context().close();
    await b.context().close();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await store.stop();
  }
});

/** Calls `to` from page `a` with fake camera media; resolves with inbound stats once frames are decoded. */
async function mediaCall(a, b, to) {
  await b.evaluate(() => {
    peer.on('call', async (call) => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      call.answer(stream);
    });
  });
  return a.evaluate((to) => new Promise(async (resolve, reject) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    const call = peer.call(to, stream);
    call.on('error', reject);
    call.on('stream', async () => {
      for (let i = 0; i < 200; i++) {
        const stats = await call.peerConnection.getStats();
        let frames = 0;
        let pair;
        const byId = new Map();
        stats.forEach((s) => byId.set(s.id, s));
        stats.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
          if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId);
        });
        if (frames > 0) {
          resolve({
            frames,
            local: pair && byId.get(pair.localCandidateId)?.candidateType,
            remote: pair && byId.get(pair.remoteCandidateId)?.candidateType,
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      reject(new Error('no video frames decoded'));
    });
  }), to);
}

test('a media call between two peers decodes video', async () => {
  const a = await peerPage(browser, daemon);
  const b = await peerPage(browser, daemon);
  await openPeer(a, 'alice-media', peerOptions(daemon));
  await openPeer(b, 'bob-media', peerOptions(daemon));
  const stats = await mediaCall(a, b, 'bob-media');
  assert.ok(stats.frames > 0);
  await a.context().close();
  await b.context().close();
});

test('peer.reconnect() keeps the id and token', async () => {
  const a = await peerPage(browser, daemon);
  const b = await peerPage(browser, daemon);
  await openPeer(a, 'alice-reconnect', peerOptions(daemon));
  const reopened = await a.evaluate(() => new Promise((resolve, reject) => {
    peer.on('disconnected', () => {
      peer.once('open', resolve);
      peer.reconnect();
    });
    peer.on('error', (e) => reject(new Error(e.type)));
    peer.disconnect();
  }));
  assert.equal(reopened, 'alice-reconnect');
  await openPeer(b, 'bob-reconnect', peerOptions(daemon));
  const got = a.evaluate(() => new Promise((resolve) => {
    peer.on('connection', (conn) => conn.on('data', resolve));
  }));
  await b.evaluate(() => new Promise((resolve) => {
    const conn = peer.connect('alice-reconnect');
    conn.on('open', () => { conn.send('after reconnect'); resolve(); });
  }));
  assert.equal(await got, 'after reconnect');
  await a.context().close();
  await b.context().close();
});

test('calling an id nobody holds ends in peer-unavailable', async () => {
  const a = await peerPage(browser, daemon);
  await openPeer(a, 'alice-lonely', peerOptions(daemon));
  const type = await a.evaluate(() => new Promise((resolve) => {
    peer.on('error', (e) => resolve(e.type));
    navigator.mediaDevices.getUserMedia({ video: true }).then((s) => peer.call('nobody-here', s));
  }));
  assert.equal(type, 'peer-unavailable');
  await a.context().close();
});

test('an id held by another peer is unavailable-id', async () => {
  const a = await peerPage(browser, daemon);
  const b = await peerPage(browser, daemon);
  await openPeer(a, 'taken-id', peerOptions(daemon));
  await assert.rejects(openPeer(b, 'taken-id', peerOptions(daemon)), /unavailable-id/);
  await a.context().close();
  await b.context().close();
});

test('a media call through our TURN with relay-only ICE', async (t) => {
  const relay = await startDaemon('serve', ['--allow-loopback-peers', 'true']).catch((e) => ({ error: e }));
  if (relay.error || !relay.hasTurn) {
    await relay.stop?.();
    t.skip('relay not in this build');
    return;
  }
  try {
    const email = `e2e-${Date.now()}@example.org`;
    const reg = await fetch(`${relay.base}/api/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'E2E' }),
    });
    assert.ok(reg.ok, `register: ${reg.status}`);
    const login = await (await fetch(`${relay.base}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    })).json();
    const iceServers = await (await fetch(`${relay.base}/api/ice-servers`, {
      headers: { authorization: `Bearer ${login.token}` },
    })).json();
    const config = { iceServers, iceTransportPolicy: 'relay' };
    const a = await peerPage(browser, relay);
    const b = await peerPage(browser, relay);
    await openPeer(a, 'alice-relay', peerOptions(relay, { config }));
    await openPeer(b, 'bob-relay', peerOptions(relay, { config }));
    const stats = await mediaCall(a, b, 'bob-relay');
    assert.ok(stats.frames > 0);
    assert.equal(stats.local, 'relay');
    assert.equal(stats.remote, 'relay');
  } finally {
    await relay.stop();
  }
});
