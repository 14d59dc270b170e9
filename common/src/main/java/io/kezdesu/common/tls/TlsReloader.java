package io.kezdesu.common.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server builds from its certificate and key (a Netty {@code SslContext}), rebuilt when the files change, so
 * that a renewed certificate is served without a restart. New connections get the new one; open ones keep theirs.
 * A renewal that cannot be read (half written, key and certificate that do not match) leaves the old one in use,
 * with a warning, and is tried again at the next check.
 */
public final class TlsReloader<T> implements Supplier<T> {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

    private final TlsFiles files;
    private final Function<TlsFiles, T> build;
    private volatile T current;
    private Stamp loaded;

    /** Builds the first one now; a failure here is the caller's (start-up refuses a bad certificate). */
    public TlsReloader(TlsFiles files, Function<TlsFiles, T> build) {
        this.files = Objects.requireNonNull(files);
        this.build = Objects.requireNonNull(build);
        this.loaded = Stamp.of(files);
        this.current = build.apply(files);
    }

    @Override
    public T get() {
        return current;
    }

    /**
     * Rebuilds when either file's modification time or size changed since the last build ({@code force}: in any
     * case, as on SIGHUP). Returns whether a new one is now in use.
     */
    public synchronized boolean reload(boolean force) {
        Stamp now = Stamp.of(files);
        if (!force && now.equals(loaded)) {
            return false;
        }
        try {
            T next = build.apply(files);
            current = next;
            loaded = now;
            LOG.info("TLS certificate reloaded from {}", files.certificate());
            return true;
        } catch (RuntimeException e) {
            // Not again until the files change once more: a bad renewal is warned about once, not every minute.
            loaded = now;
            LOG.warn("TLS certificate {} not reloaded, the previous one stays in use: {}", files.certificate(),
                    e.getMessage());
            return false;
        }
    }

    /** When and how big both files were; unreadable counts as a change, so the next readable state reloads. */
    private record Stamp(FileTime certTime, long certSize, FileTime keyTime, long keySize) {
        static Stamp of(TlsFiles files) {
            try {
                Path c = files.certificate();
                Path k = files.privateKey();
                return new Stamp(Files.getLastModifiedTime(c), Files.size(c), Files.getLastModifiedTime(k),
                        Files.size(k));
            } catch (IOException e) {
                return new Stamp(FileTime.fromMillis(0), -1, FileTime.fromMillis(0), -1);
            }
        }
    }
}
