// One call between two real browsers in the network lab that scripts/netlab built, checked against what the
// scenario must prove: node call.mjs <lab.json> [--repeat N] [--result FILE]
//
// Ada and Bob (headless Chromium, each inside its site's network namespace) register, Ada creates a room and
// enters it, Bob opens the link; both must decode the other's video. Then the selected ICE candidate pair each
// browser reports in getStats() is asserted for the scenario, and the set-up time (Bob opening the link → the
// first decoded video frame on both sides) is measured. Writes one line, "<scenario>: ok …" or
// "<scenario>: FAIL <why>", to --result (and stdout); everything else goes to stderr. docs/NETLAB.md.
import { readFileSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { openBrowser, peerStats, videoFlowing, until } from '../lib/browser.js';
import { register, createRoom, enterRoom } from '../lib/flows.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const lab = JSON.parse(readFileSync(argv[0] || '/tmp/kezdesu-netlab/lab.json', 'utf8'));
const repeat = Number(opt('--repeat', process.env.NETLAB_REPEAT || '1'));
const resultFile = opt('--result');
process.env.TMPDIR = lab.tmp; // browser profiles live in the lab's state, which `scripts/netlab down` removes
// NETLAB_FAULT breaks one thing on purpose so that an assertion can be seen to fail (docs/NETLAB.md).
const fault = process.env.NETLAB_FAULT || '';
const say = (...a) => console.error(new Date().toISOString(), ...a);

/** Chromium's flags for the lab: no name resolves (no DNS here) except the lab's own addresses. */
function launchOptions(b) {
  // IP literals go through these rules too (an IPv6 one is written without brackets here).
  const excluded = [...new Set(lab.addresses)].map((a) => 'EXCLUDE ' + a).join(', ');
  const network = [`--host-resolver-rules=MAP * ~NOTFOUND, ${excluded}`];
  if (lab.proxy && fault !== 'no-proxy') network.push('--proxy-server=' + lab.proxy);
  return {
    executablePath: b.chromium,
    network,
    // Accept exactly the lab certificate's key, for the page (HTTPS/WSS) and for TURN over TLS alike.
    args: ['--ignore-certificate-errors-spki-list=' + lab.spki],
    // Behind the proxy: WebRTC may use no UDP that does not go through the proxy, i.e. none: only TURN over
    // TCP/TLS through the proxy's CONNECT.
    prefs: lab.proxy && fault !== 'no-pref' ? { webrtc: { ip_handling_policy: 'disable_non_proxied_udp' } } : undefined,
  };
}

// In the page: the wall-clock time at which the first video frame from a peer was decoded (polled every 50 ms).
function firstFrameClock() {
  window.__firstFrameAt = null;
  const tick = async () => {
    for (const pc of window.__pcs || []) {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0 && !window.__firstFrameAt) {
          window.__firstFrameAt = Date.now();
        }
      });
    }
    if (!window.__firstFrameAt) setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
}

// In the page: every STUN/TURN server a connection failed to use (icecandidateerror), to say why a call failed.
function recordIceErrors() {
  window.__iceErrors = [];
  const Pc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Pc {
    constructor(...args) {
      super(...args);
      this.addEventListener('icecandidateerror', (e) => window.__iceErrors.push(`${e.url} ${e.errorCode}`));
    }
  };
}

// NETLAB_FAULT=no-turn: the page gets only the STUN server, no TURN relay.
function withoutTurn() {
  const Pc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Pc {
    constructor(config = {}, ...rest) {
      const iceServers = (config.iceServers || []).map((s) => ({
        ...s, urls: [].concat(s.urls).filter((u) => !/^turns?:/.test(u)),
      })).filter((s) => s.urls.length);
      super({ ...config, iceServers }, ...rest);
    }
  };
}

/** Every local candidate the page's connections gathered, as "type/protocol[/relayProtocol]". */
function gathered(page) {
  return page.evaluate(async () => {
    const out = new Set();
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'local-candidate') {
          out.add([r.candidateType, r.protocol, r.relayProtocol].filter(Boolean).join('/'));
        }
      });
    }
    return [...out].sort();
  });
}

/** Whether Ada's and Bob's selected pairs are one path: each side's local candidate is the other's remote one. */
function samePath(a, b) {
  const same = (x, y) => x && y && x.port === y.port && (!x.address || !y.address || x.address === y.address);
  return a.local && b.local && same(a.local, b.remote) && same(b.local, a.remote);
}

const pairText = (s) => `${s.local.type}/${s.remote.type} ${transport(s)}`;
// The protocol the browser speaks on its side: to the TURN server for a relay candidate, else the candidate's own.
const transport = (s) => (s.local.type === 'relay' ? s.local.relayProtocol : s.local.protocol);

