package io.kezdesu.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsReloaderTest {

    @TempDir
    Path dir;

    /** Stands in for building an SslContext: reads the certificate file, refusing one that says "broken". */
    private static String build(TlsFiles f) {
        try {
            String text = Files.readString(f.certificate());
            if (text.contains("broken")) {
                throw new IllegalArgumentException("not a certificate");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text, long seconds) throws IOException {
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.fromMillis(seconds * 1000));
    }

    @Test
    void rebuildsOnlyWhenTheFilesChangeAndKeepsTheOldOneWhenTheNewOneIsBad() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        write(cert, "first", 1000);
        write(key, "k1", 1000);
        TlsReloader<String> r = new TlsReloader<>(new TlsFiles(cert, key), TlsReloaderTest::build);
        assertEquals("first", r.get());
        assertFalse(r.reload(false), "nothing changed");

        write(cert, "second", 2000);
        assertTrue(r.reload(false));
        assertEquals("second", r.get());

        write(cert, "broken renewal", 3000);
        assertFalse(r.reload(false));
        assertEquals("second", r.get(), "the previous certificate stays in use");
        assertFalse(r.reload(false), "a bad renewal is tried again only when the files change again");

        write(cert, "third", 4000);
        assertTrue(r.reload(false));
        assertEquals("third", r.get());

        // A key renewed alone counts too; force rebuilds whatever the times say (SIGHUP).
        write(key, "k2", 5000);
        assertTrue(r.reload(false));
        assertTrue(r.reload(true));
    }
}
