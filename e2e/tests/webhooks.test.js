// Webhooks as a receiver built on the Standard Webhooks reference library sees them: every delivery verifies with
// the library's own check (signature, id, timestamp), and the events of a room a real browser takes part in arrive
// in order, each once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startDaemon } from '../lib/daemon.js';
import { openBrowser, until } from '../lib/browser.js';
import { register, createRoom, enterRoom } from '../lib/flows.js';

const SECRET = 'whsec_' + randomBytes(24).toString('base64');
const verifier = new Webhook(SECRET);
const received = [];
const rejected = [];
let receiver;
let daemon;
let browser;

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      try {
        received.push({ id: req.headers['webhook-id'], event: verifier.verify(body, req.headers) });
        res.writeHead(204).end();
      } catch (e) {
        rejected.push(String(e));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  // A closed browser's place is given up after resume-grace: short here.
  daemon = await startDaemon(['--webhook-url', url, '--webhook-secret', SECRET, '--resume-grace', '1s'],
    'signaling');
}, { timeout: 90_000 });
after(async () => {
  await browser?.close();
  await daemon?.stop();
  await new Promise((r) => receiver.close(r));
}, { timeout: 30_000 });

test('a room\'s life reaches the receiver signed, in order, each event once', { timeout: 90_000 }, async () => {
  browser = await openBrowser('Ada');
  await register(browser, daemon.url);
  const link = await createRoom(browser, daemon.url, { name: 'Hooked' });
  const room = link.split('/r/')[1];
  await enterRoom(browser, link);
  await until('the join delivered', () => received.map((r) => r.event.type),
    (types) => types.includes('participant.joined'));
  await browser.close();
  browser = null;
  const ofRoom = await until('the conference\'s end delivered', () => received.filter((r) => r.event.data.room === room),
    (list) => list.some((r) => r.event.type === 'conference.ended'));
  assert.deepEqual(ofRoom.map((r) => r.event.type), ['room.created', 'conference.started', 'participant.joined',
    'participant.left', 'conference.ended']);
  assert.equal(ofRoom[2].event.data.name, 'Ada');
  assert.deepEqual(ofRoom.slice(2, 4).map((r) => r.event.data.participantCount), [1, 0]);
  assert.equal(new Set(received.map((r) => r.id)).size, received.length, 'each once');
  assert.deepEqual(rejected, [], 'every delivery verified');
});
