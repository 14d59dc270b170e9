package io.kezdesu.common.tls;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A PEM certificate chain and its private key, as configured or generated. */
public record TlsFiles(Path certificate, Path privateKey) {

    /** The configured pair, the development certificate when {@code tls-self-signed}, or none. */
    public static Optional<TlsFiles> resolve(Config config, DataDirectory dir) {
        Optional<Path> cert = config.find(ConfigKeys.TLS_CERT);
        if (cert.isPresent()) {
            Path key = config.get(ConfigKeys.TLS_KEY);
            for (Path p : new Path[] {cert.get(), key}) {
                if (!Files.isReadable(p)) {
                    throw new IllegalArgumentException((p == key ? "tls-key: " : "tls-cert: ") + p
                            + " (expected: a readable PEM file)");
                }
            }
            return Optional.of(new TlsFiles(cert.get(), key));
        }
        if (config.get(ConfigKeys.TLS_SELF_SIGNED)) {
            return Optional.of(SelfSignedCertificate.ensure(dir));
        }
        return Optional.empty();
    }
}
