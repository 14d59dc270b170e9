package io.kezdesu.relay;

import io.kezdesu.relay.config.RelayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.relay.TestStun.Msg;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.kezdesu.common.turn.TurnCredential;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** TURN over TLS: a PEM certificate and key from files; Binding, a challenge, then a whole session over TLS. */
class TlsListenerTest {

    @Test
    void bindingAndAllocateOverTls() throws Exception {
        @SuppressWarnings("deprecation")
        SelfSignedCertificate cert = new SelfSignedCertificate("relay.test");
        try {
            RelayConfig config = RelayConfig.from(TestRelays.config(c -> c), TestRelays.SECRETS,
                    Optional.of(cert.certificate().toPath()), Optional.of(cert.privateKey().toPath()));
            try (RelayServer server = RelayServer.start(config)) {
                InetSocketAddress address = server.tlsAddresses().get(0);
                SSLContext trustAll = SSLContext.getInstance("TLS");
                trustAll.init(null, new javax.net.ssl.TrustManager[] {
                    io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]},
                        new SecureRandom());
                try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket(
                        address.getAddress(), address.getPort())) {
                    socket.setSoTimeout(TurnTestClient.TIMEOUT_MS);
                    OutputStream out = socket.getOutputStream();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    Msg binding = Msg.request(0x001);
                    out.write(binding.encode(null, false));
                    Msg response = read(in);
                    assertTrue(response.isSuccess());
                    assertEquals(socket.getLocalSocketAddress(), response.address(0x0020));

                    Msg allocate = Msg.request(TurnTestClient.ALLOCATE).transport(17);
                    out.write(allocate.encode(null, false));
                    assertEquals(401, read(in).errorCode());
                }
                // A whole TURN session over TLS: allocate, bind a channel, ChannelData both ways.
                TurnCredential credential = TestRelays.credential("tls-user", null);
                try (DatagramSocket peer = RelayServerTest.socket();
                     TurnTestClient client = TurnTestClient.stream(trustAll.getSocketFactory().createSocket(
                             address.getAddress(), address.getPort()), address, credential.username(),
                             credential.password())) {
                    InetSocketAddress relayed = client.allocate().address(0x0016);
                    assertTrue(client.channelBind(0x4000, RelayServerTest.local(peer)).isSuccess());
                    client.sendChannelData(0x4000, RelayServerTest.bytes("over tls"));
                    assertEquals("over tls", RelayServerTest.text(RelayServerTest.receive(peer)));
                    peer.send(new DatagramPacket(RelayServerTest.bytes("back"), 4, relayed));
                    assertEquals("back", new String(client.receiveData().data(), StandardCharsets.UTF_8));
                }
            }
        } finally {
            cert.delete();
        }
    }

    private static Msg read(DataInputStream in) throws java.io.IOException {
        byte[] header = new byte[20];
        in.readFully(header);
        int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        byte[] all = Arrays.copyOf(header, 20 + length);
        in.readFully(all, 20, length);
        return Msg.decode(all, all.length);
    }
}
