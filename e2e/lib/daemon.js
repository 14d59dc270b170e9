// Starts the real kezdesu daemon (cli/target/kezdesu.jar) on ephemeral loopback ports for one test file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JAR = join(root, 'cli', 'target', 'kezdesu.jar');
const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Runs `kezdesu serve` and waits for its startup line:
 * `… ready: http http://127.0.0.1:<port> | turn udp 127.0.0.1:<port> | …` (the relay part only once it is built).
 * @returns {Promise<{url: string, relay: {ip: string, port: number} | null, stop: () => Promise<void>}>}
 */
/**
 * Runs `kezdesu relay` (with `--mongo-uri` in `extraArgs`, a member of that store's relay fleet) and waits for its
 * startup line: `… relay ready: relay <id> in the fleet | turn udp 127.0.0.1:<port> | …`.
 * @returns {Promise<{id: string|null, port: number, exited: Promise<number>, stop: () => Promise<void>}>}
 */
export async function startRelay(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezdesu-e2e-relay-'));
  const child = spawn('java', ['-jar', JAR, 'relay', '--data-dir', dataDir, '--listening-ip', '127.0.0.1',
    '--listening-port', '0', '--relay-ip', '127.0.0.1', '--allow-loopback-peers', 'true', ...extraArgs],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay not ready in time; its log:\n' + log)),
      STARTUP_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-20000);
      const ready = log.split('\n').find((l) => / relay ready: /.test(l));
      if (ready) {
        clearTimeout(timer);
        resolve(ready);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error('relay exited (' + code + ') before it was ready; its log:\n' + log));
    });
  });
  const id = line.match(/relay (\S+) in the fleet/);
  return {
    id: id ? id[1] : null,
    port: Number(line.match(/turn udp [0-9.]+:(\d+)/)[1]),
    exited,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `kezdesu store` (the embedded store on its own, for several daemons) and waits for its `mongodb://` line.
 * @returns {Promise<{uri: string, stop: () => Promise<void>}>}
 */
export async function startStore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezdesu-e2e-store-'));
  const child = spawn('java', ['-jar', JAR, 'store', '--data-dir', dataDir, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const uri = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kezdesu store not ready in time:\n' + out)), STARTUP_TIMEOUT_MS);
    const read = (chunk) => {
      out = (out + chunk).slice(-20000);
      const line = out.split('\n').find((l) => /^mongodb:\/\//.test(l.trim()));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error('kezdesu store exited (' + code + '):\n' + out));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    uri,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startDaemon(extraArgs = [], mode = 'serve') {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezdesu-e2e-'));
  const args = ['-jar', JAR, mode, '--data-dir', dataDir, '--http-ip', '127.0.0.1', '--http-port', '0',
    '--listening-ip', '127.0.0.1', '--listening-port', '0', '--allow-loopback-peers', 'true', ...extraArgs];
  const child = spawn('java', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('daemon not ready in time; its log:\n' + log)),
      STARTUP_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-20000);
      const line = log.split('\n').find((l) => / ready: http /.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error('daemon exited (' + code + ') before it was ready; its log:\n' + log));
    });
  });
  const line = await ready;
  const url = line.match(/ready: http (https?:\/\/[0-9.:[\]]+)/)[1];
  const turn = line.match(/turn udp ([0-9.]+):(\d+)/);
  const relay = turn ? { ip: turn[1], port: Number(turn[2]) } : null;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    url,
    relay,
    dataDir,
    log: () => log,
    /** SIGKILL: the daemon dies without a word, as in a crash. */
    async kill() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
