// One RTCPeerConnection per remote participant, negotiated with the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): either side may offer at any time; on a collision
// the polite peer rolls back and answers, the impolite one ignores the other's offer. Roles are decided the same way
// on both sides by comparing participant ids, so simultaneous offers never deadlock.

export class Peer {
  /**
   * @param {object} o
   * @param {string} o.selfId our participant id
   * @param {string} o.id the remote participant id
   * @param {RTCIceServer[]} o.iceServers from `joined`
   * @param {boolean} o.relayOnly `?relay=1`: iceTransportPolicy "relay"
   * @param {MediaStream|null} o.stream our camera and microphone, if any
   * @param {(msg: object) => void} o.send sends a signaling message
   * @param {(stream: MediaStream) => void} o.onStream the remote media arrived
   * @param {(state: string) => void} o.onState the connection state changed
   */
  constructor({ selfId, id, iceServers, relayOnly, stream, send, onStream, onState }) {
    this.id = id;
    this.polite = selfId > id;
    this.send = send;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingAnswer = false;
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
    const pc = this.pc;
    const tracks = stream ? stream.getTracks() : [];
    for (const track of tracks) pc.addTrack(track, stream);
    // Without a camera or microphone we still want to receive: ask for both kinds.
    for (const kind of ['audio', 'video']) {
      if (!tracks.some((t) => t.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
    }

    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.send({ type: 'offer', to: id, description: pc.localDescription.toJSON() });
      } catch (err) {
        console.warn('kezdesu: offer to', id, 'failed', err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.send({ type: 'candidate', to: id, candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => {
      onStream(streams[0] || new MediaStream([track]));
    };
    // A failed connection gets an ICE restart (new credentials, new candidates): the network may have changed.
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') pc.restartIce();
    };
    pc.onconnectionstatechange = () => onState(pc.connectionState);
  }

  async description(description) {
    const pc = this.pc;
    try {
      // An answer can be applied while we wait for the one we made to settle ("have-local-offer" is expected then).
      const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.settingAnswer = description.type === 'answer';
      await pc.setRemoteDescription(description); // rolls back our own offer when needed (polite side)
      this.settingAnswer = false;
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.send({ type: 'answer', to: this.id, description: pc.localDescription.toJSON() });
      }
    } catch (err) {
      console.warn('kezdesu: negotiation with', this.id, 'failed', err);
    }
  }

  async candidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!this.ignoreOffer) console.warn('kezdesu: candidate from', this.id, 'refused', err);
    }
  }

  close() {
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ontrack = null;
    this.pc.oniceconnectionstatechange = this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}
