// The room page's DOM: video tiles, the participant list with moderation buttons, the lobby list.
import { el } from './api.js';

const ROLE_NAMES = { head: 'head', moderator: 'moderator', participant: 'participant' };
const STATE_TEXT = {
  new: 'connecting', connecting: 'connecting', connected: 'connected', disconnected: 'reconnecting',
  failed: 'connection failed', closed: 'closed',
};

export class RoomView {
  constructor() {
    this.grid = document.getElementById('grid');
    this.people = document.getElementById('people');
    this.count = document.getElementById('count');
    this.lobby = document.getElementById('lobby');
    this.lobbyCard = document.getElementById('lobby-card');
    this.tiles = new Map();
  }

  /** A video tile (ours is `local`, muted and mirrored). */
  tile(id, name, { local = false } = {}) {
    let t = this.tiles.get(id);
    if (!t) {
      const video = el('video', { autoplay: true, playsinline: true, 'aria-label': 'Video of ' + name });
      video.muted = local;
      const nameEl = el('span', { class: 'name', text: local ? name + ' (you)' : name });
      const media = el('span', { class: 'media hidden' });
      const state = el('span', { class: 'state', 'data-state': local ? 'connected' : 'new',
        text: local ? 'you' : STATE_TEXT.new });
      const nocam = el('div', { class: 'nocam hidden', text: 'camera off' });
      const root = el('figure', { class: 'tile' + (local ? ' local' : ''), 'data-peer': id },
        video, nocam, el('figcaption', { class: 'label' }, nameEl, media, state));
      t = { root, video, nameEl, media, state, nocam, local };
      this.tiles.set(id, t);
      if (local) this.grid.prepend(root);
      else this.grid.append(root);
    }
    return t;
  }

  stream(id, stream) {
    const t = this.tiles.get(id);
    if (t && t.video.srcObject !== stream) {
      t.video.srcObject = stream;
      t.video.play().catch(() => {});
    }
  }

  peerState(id, state) {
    const t = this.tiles.get(id);
    if (!t || t.local) return;
    t.state.dataset.state = state;
    t.state.textContent = STATE_TEXT[state] || state;
  }

  media(id, { audio, video }) {
    const t = this.tiles.get(id);
    if (!t) return;
    const off = [audio === false ? 'mic off' : null, video === false ? 'camera off' : null].filter(Boolean);
    t.media.textContent = off.join(' · ');
    t.media.classList.toggle('hidden', off.length === 0);
    t.nocam.classList.toggle('hidden', video !== false);
  }

  removeTile(id) {
    const t = this.tiles.get(id);
    if (t) {
      t.video.srcObject = null;
      t.root.remove();
      this.tiles.delete(id);
    }
  }

  clearRemote() {
    for (const [id, t] of this.tiles) if (!t.local) this.removeTile(id);
  }

  /**
   * The participant list. `actions(p)` returns the buttons allowed to us for participant p.
   * @param {Array<{id, name, role}>} list
   */
  renderPeople(list, selfId, actions) {
    this.count.textContent = String(list.length);
    this.people.replaceChildren(...list.map((p) => el('li', { 'data-participant': p.id },
      el('span', { class: 'grow', text: p.name + (p.id === selfId ? ' (you)' : '') }),
      el('span', { class: 'badge ' + p.role, text: ROLE_NAMES[p.role] || p.role }),
      el('div', { class: 'actions' }, ...actions(p)))));
  }

  renderLobby(knocks, canAnswer, answer) {
    this.lobbyCard.classList.toggle('hidden', !canAnswer || knocks.length === 0);
    this.lobby.replaceChildren(...knocks.map((k) => el('li', { 'data-knock': k.id },
      el('span', { class: 'grow', text: k.name }),
      el('button', { type: 'button', class: 'small', text: 'Admit', 'aria-label': 'Admit ' + k.name,
        onclick: () => answer('admit', k.id) }),
      el('button', { type: 'button', class: 'small danger', text: 'Deny', 'aria-label': 'Deny ' + k.name,
        onclick: () => answer('deny', k.id) }))));
  }
}
