package dev.zapdesk.embeddedmongo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Runs mongo-java-server for Zapdesk: the memory backend (tests) or the H2 backend in a file
 * (the embedded default of `npm start`), with its oplog on so change streams work.
 *
 * <p>Protocol with the parent process: one line {@code listening <port>} on stdout once the port is
 * bound; everything else goes to stderr. The server stops when stdin closes (so it never outlives
 * a parent that was killed), on SIGTERM/SIGINT, and commits the H2 store on the way out.
 */
public final class EmbeddedMongoLauncher {

    /** The Node driver 7 refuses wire version 8 (the library's "5.0"); 13 is MongoDB 5.0's real one. */
    private static final int DEFAULT_WIRE_VERSION = 13;

    private EmbeddedMongoLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        AbstractMongoBackend backend = options.file == null ? new IndexedMemoryBackend() : openH2(options.file);
        backend.version(new AnnouncedVersion(options.wireVersion));

        MongoServer server = new MongoServer(backend);
        server.enableOplog();
        // Each connection is served on one event-loop thread, which also runs its queries: with the
        // library's default (2 per core) one slow query (a change stream reading the oplog) holds
        // up every connection on its thread. More threads keep the others moving.
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port), 1, options.workerThreads);

        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "zapdesk-oplog-trim");
            thread.setDaemon(true);
            return thread;
        });
        // A real mongod's oplog is capped; this one is a plain collection that every getMore of a
        // change stream reads through, so it is kept to a short window. A stream resumed from
        // further back misses entries; Zapdesk's tailer reads those from the event log itself.
        housekeeping.scheduleWithFixedDelay(() -> trimOplog(backend, options.oplogRetention), 1, 1, TimeUnit.SECONDS);

        // Stdin's end and SIGTERM may both ask; the first one stops, the other waits for it.
        AtomicBoolean stopRequested = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            if (stopRequested.compareAndSet(false, true)) {
                housekeeping.shutdownNow();
                server.shutdownNow(); // closes the backend: H2 commits and closes its file
                stopped.countDown();
            }
            awaitQuietly(stopped);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "zapdesk-shutdown"));

        System.out.println("listening " + server.getLocalAddress().getPort());
        System.out.flush();

        waitForStdinToClose(System.in);
        stop.run();
        System.exit(0);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static AbstractMongoBackend openH2(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new IndexedH2Backend(file.toString());
    }

    private static void waitForStdinToClose(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // The parent writes nothing; reading only detects its end.
            }
        } catch (IOException e) {
            // A broken pipe means the parent is gone, as EOF does.
        }
    }

    private static void trimOplog(AbstractMongoBackend backend, Duration retention) {
        try {
            MongoDatabase local = backend.resolveDatabase("local");
            MongoCollection<?> oplog = local.resolveCollection("oplog.rs", false);
            if (oplog == null) {
                return;
            }
            Instant cutoff = Instant.now().minus(retention);
            oplog.deleteDocuments(new Document("wall", new Document("$lt", cutoff)), 0);
        } catch (RuntimeException e) {
            System.err.println("[embedded-mongo] oplog trim failed: " + e);
        }
    }

    private record AnnouncedVersion(int wireVersion) implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    private record Options(Path file, int port, int wireVersion, Duration oplogRetention, int workerThreads) {
        static Options parse(String[] args) {
            Path file = null;
            int port = 0;
            int wireVersion = DEFAULT_WIRE_VERSION;
            Duration oplogRetention = Duration.ofSeconds(5);
            int workerThreads = 32;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException("missing value after " + name);
                }
                switch (name) {
                    case "--h2-file" -> file = Path.of(value);
                    case "--port" -> port = Integer.parseInt(value);
                    case "--wire-version" -> wireVersion = Integer.parseInt(value);
                    case "--oplog-retention-seconds" -> oplogRetention = Duration.ofSeconds(Long.parseLong(value));
                    case "--worker-threads" -> workerThreads = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
                i++;
            }
            return new Options(file, port, wireVersion, oplogRetention, workerThreads);
        }
    }
}