/** What each scenario must see on each side; returns why not, or null. */
function check(who, s, candidates) {
  const pair = `${who}: selected pair ${pairText(s)} (local ${s.local.address}:${s.local.port}`
    + `${s.local.url ? ' via ' + s.local.url : ''}, remote ${s.remote.address}:${s.remote.port})`;
  switch (lab.scenario) {
    case 'symmetric-nat':
    case 'ipv6-only':
      if (s.local.type !== 'relay' && s.remote.type !== 'relay') return pair + ', expected a relay candidate';
      if (transport(s) !== 'udp') return pair + ', expected udp';
      // (Chromium leaves a peer-reflexive remote candidate's address out of getStats: "".)
      if (lab.family === 6 && ![s.local.address, s.remote.address].filter(Boolean).every((a) => a.includes(':'))) {
        return pair + ', expected IPv6 addresses';
      }
      return null;
    case 'udp-blocked':
    case 'proxy-only':
      if (s.local.type !== 'relay' || s.local.relayProtocol !== 'tls' || !/^turns:/.test(s.local.url || '')) {
        return pair + ', expected a local relay candidate over TLS (turns:)';
      }
      // disable_non_proxied_udp: no UDP leaves the browser but through the proxy, so the only UDP candidates are
      // relayed ones reached over TCP/TLS (TCP host candidates remain; their connections would use the proxy).
      if (lab.scenario === 'proxy-only'
          && candidates.some((c) => c.includes('/udp') && !/^relay\/udp\/(tcp|tls)$/.test(c))) {
        return `${who}: gathered ${candidates.join(', ')}, expected no UDP but relayed over TCP/TLS `
          + '(webrtc.ip_handling_policy disable_non_proxied_udp)';
      }
      return null;
    case 'same-site':
      if (s.local.type !== 'host' || s.remote.type !== 'host' || s.local.protocol !== 'udp') {
        return pair + ', expected host/host udp';
      }
      return null;
    default:
      return 'unknown scenario ' + lab.scenario;
  }
}

function proxyLogSize() {
  return lab.proxyLog ? statSync(lab.proxyLog).size : 0;
}

function proxyLogSince(offset) {
  const fd = openSync(lab.proxyLog, 'r');
  try {
    const size = statSync(lab.proxyLog).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The site's NAT as the daemon's own relay classifies it (RFC 5780, `kezdesu probe stun:…` run in Ada's
 * namespace), checked against the scenario without any browser: returns the words for the result line, or
 * throws what is wrong.
 */
async function probeNat() {
  const ns = lab.browsers[0].namespace;
  const out = await new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'java', '-jar', lab.jar, 'probe', '--json', '--timeout', '3', lab.stun],
      { timeout: 60_000 }, (err, stdout, stderr) => resolve({ stdout, stderr }));
  });
  let report;
  try {
    report = JSON.parse(out.stdout.trim().split('\n').pop());
  } catch {
    throw new Error(`kezdesu probe ${lab.stun} in ${ns} printed no report: ${out.stderr.trim().split('\n').pop()}`);
  }
  say('probe', JSON.stringify(report));
  if (lab.scenario === 'udp-blocked' || lab.scenario === 'proxy-only') {
    if (report.ok) throw new Error(`probe: a STUN Binding over UDP got out of ${ns} (${report.mappedAddress})`);
    return 'probe: no UDP out';
  }
  if (!report.ok) throw new Error(`probe ${lab.stun} from ${ns} failed: ${report.errors.join('; ')}`);
  if (report.natMapping !== 'address-and-port-dependent') {
    throw new Error(`probe: ${ns}'s NAT mapping is ${report.natMapping}, expected address-and-port-dependent`);
  }
  return `probe: NAT mapping ${report.natMapping}`;
}

