// Starts the real kezdesu daemon and Debian's Chromium (flags per /work/shared/BROWSER.md) for PeerJS tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const JAR = join(root, 'cli', 'target', 'kezdesu.jar');
const PEERJS = readFileSync(join(here, 'node_modules', 'peerjs', 'dist', 'peerjs.min.js'));
const PAGE = '<!doctype html><meta charset="utf-8"><title>peerjs e2e</title><script src="/e2e/peerjs.min.js"></script>';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
  '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--no-pings', '--disable-breakpad', '--disable-domain-reliability', '--disable-default-apps',
  '--disable-extensions',
];

/** Starts `kezdesu <command>` on an ephemeral loopback port; resolves once the startup line is on stderr. */
export async function startDaemon(command = 'signaling', extra = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezdesu-peerjs-e2e-'));
  const proc = spawn('java', ['-jar', JAR, command, '--data-dir', dataDir, '--http-ip', '127.0.0.1',
    '--http-port', '0', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('daemon not ready in 60 s:\n' + err)), 60_000);
    proc.stderr.on('data', (chunk) => {
      err += chunk;
      const m = err.match(/ ready: (.*)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`daemon exited with ${code}:\n${err}`)));
  });
  const port = Number(line.match(/http:\/\/127\.0\.0\.1:(\d+)/)[1]);
  return {
    port,
    line,
    base: `http://127.0.0.1:${port}`,
    hasTurn: /(^|\| )turn/.test(line),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.on('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: CHROMIUM_ARGS });
}

/** A page on the daemon's own origin (fulfilled by Playwright) with the PeerJS client loaded. */
export async function peerPage(browser, daemon) {
  const context = await browser.newContext();
  await context.route(`${daemon.base}/e2e/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/e2e/peerjs.min.js') {
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: PEERJS });
    }
    return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${daemon.base}/e2e/index.html`);
  await page.waitForFunction(() => typeof window.peerjs?.Peer === 'function');
  return page;
}

/** Options for `new Peer(id, options)` pointing at the daemon. */
export function peerOptions(daemon, extra = {}) {
  return { host: '127.0.0.1', port: daemon.port, path: '/peerjs', key: 'peerjs', secure: false, debug: 1, ...extra };
}
