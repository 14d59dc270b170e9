// One headless Chromium per participant, launched as /work/shared/BROWSER.md says: the Debian binary, a fresh
// profile each, fake camera and microphone, and flags that keep every packet on this machine.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.KEZDESU_CHROMIUM || '/usr/lib/chromium/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
  '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--no-pings', '--disable-breakpad', '--disable-domain-reliability', '--disable-default-apps',
  '--disable-extensions',
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

/** A browser with one page; `close()` removes its profile. */
export async function openBrowser(name, { viewport = { width: 1280, height: 800 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'kezdesu-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
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
 * candidate pair's local candidate (type, address, port, url).
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
      const view = (c) => (c ? { type: c.candidateType, address: c.address, port: c.port, url: c.url } : null);
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
