package dev.kiln.cli;

import dev.kiln.api.FetchEvent;
import dev.kiln.api.FetchRequest;
import dev.kiln.api.FetchResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.PhaseEvent;
import dev.kiln.api.Spec;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.fetcher.pgp.SignatureVerifier;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.api.SystemDefaults;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads the classes a typical run needs, so that the launcher can record them into a
 * class-data-sharing archive in the background (see ./kiln). Not a user command. It touches
 * nothing outside a temporary directory and the loopback interface: a store is opened there, and
 * one small file is fetched into it from a server on 127.0.0.1, through the same API, events,
 * HTTP client, DNS lookup and store code a real fetch uses. It reaches below the API on purpose
 * (the lock, the OpenPGP check): it trains class loading, it is not a client.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    static void run() {
        StringWriter sink = new StringWriter();
        for (String cmd : List.of("lock", "fetch", "store")) {
            Main.run(new String[] {cmd, "--help"}, new PrintWriter(sink), new PrintWriter(sink));
        }
        Spec.of(("contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n"
                + "  packages: [libc6 (>= 2.36)]\narchs: [amd64]\n").getBytes(StandardCharsets.UTF_8), "training.yaml");
        Path keys = SystemDefaults.home().resolve("keys");
        if (Files.isDirectory(keys)) {
            Keyring.load(keys);
        }
        try {
            storeAndFetch();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // an OpenPGP check as 'kiln lock' makes on every Release: RSA 4096, SHA-512, clearsigned
        // (a throwaway key that signs nothing else; no keys/ directory trusts it)
        new SignatureVerifier(Keyring.parse(resource("cds-training-key.asc"), "training key"), Instant.now())
                .verifyClearsigned(resource("cds-training-message.asc"), "training message");
    }

    /** Opens kiln on a store in a temporary directory and fetches one file over loopback HTTP into it. */
    private static void storeAndFetch() throws IOException {
        Path dir = Files.createTempDirectory("kiln-cds-training");
        byte[] body = "training".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    // the request ends with an empty line
                    for (int state = 0, b; state < 4 && (b = in.read()) >= 0; ) {
                        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (IOException ignored) {
                    // the fetch below reports it
                }
            }, "kiln-cds-training");
            answer.setDaemon(true);
            answer.start();
            // the host's apt sources are read as every run reads them; kiln itself gets no mirror
            // variables (no name lookups of real hosts) and the training key (keys/ may be absent)
            SystemDefaults.mirrors();
            SystemDefaults.registries();
            String.format("%.1f MB", body.length / 1e6); // how commands print sizes
            Path key = Files.write(dir.resolve("training-key.asc"), resource("cds-training-key.asc"));
            // a lock whose one package is on this server, as 'kiln fetch' reads it
            Digest d = Digest.of("training");
            String line = "deb http://localhost:" + server.getLocalPort() + "/debian stable main";
            Lock lock = new Lock(Lock.VERSION, new Lock.Spec("training.yaml", d),
                    List.of(new Lock.Repository(line, d, Instant.EPOCH, Optional.empty(), List.of("X"))),
                    new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>(Map.of("amd64",
                            List.of(new Lock.Package("training", "1", "amd64", "training", "training", body.length, Digest.of(body), 0)))));
            Path lockFile = Files.write(dir.resolve("training.lock.json"), LockJson.write(lock));
            StringWriter sink = new StringWriter();
            try (FetchProgress progress = FetchProgress.of(FetchProgress.Mode.PLAIN, new PrintWriter(sink));
                 Kiln kiln = KilnSetup.withHandlers(Kiln.builder().store(dir.resolve("store")).keys(key), true, new PrintWriter(sink), null)
                         .addEventHandler(FetchEvent.class, progress).open()) {
                // through kiln's own store, transport and events, as 'kiln fetch' goes
                FetchResult fetched = kiln.fetch(FetchRequest.of(lockFile));
                // and as --json prints it: an event, then the result
                JsonLines json = new JsonLines(new PrintWriter(sink));
                new JsonEvents(json).accept(new PhaseEvent("fetched", Duration.ZERO));
                json.result(g -> JsonResults.fetch(g, fetched));
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static byte[] resource(String name) {
        try (var in = CdsTraining.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
