package io.kezdesu.common.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * coturn's {@code external-ip}: a public address, optionally with the private address it stands for
 * ({@code 203.0.113.7/10.0.0.7}). Without a private part the mapping applies to every local address.
 */
public record AddressMapping(InetAddress publicAddress, Optional<InetAddress> privateAddress) {

    public static AddressMapping parse(String text) {
        int slash = text.indexOf('/');
        InetAddress pub = ValueType.literalAddress(slash < 0 ? text : text.substring(0, slash));
        if (pub == null) {
            return null;
        }
        if (slash < 0) {
            return new AddressMapping(pub, Optional.empty());
        }
        InetAddress priv = ValueType.literalAddress(text.substring(slash + 1));
        return priv == null ? null : new AddressMapping(pub, Optional.of(priv));
    }

    @Override
    public String toString() {
        return publicAddress.getHostAddress() + privateAddress.map(p -> "/" + p.getHostAddress()).orElse("");
    }
}
