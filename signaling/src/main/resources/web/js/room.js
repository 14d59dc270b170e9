// The room page: joins over the signaling socket, runs a full mesh of peer connections, and shows every refusal.
import { api, requireLogin, token, currentUser, show, el, toLogin } from './api.js';
import { Signaling } from './signaling.js';
import { Peer } from './peer.js';
import { RoomView } from './room-view.js';

const roomId = decodeURIComponent(location.pathname.split('/').pop());
const relayOnly = new URLSearchParams(location.search).get('relay') === '1';
const $ = (id) => document.getElementById(id);
const notice = $('notice');
const view = new RoomView();

// Refusals of `join`, in words (PROTOCOL.md, "Error codes").
const REFUSALS = {
  'room-full': 'This room is full: it has reached its participant limit. Try again later.',
  'room-locked': 'This room is locked: only its head and moderators can enter now.',
  'kicked': 'You were removed from this room and cannot rejoin it.',
  'denied': 'A moderator declined your request to join this room.',
  'room-closed': 'This room has been closed.',
  'replaced': 'You joined this room from another window or device, so you left it here.',
  'not-found': 'There is no room at this link.',
  'already-joined': 'You are already in this room in another window or device.',
  'unavailable': 'The room is busy right now. Join again in a moment.',
  'not-yet-open': () => 'This room opens at ' + when(state.room?.notBefore) + '. Join again then.',
  'expired': () => 'This room\'s time is over: it ended at ' + when(state.room?.notAfter) + '.',
};

