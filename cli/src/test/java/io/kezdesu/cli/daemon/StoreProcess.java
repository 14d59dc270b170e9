package io.kezdesu.cli.daemon;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import reactor.core.publisher.Flux;

/** {@code kezdesu store} as its own process, for nodes that share it, and what the nodes wrote into it. */
final class StoreProcess implements AutoCloseable {

    private static final Pattern URI_LINE = Pattern.compile("^mongodb://127\\.0\\.0\\.1:(\\d+)$");

    final Process process;
    final int port;

    private StoreProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static StoreProcess start(Path dataDir) throws Exception {
        Process p = new ProcessBuilder(DaemonProcess.kezdesu("store", "--data-dir", dataDir.toString(), "--port", "0"))
                .redirectErrorStream(true).start();
        Matcher m = URI_LINE.matcher(DaemonProcess.awaitLine(p, URI_LINE));
        if (!m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("kezdesu store printed no address");
        }
        return new StoreProcess(p, Integer.parseInt(m.group(1)));
    }

    String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** Every document of a collection of the {@code kezdesu} database, read with a client of its own. */
    List<Document> find(String collection) {
        try (com.mongodb.reactivestreams.client.MongoClient m = com.mongodb.reactivestreams.client.MongoClients
                .create(uri())) {
            return Flux.from(m.getDatabase("kezdesu").getCollection(collection).find()).collectList().block();
        }
    }

    /** Writes {@code doc} into a collection of the {@code kezdesu} database (replacing one with its {@code _id}). */
    void put(String collection, Document doc) {
        try (com.mongodb.reactivestreams.client.MongoClient m = com.mongodb.reactivestreams.client.MongoClients
                .create(uri())) {
            reactor.core.publisher.Mono.from(m.getDatabase("kezdesu").getCollection(collection).replaceOne(
                    new Document("_id", doc.get("_id")), doc,
                    new com.mongodb.client.model.ReplaceOptions().upsert(true))).block();
        }
    }

    /** Stops every daemon given (cleanly, so that each leaves the node list), then the store. */
    void stopAfter(List<DaemonProcess> daemons) throws InterruptedException {
        for (DaemonProcess d : daemons) {
            if (d != null) {
                d.process.destroy();
                d.process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        close();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
