package io.kezdesu.relay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.common.config.AddressMapping;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressMapperTest {

    @Test
    void pairedMappingRewritesBothWays() throws Exception {
        AddressMapper m = new AddressMapper(List.of(AddressMapping.parse("203.0.113.7/10.0.0.7")));
        assertEquals(new InetSocketAddress("203.0.113.7", 50000), m.toPublic(new InetSocketAddress("10.0.0.7", 50000)));
        assertEquals(new InetSocketAddress("10.0.0.8", 1), m.toPublic(new InetSocketAddress("10.0.0.8", 1)));
        assertEquals(new InetSocketAddress("10.0.0.7", 50000),
                m.toPrivate(new InetSocketAddress("203.0.113.7", 50000), InetAddress.getByName("10.9.9.9")));
        assertEquals(new InetSocketAddress("192.0.2.1", 5),
                m.toPrivate(new InetSocketAddress("192.0.2.1", 5), InetAddress.getByName("10.9.9.9")));
    }

    @Test
    void bareMappingUsesTheRelayAddress() throws Exception {
        AddressMapper m = new AddressMapper(List.of(AddressMapping.parse("203.0.113.7")));
        assertEquals(new InetSocketAddress("203.0.113.7", 9), m.toPublic(new InetSocketAddress("10.0.0.7", 9)));
        assertEquals(new InetSocketAddress("10.0.0.7", 9),
                m.toPrivate(new InetSocketAddress("203.0.113.7", 9), InetAddress.getByName("10.0.0.7")));
    }
}