/** A time as the person reading it says it (their time zone and language). */
function when(iso) {
  if (!iso) return 'its scheduled time';
  const t = new Date(iso);
  const sameDay = t.toDateString() === new Date().toDateString();
  return sameDay ? t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : t.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

const refusal = (code, fallback) => {
  const r = REFUSALS[code];
  return typeof r === 'function' ? r() : r || fallback;
};

const state = {
  sig: null,
  you: null, // our participant id
  role: 'participant',
  room: null, // public room settings
  participants: new Map(), // id → {id, userId, name, role, audio, video}
  knocks: new Map(), // id → {id, userId, name}
  peers: new Map(), // id → Peer
  iceServers: [],
  stream: null,
  audio: true,
  video: true,
  password: undefined,
  ended: false,
  endsAt: null, // when the running conference must end (a time limit or the room's schedule)
};

if (requireLogin()) start();

async function start() {
  const user = currentUser();
  if (user) $('who').textContent = user.name;
  $('rejoin').href = location.pathname + location.search;
  show(notice, 'Opening the room…', 'info');
  let room;
  try {
    await api('GET', '/api/me'); // a 401 here sends us to login with "login expired"
    room = await api('GET', '/api/rooms/' + encodeURIComponent(roomId));
  } catch (err) {
    if (err.status !== 401) end(err.status === 404 ? REFUSALS['not-found'] : err.message);
    return;
  }
  applyRoom(room);
  if (room.closed) return end(REFUSALS['room-closed']);
  if (room.notAfter && new Date(room.notAfter) <= new Date()) return end(refusal('expired'));
  await openCamera();
  wireControls();
  connect(true);
}

async function openCamera() {
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (err) {
    state.stream = null;
    state.audio = state.video = false;
    show(notice, 'Your camera or microphone is unavailable (' + (err.name || 'error') + '). '
      + 'You can still see and hear the others.', 'error');
  }
}

async function connect(first) {
  const sig = new Signaling(token(), roomId);
  state.sig = sig;
  const on = (type, fn) => sig.addEventListener(type, (e) => fn(e.detail));
  on('state', connectionState);
  on('joined', (m) => entered(m, false));
  on('resumed', (m) => entered(m, true));
  on('lobby', () => show(notice, 'You are waiting in the lobby. A moderator will let you in soon.', 'info'));
  on('error', refused);
  on('peer-joined', ({ participant }) => {
    state.participants.set(participant.id, participant);
    view.tile(participant.id, participant.name);
    view.media(participant.id, participant);
    renderPeople();
  });
  on('peer-left', ({ id }) => dropPeer(id));
  on('offer', (m) => peerFor(m.from)?.description(m.description));
  on('answer', (m) => peerFor(m.from)?.description(m.description));
  on('candidate', (m) => peerFor(m.from)?.candidate(m.candidate));
  on('peer-media', (m) => {
    const p = state.participants.get(m.id);
    if (p) Object.assign(p, { audio: m.audio, video: m.video });
    view.media(m.id, m);
  });
  on('role-changed', ({ id, role }) => {
    const p = state.participants.get(id);
    if (p) p.role = role;
    if (id === state.you) state.role = role;
    renderPeople();
  });
  on('room-updated', ({ room, endsAt }) => {
    applyRoom(room);
    endsAtChanged(endsAt || null);
  });
  on('conference-ending', ({ minutesLeft, endsAt }) => {
    endsAtChanged(endsAt);
    show(notice, 'This conference ends in ' + (minutesLeft === 1 ? 'one minute' : minutesLeft + ' minutes')
      + ', at ' + when(endsAt) + '.', 'info');
  });
  on('conference-extended', ({ minutes, endsAt }) => {
    endsAtChanged(endsAt);
    show(notice, 'The head added ' + minutes + ' minutes: this conference now ends at ' + when(endsAt) + '.', 'info');
  });
  on('conference-ended', ({ reason }) => end(reason === 'expired'
    ? 'This room\'s time is over. The call has ended.'
    : 'This conference has reached its time limit. The call has ended.', false, 'info'));
  on('knock', (k) => {
    state.knocks.set(k.id, k);
    renderLobby();
  });
  on('knock-withdrawn', ({ id }) => {
    state.knocks.delete(id);
    renderLobby();
  });
  on('mute-request', ({ from, kind }) => askToMute(from, kind));
  on('kicked', ({ ban }) => end(ban ? 'You were removed from this room and banned from it.'
    : 'You were removed from this room by a moderator. You cannot rejoin this conference.'));
  on('room-closed', () => end('The head closed this room. The call has ended.'));
  on('server-shutdown', () => end('The server is restarting. Join again in a moment.', true));
  on('lost', (detail) => lost(detail));
  try {
    await sig.open();
  } catch {
    // The upgrade is refused with 401 when the login expired; the API tells us which it was.
    try {
      await api('GET', '/api/me');
      end('The server cannot be reached. Check your connection and join again.', true);
    } catch {
      // api() already sent us to the login page
    }
    return;
  }
  if (first || !state.ended) join();
}

function join() {
  const msg = { type: 'join', room: roomId };
  if (state.password !== undefined) msg.password = state.password;
  state.sig.send(msg);
}

/** `joined` or `resumed`: we are in; build (or reconcile) the mesh. */
function entered(m, resumed) {
  $('password-form').classList.add('hidden');
  $('room').classList.remove('hidden');
  if (!resumed && state.stream) show(notice, '', 'info'); // keep "camera unavailable" in view
  if (!resumed || state.you !== m.you) teardownPeers();
  state.you = m.you;
  state.role = m.role;
  state.iceServers = m.iceServers || [];
  applyRoom(m.room);
  endsAtChanged(m.endsAt || null);
  state.participants = new Map(m.participants.map((p) => [p.id, { ...p, role: m.roles[p.id] || p.role }]));
  state.knocks = new Map((m.lobby || []).map((k) => [k.id, k]));
  const me = state.participants.get(m.you);
  view.tile(m.you, me ? me.name : 'You', { local: true });
  if (state.stream) view.stream(m.you, state.stream);
  view.media(m.you, { audio: state.audio, video: state.video });
  for (const [id, p] of state.participants) {
    if (id === state.you) continue;
    view.tile(id, p.name);
    view.media(id, p);
    // The newcomer offers to everyone already there; after a resume the connections we have carry on.
    if (!state.peers.has(id)) peerFor(id, true);
  }
  for (const id of [...state.peers.keys()]) if (!state.participants.has(id)) dropPeer(id);
  renderPeople();
  renderLobby();
  if (!resumed && (!state.audio || !state.video)) sendMedia();
}

function peerFor(id, create = false) {
  let peer = state.peers.get(id);
  if (peer) return peer;
  // Offers come only from people in the room; a late message from someone who left is ignored.
  if (!create && !state.participants.has(id)) return null;
  peer = new Peer({
    selfId: state.you, id, iceServers: state.iceServers, relayOnly, stream: state.stream,
    send: (msg) => state.sig.send(msg),
    onStream: (stream) => view.stream(id, stream),
    onState: (s) => view.peerState(id, s),
  });
  state.peers.set(id, peer);
  return peer;
}

function dropPeer(id) {
  state.peers.get(id)?.close();
  state.peers.delete(id);
  state.participants.delete(id);
  view.removeTile(id);
  renderPeople();
}

function teardownPeers() {
  for (const peer of state.peers.values()) peer.close();
  state.peers.clear();
  view.clearRemote();
}

function refused(err) {
  if (err.code === 'resume-failed') {
    // Our place is gone: come back as a new participant.
    teardownPeers();
    state.you = null;
    return join();
  }
  if (err.code === 'wrong-password' || err.code === 'too-many-attempts') {
    const form = $('password-form');
    form.classList.remove('hidden');
    show(notice, err.code === 'too-many-attempts' ? err.message
      : state.password === undefined ? 'This room needs a password.' : 'That password is wrong. Try again.', 'error');
    form.elements.password.focus();
    return;
  }
  if (err.re === 'join' || err.re === 'resume' || ['replaced', 'kicked', 'denied', 'room-closed'].includes(err.code)) {
    return end(refusal(err.code, err.message),
      !['kicked', 'denied', 'room-closed', 'expired'].includes(err.code));
  }
  // A refused moderation action or the like: say so, stay in the call.
  show(notice, err.message, 'error');
}

/** The socket is gone and could not be resumed in the grace: join afresh over a new socket. */
function lost({ code } = {}) {
  if (state.ended) return;
  // PROTOCOL.md, "Close codes": the login that opened the socket no longer holds.
  if (code === 4403) return end('Your account has been disabled. Ask an administrator to enable it.');
  // 4401 after a password change made in another tab of this browser: that tab saved the new token, so join with it.
  if (code === 4401 && token() === state.sig.token) {
    return toLogin('Your password was changed, so this login no longer works. Please log in again.');
  }
  teardownPeers();
  state.you = null;
  show(notice, 'The connection was lost. Joining again…', 'info');
  connect(false);
}

function end(message, canRejoin = false, kind = 'error') {
  if (state.ended) return;
  state.ended = true;
  teardownPeers();
  if (state.sig) state.sig.close();
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  view.removeTile(state.you);
  $('room').classList.add('hidden');
  $('password-form').classList.add('hidden');
  $('ask').classList.add('hidden');
  $('after').classList.remove('hidden');
  $('rejoin').classList.toggle('hidden', !canRejoin);
  show(notice, message, kind);
}

function connectionState(s) {
  const text = { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Disconnected' };
  $('conn').dataset.state = s;
  $('conn').textContent = text[s] || s;
}

function applyRoom(room) {
  if (!room) return;
  state.room = { ...state.room, ...room };
  $('room-name').textContent = state.room.name;
  document.title = state.room.name + ' · kezdesu';
  $('lock-state').textContent = state.room.locked ? 'The room is locked: nobody new can enter.'
    : 'The room is open to anyone with the link.';
  $('lock').textContent = state.room.locked ? 'Unlock room' : 'Lock room';
  if (state.room.closed && state.you) end(REFUSALS['room-closed']);
}

/** The running conference's end (a time limit, or the room's schedule), shown beside the room's name. */
function endsAtChanged(endsAt) {
  state.endsAt = endsAt;
  $('ends').textContent = endsAt ? 'Ends at ' + when(endsAt) : '';
  $('ends').classList.toggle('hidden', !endsAt);
  $('extend').classList.toggle('hidden', !(endsAt && state.role === 'head' && state.room?.maxDurationMinutes));
}

const canModerate = () => state.role === 'head' || state.role === 'moderator';

function renderPeople() {
  const head = state.role === 'head';
  $('admin-card').classList.toggle('hidden', !canModerate());
  $('close').classList.toggle('hidden', !head);
  $('extend').classList.toggle('hidden', !(head && state.endsAt && state.room?.maxDurationMinutes));
  const list = [...state.participants.values()];
  view.renderPeople(list, state.you, (p) => {
    if (p.id === state.you || !canModerate()) return [];
    const outranked = state.role === 'moderator' && p.role !== 'participant';
    const button = (text, label, msg, cls = 'small secondary') => el('button', {
      type: 'button', class: cls, text, 'aria-label': label + ' ' + p.name,
      onclick: () => state.sig.send({ ...msg, to: p.id }) });
    const out = [];
    if (!outranked) out.push(button('Ask to mute', 'Ask to mute', { type: 'mute-request', kind: 'audio' }));
    if (head && p.role === 'participant') out.push(button('Make moderator', 'Make moderator', { type: 'promote' }));
    if (head && p.role === 'moderator') out.push(button('Remove moderator', 'Remove moderator', { type: 'demote' }));
    if (head) out.push(button('Make head', 'Make head', { type: 'promote', role: 'head' }));
    if (!outranked) out.push(button('Remove', 'Remove', { type: 'kick' }, 'small danger'));
    return out;
  });
  renderLobby();
}

function renderLobby() {
  view.renderLobby([...state.knocks.values()], canModerate(), (type, id) => {
    state.sig.send({ type, to: id });
    state.knocks.delete(id);
    renderLobby();
  });
}

function askToMute(from, kind) {
  const who = state.participants.get(from)?.name || 'A moderator';
  const video = kind === 'video';
  $('ask-text').textContent = who + (video ? ' asks you to turn off your camera.' : ' asks you to mute your microphone.');
  $('ask-ok').textContent = video ? 'Turn camera off' : 'Mute';
  $('ask').classList.remove('hidden');
  $('ask-ok').onclick = () => {
    if (video ? state.video : state.audio) toggle(video ? 'video' : 'audio');
    $('ask').classList.add('hidden');
  };
  $('ask-no').onclick = () => $('ask').classList.add('hidden');
  $('ask-ok').focus();
}

function toggle(kind) {
  const tracks = state.stream ? state.stream.getTracks().filter((t) => t.kind === kind) : [];
  if (!tracks.length) return;
  state[kind] = !state[kind];
  tracks.forEach((t) => { t.enabled = state[kind]; });
  updateButtons();
  sendMedia();
  view.media(state.you, { audio: state.audio, video: state.video });
}

function updateButtons() {
  const hasKind = (k) => Boolean(state.stream && state.stream.getTracks().some((t) => t.kind === k));
  $('mic').disabled = !hasKind('audio');
  $('cam').disabled = !hasKind('video');
  $('mic').setAttribute('aria-pressed', String(!state.audio));
  $('mic').textContent = state.audio ? 'Mute microphone' : 'Unmute microphone';
  $('cam').setAttribute('aria-pressed', String(!state.video));
  $('cam').textContent = state.video ? 'Turn camera off' : 'Turn camera on';
}

function sendMedia() {
  state.sig.send({ type: 'media', audio: state.audio, video: state.video });
}

function wireControls() {
  updateButtons();
  $('mic').addEventListener('click', () => toggle('audio'));
  $('cam').addEventListener('click', () => toggle('video'));
  $('copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.origin + '/r/' + roomId);
      $('copy').textContent = 'Link copied';
    } catch {
      show(notice, 'Copy this link to invite others: ' + location.origin + '/r/' + roomId, 'info');
    }
  });
  $('leave').addEventListener('click', () => {
    state.sig.leave();
    end('You left the room.', true, 'info');
  });
  $('lock').addEventListener('click', () => state.sig.send({ type: state.room.locked ? 'unlock' : 'lock' }));
  $('extend').addEventListener('click', () => state.sig.send({ type: 'extend', minutes: 5 }));
  $('close').addEventListener('click', () => {
    if (window.confirm('Close this room for everyone? Nobody can join it again.')) state.sig.send({ type: 'close' });
  });
  // Closing the tab or going elsewhere is leaving: the others should not wait out the resume grace.
  window.addEventListener('pagehide', () => {
    if (!state.ended && state.sig) state.sig.leave();
  });
  $('password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.password = e.target.elements.password.value;
    join();
  });
}
