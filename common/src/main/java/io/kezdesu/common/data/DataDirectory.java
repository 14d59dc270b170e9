package io.kezdesu.common.data;

import io.kezdesu.common.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's data directory: generated secrets, the embedded store, the development certificate and the file
 * that tells the CLI where the running daemon listens. Everything in it is readable by its owner only.
 */
public final class DataDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path root;

    private DataDirectory(Path root) {
        this.root = root;
    }

    /** Opens the directory, creating it (owner-only) when missing. */
    public static DataDirectory open(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(abs)) {
                Files.createDirectories(abs);
                setPermissions(abs, OWNER_ONLY_DIR);
                LOG.info("created data directory {}", abs);
            } else {
                openToOthers(abs).filter(WARNED::add).ifPresent(LOG::warn);
            }
            if (!Files.isWritable(abs)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            // A configuration error like any other (exit status 2), though found only when the daemon starts.
            throw new ConfigException(List.of("data-dir: " + abs + " (expected: a writable directory; "
                    + e.getMessage() + ")"));
        }
        return new DataDirectory(abs);
    }

    public Path root() {
        return root;
    }

    /** Directories already warned of in this process (the daemon and its commands open one several times). */
    private static final Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A warning when an existing data directory lets other users in (one it creates is the owner's only): its files
     * are the owner's only, but a listing still shows their names, sizes and times (when accounts and conferences
     * changed). Empty where the file system has no POSIX permissions.
     */
    static Optional<String> openToOthers(Path dir) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
            Set<PosixFilePermission> others = java.util.EnumSet.copyOf(p);
            others.removeAll(OWNER_ONLY_DIR);
            if (others.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of("data directory " + dir + " is open to other users (" + PosixFilePermissions.toString(p)
                    + "); its files are the owner's only, but their names, sizes and times show: chmod 700 " + dir);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /**
     * The secret stored in {@code name}, generated (32 random bytes, base64url) on first use. The value is never
     * logged; only the file is.
     */
    public String secret(String name, String what) {
        Path file = root.resolve(name);
        Optional<String> existing = readText(file);
        if (existing.isPresent()) {
            return existing.get();
        }
        // An empty file is what a power cut left of an older, unsynced write: nothing was ever signed or checked
        // with its value, so a new one replaces it rather than keeping the daemon from starting.
        boolean empty = Files.exists(file);
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            writeOwnerOnly(file, value + "\n", empty);
            if (empty) {
                LOG.warn("{} was empty (an interrupted write); generated a new {}", file, what);
            } else {
                LOG.info("generated {} in {}", what, file);
            }
            return value;
        } catch (FileAlreadyExistsException e) {
            return readText(file).orElseThrow(() -> new IllegalStateException("empty secret file " + file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Replaces the secret in {@code name} (a value the cluster agreed on); the value is never logged. */
    public void replaceSecret(String name, String value) {
        Path file = root.resolve(name);
        try {
            writeOwnerOnly(file, value + "\n", true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a small text file, trimmed; empty when the file does not exist. */
    public static Optional<String> readText(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Writes a file readable by the owner only: created with 0600 before any content is written, its content on disk
     * (fsync) before it gets its name, and the name on disk (the directory synced) before this returns, so that a
     * power cut leaves the old file or the whole new one, never an empty or half one.
     */
    public static void writeOwnerOnly(Path file, String content, boolean replace) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + Long.toHexString(RANDOM.nextLong()));
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            if (replace) {
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                // A link, not a move: two daemons racing on first start keep the first secret written.
                Files.createLink(file, tmp);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** Makes a directory's entries durable (Linux: fsync on the directory); a no-op where that is not possible. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notPossibleHere) {
            LOG.debug("cannot sync directory {}: {}", dir, notPossibleHere.toString());
        }
    }

    private static void setPermissions(Path path, Set<PosixFilePermission> perms) throws IOException {
        try {
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException e) {
            LOG.warn("cannot restrict permissions of {} on this file system", path);
        }
    }
}
