package dev.kiln.cli;

import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.fetcher.pgp.SignatureVerifier;
import dev.kiln.resolver.KilnHome;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.store.Digest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads the classes a typical run needs, without doing any work, so that the launcher can record
 * them into a class-data-sharing archive in the background (see ./kiln). Not a user command.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    static void run() {
        StringWriter sink = new StringWriter();
        for (String cmd : List.of("lock", "fetch", "store")) {
            Main.run(new String[] {cmd, "--help"}, new PrintWriter(sink), new PrintWriter(sink));
        }
        ImageSpecParser.parse(("contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n"
                + "  packages: [libc6 (>= 2.36)]\narchs: [amd64]\n").getBytes(StandardCharsets.UTF_8), "training.yaml");
        Digest d = Digest.of("training");
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec("t.yaml", d),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", d, Instant.EPOCH, Optional.empty(), List.of("X"))),
                new Lock.Options(Set.of(), Map.of(), false),
                new TreeMap<>(Map.of("amd64", List.of(new Lock.Package("a", "1", "amd64", "a", "pool/a.deb", 1, d, 0)))));
        LockJson.read(LockJson.write(lock), "training");
        if (Files.isDirectory(KilnHome.keys())) {
            Keyring.load(KilnHome.keys());
        }
        HttpTransport.withDefaults().close();
        // an OpenPGP check as 'kiln lock' makes on every Release: RSA 4096, SHA-512, clearsigned
        // (a throwaway key that signs nothing else; no keys/ directory trusts it)
        new SignatureVerifier(Keyring.parse(resource("cds-training-key.asc"), "training key"), Instant.now())
                .verifyClearsigned(resource("cds-training-message.asc"), "training message");
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
