// One headless Chromium per participant, launched as /work/shared/BROWSER.md says: the Debian binary, a fresh
// profile each, fake camera and microphone, and flags that keep every packet on this machine.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.KEZDESU_CHROMIUM || '/usr/lib/chromium/chromium';
// Everything but where the network goes.
export const BASE_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
  '--no-pings', '--disable-breakpad', '--disable-domain-reliability', '--disable-default-apps',
  '--disable-extensions',
];
// Keeps every packet on loopback: no proxy that works, no name resolves except 127.0.0.1.
export const LOOPBACK_ARGS = [
  '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

// Records every RTCPeerConnection and WebSocket the page makes, so a test can read getStats() or drop the signaling
// socket without hooks in the client.
function recordPeerConnections() {
  const NativePc = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends NativePc {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
  const NativeWs = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends NativeWs {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
}

/**
 * A browser with one page; `close()` removes its profile. The defaults are the loopback browser of the e2e tests;
 * the network lab (e2e/netlab/) passes `executablePath` (a wrapper that runs Chromium inside a network namespace),
 * `network` (flags replacing LOOPBACK_ARGS), `args` (more flags) and `prefs` (written into the fresh profile's
 * Default/Preferences before launch, e.g. {webrtc: {ip_handling_policy: 'disable_non_proxied_udp'}}).
 */
export async function openBrowser(name, {
  viewport = { width: 1280, height: 800 }, executablePath = CHROMIUM, network = LOOPBACK_ARGS, args = [], prefs,
} = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'kezdesu-chromium-'));
  if (prefs) {
    mkdirSync(join(profile, 'Default'));
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(prefs));
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...BASE_ARGS, ...network, ...args],
    viewport,
    permissions: ['camera', 'microphone'],
  });
  context.setDefaultTimeout(20_000);
  await context.addInitScript(recordPeerConnections);
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', (d) => d.accept()); // "Close this room for everyone?"
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    name,
    page,
    errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The page's peer connections as the tests see them: connection state, video frames decoded, and the selected
 * candidate pair's local and remote candidates (type, address, port, url, protocol, relayProtocol, relatedAddress).
 */
export function peerStats(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let framesDecoded = 0;
      let pair = null;
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded += r.framesDecoded || 0;
        if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
      });
      const local = pair ? stats.get(pair.localCandidateId) : null;
      const remote = pair ? stats.get(pair.remoteCandidateId) : null;
      const view = (c) => (c ? {
        type: c.candidateType, address: c.address, port: c.port, url: c.url, protocol: c.protocol,
        relayProtocol: c.relayProtocol, relatedAddress: c.relatedAddress,
      } : null);
      out.push({ state: pc.connectionState, framesDecoded, local: view(local), remote: view(remote) });
    }
    return out;
  });
}

/** Polls `probe` until `ok(value)` holds, or fails after `timeout` ms with the last value seen. */
export async function until(what, probe, ok, { timeout = 30_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what + '; last: ' + JSON.stringify(last));
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the page has `count` live peer connections, each connected and decoding video. */
export function videoFlowing(b, count, timeout = 45_000) {
  return until(b.name + ' decoding video from ' + count + ' peer(s)', () => peerStats(b.page),
    (s) => s.filter((p) => p.state === 'connected' && p.framesDecoded > 0).length >= count, { timeout });
}

/**
 * Browsers a test file opens and closes together: `open(name)` as openBrowser, `closeAll()` in its `after`.
 * @returns {{open: (name: string) => Promise<object>, closeAll: () => Promise<void>}}
 */
export function browserSet() {
  const open = [];
  return {
    async open(name) {
      const b = await openBrowser(name);
      open.push(b);
      return b;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((b) => b.close()));
    },
  };
}
