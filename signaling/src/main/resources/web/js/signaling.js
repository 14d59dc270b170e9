// The signaling socket (docs/PROTOCOL.md): join, the message stream, and resuming after an unexpected close.

// Messages that are not "room messages": they are not numbered by the server, so they do not count for `received`.
const UNCOUNTED = new Set(['joined', 'resumed', 'lobby', 'pong', 'error']);
const RESUME_WINDOW_MS = 18000; // inside the server's 20 s resume-grace, with a margin for the last attempt

/**
 * One signaling session. Emits each server message as an event of its type (`joined`, `offer`, …), plus
 * `state` (detail: connecting/open/reconnecting/closed) and `lost` (the socket is gone and could not be resumed).
 */
export class Signaling extends EventTarget {
  constructor(token, room) {
    super();
    this.token = token;
    this.room = room; // only for load balancers that keep a room's sockets on one node (docs/CLUSTER.md)
    this.ws = null;
    this.resumeToken = null; // set by joined/resumed: we hold a place in a room
    this.received = 0; // room messages received since joined, for resume
    this.closing = false;
    this.retry = null;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return proto + '//' + location.host + '/ws?token=' + encodeURIComponent(this.token)
      + (this.room ? '&room=' + encodeURIComponent(this.room) : '');
  }

  /** Opens the socket; resolves once open, rejects if it closes first. */
  open() {
    this.state('connecting');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url());
      this.ws = ws;
      let opened = false;
      ws.addEventListener('open', () => {
        opened = true;
        this.state('open');
        resolve();
      });
      ws.addEventListener('message', (e) => this.receive(e.data));
      ws.addEventListener('close', (e) => {
        if (this.ws !== ws) return;
        if (!opened) reject(new Error('the signaling socket did not open (' + e.code + ')'));
        else this.closed(e);
      });
    });
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
      return true;
    }
    return false;
  }

  receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === 'joined' || msg.type === 'resumed') this.resumeToken = msg.resumeToken;
    if (msg.type === 'joined') this.received = 0;
    else if (!UNCOUNTED.has(msg.type)) this.received++;
    // Messages that end our place in the room: nothing left to resume.
    if (['kicked', 'room-closed', 'server-shutdown'].includes(msg.type)
        || (msg.type === 'error' && ['replaced', 'kicked', 'room-closed', 'denied'].includes(msg.code))) {
      this.resumeToken = null;
    }
    this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
  }

  /** Leaves the room deliberately: no resume afterwards. */
  leave() {
    this.resumeToken = null;
    this.send({ type: 'leave' });
  }

  close() {
    this.closing = true;
    this.resumeToken = null;
    clearTimeout(this.retry);
    if (this.ws) this.ws.close(1000);
    this.state('closed');
  }

  closed(e) {
    if (this.closing) return;
    // 4401 (token revoked) and 4403 (account disabled): the server has already given our place up, and a new socket
    // with this token would be refused, so there is nothing to resume.
    if (!this.resumeToken || e.code === 4401 || e.code === 4403) {
      this.state('closed');
      this.dispatchEvent(new CustomEvent('lost', { detail: { code: e.code, resumable: false } }));
      return;
    }
    this.resumeLoop(Date.now() + RESUME_WINDOW_MS, 250);
  }

  /** Reconnects with backoff and sends `resume {token, received}` while the server still keeps our place. */
  resumeLoop(deadline, delay) {
    this.state('reconnecting');
    this.retry = setTimeout(async () => {
      if (this.closing) return;
      try {
        await this.open();
        this.send({ type: 'resume', token: this.resumeToken, received: this.received });
      } catch {
        if (Date.now() + delay < deadline) {
          this.resumeLoop(deadline, Math.min(delay * 2, 4000));
        } else {
          this.state('closed');
          this.dispatchEvent(new CustomEvent('lost', { detail: { resumable: false } }));
        }
      }
    }, delay);
  }

  state(s) {
    this.dispatchEvent(new CustomEvent('state', { detail: s }));
  }
}
