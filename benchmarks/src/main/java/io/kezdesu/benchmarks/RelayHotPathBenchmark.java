package io.kezdesu.benchmarks;

import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.MalformedStunException;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay's per-packet JVM work without the syscalls: the ChannelData path as {@code UdpServerHandler} and
 * {@code Allocation.channelDataFromClient} do it (5-tuple, header, allocation and channel lookups, a retained slice of
 * the pooled buffer), and the STUN decode path (Binding; an authenticated CreatePermission with integrity check).
 * Run: see docs/BENCHMARKS.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class RelayHotPathBenchmark {

    private static final int ALLOCATIONS = 1024;
    private static final int PAYLOAD = 120;

    private final Map<FiveTuple, Map<Integer, InetSocketAddress>> allocations = new ConcurrentHashMap<>();
    private final InetSocketAddress local = new InetSocketAddress("127.0.0.1", 3478);
    private InetSocketAddress sender;
    private ByteBuf channelData;
    private byte[] binding;
    private byte[] createPermission;
    private byte[] key;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < ALLOCATIONS; i++) {
            Map<Integer, InetSocketAddress> channels = new HashMap<>();
            channels.put(0x4001, new InetSocketAddress("127.0.0.1", 40000 + i));
            allocations.put(new FiveTuple(new InetSocketAddress("127.0.0.1", 20000 + i), local,
                    FiveTuple.Transport.UDP), channels);
        }
        sender = new InetSocketAddress("127.0.0.1", 20000 + ALLOCATIONS / 2);
        channelData = PooledByteBufAllocator.DEFAULT.directBuffer(4 + PAYLOAD);
        channelData.writeShort(0x4001).writeShort(PAYLOAD).writeZero(PAYLOAD);
        byte[] tid = new byte[12];
        binding = StunCodec.encode(StunTypes.type(StunTypes.BINDING, StunTypes.Kind.REQUEST), tid, List.of(), null,
                true);
        key = StunCodec.longTermKey("1735689600:alice:room", "kezdesu", "password");
        createPermission = StunCodec.encode(StunTypes.type(StunTypes.CREATE_PERMISSION, StunTypes.Kind.REQUEST), tid,
                List.of(new OutAttribute.XorPeerAddress(new InetSocketAddress("192.0.2.1", 5000)),
                        new OutAttribute.Username("1735689600:alice:room"), new OutAttribute.Realm("kezdesu"),
                        new OutAttribute.Nonce("AAAAAAAAAAAAAAAAAAAAAA")), key, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channelData.release();
    }

    /** ChannelData client → peer, minus the send: what the JVM does per relayed packet before the socket write. */
    @Benchmark
    public int channelDataForward() {
        ByteBuf content = channelData;
        FiveTuple tuple = new FiveTuple(sender, local, FiveTuple.Transport.UDP);
        int length = content.readableBytes();
        if (length >= 4 && (content.getByte(content.readerIndex()) & 0xC0) == 0x40) {
            int number = content.getUnsignedShort(content.readerIndex());
            int dataLength = content.getUnsignedShort(content.readerIndex() + 2);
            Map<Integer, InetSocketAddress> channels = allocations.get(tuple);
            if (channels != null && dataLength <= length - 4) {
                InetSocketAddress peer = channels.get(number);
                ByteBuf slice = content.retainedSlice(content.readerIndex() + 4, dataLength);
                int n = slice.readableBytes() + (peer == null ? 0 : peer.getPort());
                slice.release();
                return n;
            }
        }
        return -1;
    }

    @Benchmark
    public StunMessage stunDecodeBinding() throws MalformedStunException {
        return StunCodec.decode(binding, 0, binding.length);
    }

    /** Decode plus the long-term-credential MESSAGE-INTEGRITY check: the work per authenticated request. */
    @Benchmark
    public boolean stunDecodeAuthenticatedRequest() throws MalformedStunException {
        StunMessage m = StunCodec.decode(createPermission, 0, createPermission.length);
        return StunCodec.checkIntegrity(m, key);
    }
}
