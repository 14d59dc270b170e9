package io.kezdesu.relay.probe;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** The probe's connection to the server: one UDP socket, or one TCP/TLS stream framed as RFC 8656 §12.5 says. */
abstract sealed class ClientTransport implements AutoCloseable {

    /** Sends one STUN message or ChannelData frame. */
    abstract void send(byte[] message) throws IOException;

    /** Sends to another server address (RFC 5780 tests); only UDP can. */
    void sendTo(byte[] message, InetSocketAddress destination) throws IOException {
        throw new UnsupportedOperationException("only UDP sends to other addresses");
    }

    /** The next message, or null when nothing arrived within {@code timeoutMillis}. */
    abstract byte[] receive(int timeoutMillis) throws IOException;

    /** Whether lost requests must be retransmitted (RFC 8489 §6.2.1: UDP only). */
    abstract boolean unreliable();

    abstract InetSocketAddress localAddress();

    @Override
    public abstract void close();

    static ClientTransport open(StunUrl url, InetSocketAddress server, int timeoutMillis) throws IOException {
        return switch (url.transport()) {
            case UDP -> new Udp(server);
            case TCP -> new Stream(connect(new Socket(), server, timeoutMillis));
            case TLS -> {
                Socket plain = connect(new Socket(), server, timeoutMillis);
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, url.host(), server.getPort(), true);
                var params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(params);
                tls.setSoTimeout(timeoutMillis);
                tls.startHandshake();
                yield new Stream(tls);
            }
        };
    }

    private static Socket connect(Socket s, InetSocketAddress server, int timeoutMillis) throws IOException {
        s.setTcpNoDelay(true);
        s.connect(server, timeoutMillis);
        return s;
    }

    /** Unconnected, so RFC 5780 answers from the server's other address (CHANGE-REQUEST) are received too. */
    static final class Udp extends ClientTransport {
        private final DatagramSocket socket;
        private final InetSocketAddress server;
        private final byte[] buffer = new byte[65536];

        Udp(InetSocketAddress server) throws IOException {
            this.socket = new DatagramSocket();
            this.server = server;
        }

        @Override
        void send(byte[] message) throws IOException {
            sendTo(message, server);
        }

        @Override
        void sendTo(byte[] message, InetSocketAddress destination) throws IOException {
            socket.send(new DatagramPacket(message, message.length, destination));
        }

        @Override
        byte[] receive(int timeoutMillis) throws IOException {
            socket.setSoTimeout(Math.max(1, timeoutMillis));
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buffer, p.getLength());
        }

        @Override
        boolean unreliable() {
            return true;
        }

        @Override
        InetSocketAddress localAddress() {
            try (DatagramSocket route = new DatagramSocket()) {
                // The unconnected socket reports the wildcard; a throwaway connect names the interface used.
                route.connect(server);
                return new InetSocketAddress(route.getLocalAddress(), socket.getLocalPort());
            } catch (IOException e) {
                return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static final class Stream extends ClientTransport {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Stream(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        @Override
        void send(byte[] message) throws IOException {
            out.write(message);
            out.flush();
        }

        @Override
        byte[] receive(int timeoutMillis) throws IOException {
            socket.setSoTimeout(Math.max(1, timeoutMillis));
            byte[] head = new byte[4];
            try {
                in.readFully(head);
            } catch (SocketTimeoutException e) {
                return null;
            }
            int length = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            // STUN: 20-byte header + body; ChannelData: 4-byte header + payload padded to 4 on streams.
            int rest = (head[0] & 0xC0) == 0 ? 16 + length : (length + 3) & ~3;
            byte[] message = new byte[4 + rest];
            System.arraycopy(head, 0, message, 0, 4);
            in.readFully(message, 4, rest);
            return message;
        }

        @Override
        boolean unreliable() {
            return false;
        }

        @Override
        InetSocketAddress localAddress() {
            return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a probe socket: nothing left to report
            }
        }
    }
}
