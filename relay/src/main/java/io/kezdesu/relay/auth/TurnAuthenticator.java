package io.kezdesu.relay.auth;

import io.kezdesu.common.config.NamedSecret;
import io.kezdesu.common.turn.RestUsername;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.StunMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Long-term credentials (RFC 8489 §9.2) without a database: REST usernames are checked statelessly against every
 * configured secret ({@link TurnRestCredentials#passwordsFor}), static users from {@code user} by name. The key is
 * MD5(username:realm:password); a request is authentic when its MESSAGE-INTEGRITY verifies under one candidate key.
 */
public final class TurnAuthenticator {

    private final String realm;
    private final Optional<TurnRestCredentials> rest;
    private final Map<String, byte[]> staticKeys = new HashMap<>();

    /** {@code rest} is empty when no REST secret is configured: then only static users authenticate. */
    public TurnAuthenticator(String realm, Optional<TurnRestCredentials> rest, List<NamedSecret> staticUsers) {
        this.realm = realm;
        this.rest = rest;
        for (NamedSecret user : staticUsers) {
            staticKeys.put(user.name(), StunCodec.longTermKey(user.name(), realm, user.secret()));
        }
    }

    public String realm() {
        return realm;
    }

    /** The verified credential, or empty when the username is unknown/expired or the integrity does not match. */
    public Optional<Credential> authenticate(StunMessage request) {
        String username = request.username();
        byte[] staticKey = staticKeys.get(username);
        if (staticKey != null) {
            return StunCodec.checkIntegrity(request, staticKey)
                    ? Optional.of(new Credential(username, staticKey, username, Optional.empty()))
                    : Optional.empty();
        }
        List<String> candidates = rest.map(r -> r.passwordsFor(username)).orElse(List.of());
        for (String password : candidates) {
            byte[] key = StunCodec.longTermKey(username, realm, password);
            if (StunCodec.checkIntegrity(request, key)) {
                RestUsername parsed = RestUsername.parse(username).orElseThrow();
                return Optional.of(new Credential(username, key, parsed.userId(), parsed.roomId()));
            }
        }
        return Optional.empty();
    }
}
