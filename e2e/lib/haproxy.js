// Starts a real HAProxy (Debian `haproxy`, which ./run-tests installs) in front of kezdesu nodes, as docs/CLUSTER.md
// configures it, in round robin: every request and socket goes to the next node.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The haproxy binary, or null when it is not installed. */
export function haproxyBinary() {
  const dirs = (process.env.PATH || '').split(':').concat(['/usr/sbin', '/usr/local/sbin']);
  return dirs.map((d) => join(d || '.', 'haproxy')).find((p) => existsSync(p)) || null;
}


/**
 * Runs HAProxy on a free loopback port in front of `nodes` ({url}), and waits until it answers /readyz.
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startHaproxy(nodes) {
  const binary = haproxyBinary();
  if (!binary) throw new Error('haproxy is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'kezdesu-e2e-haproxy-'));
  const port = await freePort();
  const servers = nodes.map((n, i) => `  server n${i} ${new URL(n.url).host} check inter 1s fall 3 rise 1`).join('\n');
  writeFileSync(join(dir, 'haproxy.cfg'), `defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  timeout check 5s
  option redispatch
  retries 3
  option httpchk GET /readyz
frontend kezdesu
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance roundrobin
${servers}
`);
  const child = spawn(binary, ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-10000); });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('haproxy exited: ' + log);
    try {
      if ((await fetch(url + '/readyz')).ok) break;
    } catch {
      // not listening yet, or no node checked healthy yet
    }
    if (Date.now() > deadline) throw new Error('haproxy never answered /readyz: ' + log);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