async function call(run) {
  const proxyFrom = proxyLogSize();
  const [specA, specB] = lab.browsers;
  const opened = [];
  try {
    for (const spec of [specA, specB]) {
      const b = await openBrowser(spec.name, launchOptions(spec));
      opened.push(b);
      const context = b.page.context();
      await context.addInitScript(firstFrameClock);
      await context.addInitScript(recordIceErrors);
      if (fault === 'no-turn') await context.addInitScript(withoutTurn);
      b.page.on('console', (m) => m.type() === 'error' && say(spec.name, 'console:', m.text()));
    }
    const [ada, bob] = opened;
    await Promise.all([register(ada, lab.base), register(bob, lab.base)]);
    let link = await createRoom(ada, lab.base, { name: `netlab ${lab.scenario} ${run}` });
    if (fault === 'relay-only') link += '?relay=1';
    await enterRoom(ada, link);
    const joinedAt = Date.now(); // Bob opens the link: the call starts
    await enterRoom(bob, link);
    try {
      await Promise.all([videoFlowing(ada, 1, 90_000), videoFlowing(bob, 1, 90_000)]);
    } catch (e) {
      // Why: what each browser gathered, and which STUN/TURN servers it could not use.
      const why = [];
      for (const b of opened) {
        const candidates = await gathered(b.page).catch(() => []);
        const errors = await b.page.evaluate(() => [...new Set(window.__iceErrors)]).catch(() => []);
        why.push(`${b.name} gathered ${candidates.join(' ') || 'nothing'}`
          + (errors.length ? `, ICE server errors ${errors.join(', ')}` : ''));
      }
      throw new Error(`${e.message.split('\n')[0].replace(/; last: .*/, '')} (${why.join('; ')})`);
    }
    const first = await Promise.all(opened.map((b) => b.page.evaluate(() => window.__firstFrameAt)));
    const setup = (Math.max(...first) - joinedAt) / 1000;
    // Media may flow before ICE has settled: for a moment each side can report a different pair (seen: Ada on
    // her TURN-over-TCP allocation while Bob, the controlling side, had nominated her UDP one). The path of the
    // call is the pair both report: wait until Ada's local candidate is Bob's remote one and the other way round.
    const [sa, sb] = await until('both browsers to report the same candidate pair',
      () => Promise.all([peerStats(ada.page), peerStats(bob.page)]),
      ([a, b]) => a.length === 1 && b.length === 1 && samePath(a[0], b[0]), { timeout: 30_000 });
    const problems = [];
    const views = [];
    for (const [b, [s]] of [[ada, sa], [bob, sb]]) {
      const candidates = await gathered(b.page);
      say(b.name, 'selected', JSON.stringify(s), 'gathered', candidates.join(' '));
      views.push(s);
      const why = check(b.name, s, candidates);
      if (why) problems.push(why);
      if (b.errors.length) problems.push(`${b.name}: page errors: ${b.errors.join('; ')}`);
    }
    if (lab.proxy) {
      // The relay's word: the TURN-TLS connection came from the proxy's address (XOR-MAPPED-ADDRESS, which the
      // browser reports as the relay candidate's related address).
      const proxyIp = new URL(lab.proxy).hostname;
      for (const [b, s] of [[ada, views[0]], [bob, views[1]]]) {
        if (s.local.relatedAddress !== proxyIp) {
          problems.push(`${b.name}: the relay saw the TURN client at ${s.local.relatedAddress}, `
            + `not the proxy ${proxyIp}`);
        }
      }
      // The proxy's own word that TURN-TLS went through it: a CONNECT to the relay's port 443, established.
      const turns = new URL(views[0].local.url?.replace(/^turns:/, 'https://') || 'https://none');
      const target = `${turns.hostname}:${turns.port || 443}`;
      const log = proxyLogSince(proxyFrom);
      if (!log.includes(`CONNECT ${target} `) || !log.includes(`Established connection to host "${turns.hostname}"`)) {
        problems.push(`the proxy's log has no established CONNECT ${target}`);
      }
    }
    if (problems.length) throw new Error(problems.join('; '));
    say(`run ${run}: ${pairText(views[0])}, setup ${setup.toFixed(2)} s`);
    return { pair: pairText(views[0]), setup };
  } finally {
    await Promise.all(opened.map((b) => b.close()));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let line;
// The probe and the calls are checked apart, so that a fault shows in both when it touches both.
let nat;
let natProblem = null;
try {
  nat = await probeNat();
} catch (e) {
  natProblem = e.message;
}
try {
  const results = [];
  for (let run = 1; run <= repeat; run++) {
    try {
      results.push(await call(run));
    } catch (e) {
      throw new Error((repeat > 1 ? `run ${run}/${repeat}: ` : '') + e.message.split('\n')[0]);
    }
  }
  const pairs = [...new Set(results.map((r) => r.pair))];
  const setups = results.map((r) => r.setup);
  const timing = repeat > 1
    ? `setup ${median(setups).toFixed(1)} s, median of ${repeat}: ${setups.map((t) => t.toFixed(1)).join(' ')}`
    : `setup ${setups[0].toFixed(1)} s`;
  line = natProblem ? `${lab.scenario}: FAIL ${natProblem} (the calls: ok ${pairs.join(' | ')})`
    : `${lab.scenario}: ok ${pairs.join(' | ')} (${timing}; ${nat})`;
} catch (e) {
  say(e.stack);
  line = `${lab.scenario}: FAIL ${natProblem ? natProblem + '; ' : ''}${e.message}`;
}
if (resultFile) writeFileSync(resultFile, line + '\n');
console.log(line);
process.exitCode = line.includes(': FAIL') ? 1 : 0;
