package dev.kiln.builder.repo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.deb.DebControl;
import dev.kiln.builder.deb.DebWriter;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository kiln publishes: apt and kiln read it, refuse it when tampered with, and republishing is stable. */
class DebRepositoryTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    /** Made a day ago, so that it can sign Releases dated since then. */
    private static final PgpKeys.Generated KEY = PgpKeys.generate("kiln test recipes", NOW.minus(Duration.ofDays(1)));
    private static final PgpSigningKey SIGNER = PgpSigningKey.parse(KEY.secretKey(), "test key");
    private static final Instant EPOCH = NOW.minus(Duration.ofHours(5));
    private static final String SUITE = "recipes";

    @TempDir
    Path tmp;

    /** A small package named {@code name}, version {@code version}, holding {@code text} in /usr/share/NAME/text. */
    private Path deb(String name, String version, String text) throws IOException {
        Path tree = Files.createTempDirectory(tmp, "tree-");
        Files.createDirectories(tree.resolve("usr/share/" + name));
        Files.writeString(tree.resolve("usr/share/" + name + "/text"), text);
        DebControl control = DebControl.of(name, version, "amd64", "kiln tests <tests@kiln.invalid>", "a test package");
        return DebWriter.write(tree, control, EPOCH.getEpochSecond(), new TreeMap<>(),
                tmp.resolve("debs/" + name + "_" + version + "_" + Files.getFileStore(tree).name().length() + tree.getFileName() + ".deb"))
                .file();
    }

    @Test
    void twoPublishersTakeTurnsAndNeitherLosesTheOthersPackages() throws Exception {
        Path repo = tmp.resolve("repo");
        Path one = deb("one", "1.0-0kiln1", "one");
        Path two = deb("two", "1.0-0kiln1", "two");
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CompletableFuture<?>[] publishes;
        try (dev.kiln.store.ProcessFileLock held = dev.kiln.store.ProcessFileLock.tryLock(
                Files.createDirectories(repo).resolve(DebRepository.LOCK_FILE)).orElseThrow()) {
            publishes = java.util.stream.Stream.of(one, two).map(deb -> java.util.concurrent.CompletableFuture.runAsync(() ->
                    DebRepository.publish(repo, SUITE, List.of(deb), SIGNER, EPOCH, waiting::countDown)))
                    .toArray(java.util.concurrent.CompletableFuture[]::new);
            assertTrue(waiting.await(60, java.util.concurrent.TimeUnit.SECONDS), "both wait for the held lock");
            assertFalse(Files.exists(repo.resolve("dists")), "nothing is written while another publish holds the repository");
        }
        java.util.concurrent.CompletableFuture.allOf(publishes).get(120, java.util.concurrent.TimeUnit.SECONDS);
        String packages = Files.readString(repo.resolve("dists/" + SUITE + "/main/binary-amd64/Packages"));
        assertTrue(packages.contains("Package: one\n") && packages.contains("Package: two\n"), packages);
    }

    private Path publicKey() throws IOException {
        Path file = tmp.resolve("recipes.asc");
        if (!Files.exists(file)) {
            Files.write(file, KEY.publicKey());
        }
        return file;
    }

    private PrivateApt apt(String url, Path key, String name) throws IOException {
        return new PrivateApt(tmp.resolve("apt-" + name), "deb [signed-by=" + key + "] " + url + " " + SUITE + " main", "amd64");
    }

    @Test
    void aptUpdatesFromItWithSignedByAndDownloadsThePublishedBytes() throws Exception {
        Path repo = tmp.resolve("repo");
        Path hello = deb("kiln-hello", "2.10-0kiln1", "hello\n");
        Path lib = deb("libkiln-fixture1", "1.0-0kiln1", "lib\n");
        DebRepository.Published p = DebRepository.publish(repo, SUITE, List.of(hello, lib), SIGNER, EPOCH);
        assertEquals(List.of("pool/main/k/kiln-hello/kiln-hello_2.10-0kiln1_amd64.deb",
                "pool/main/libk/libkiln-fixture1/libkiln-fixture1_1.0-0kiln1_amd64.deb"), p.added());
        for (String f : List.of("dists/recipes/InRelease", "dists/recipes/Release", "dists/recipes/Release.gpg",
                "dists/recipes/main/binary-amd64/Packages", "dists/recipes/main/binary-amd64/Packages.gz")) {
            assertTrue(Files.isRegularFile(repo.resolve(f)), f);
        }
        assertEquals(repo.resolve("dists/recipes/InRelease"), p.written().get(p.written().size() - 1), "InRelease last");
        try (DirectoryServer server = new DirectoryServer(repo)) {
            assertAptDownloads(server, "good", hello, "kiln-hello_2.10-0kiln1_amd64.deb");
        }
    }

    /** apt updates from the repository without a warning, and {@code apt-get download kiln-hello} gives {@code expected}'s bytes. */
    private void assertAptDownloads(DirectoryServer server, String root, Path expected, String fileName) throws Exception {
        PrivateApt apt = apt(server.url(), publicKey(), root);
        PrivateApt.Run update = apt.update();
        assertEquals(0, update.exit(), update.output());
        assertFalse(update.output().contains("W:") || update.output().contains("E:"), update.output());
        PrivateApt.Run download = apt.download("kiln-hello");
        assertEquals(0, download.exit(), download.output());
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(apt.downloads().resolve(fileName)));
    }

    @Test
    void aptAndKilnRefuseAFlippedByteInPackages() throws Exception {
        Path repo = tmp.resolve("repo");
        DebRepository.publish(repo, SUITE, List.of(deb("kiln-hello", "2.10-0kiln1", "hello\n")), SIGNER, EPOCH);
        List<Path> indexes;
        try (Stream<Path> walk = Files.walk(repo.resolve("dists/recipes/main"))) {
            indexes = walk.filter(Files::isRegularFile).toList(); // Packages, Packages.gz, and both by their hashes
        }
        assertEquals(4, indexes.size(), indexes.toString());
        for (Path file : indexes) {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(file, bytes);
        }
        try (DirectoryServer server = new DirectoryServer(repo)) {
            PrivateApt apt = apt(server.url(), publicKey(), "flipped");
            PrivateApt.Run update = apt.update();
            assertTrue(update.output().contains("Hash Sum mismatch"), update.output());
            PrivateApt.Run download = apt.download("kiln-hello");
            assertNotEquals(0, download.exit(), download.output());

            KilnException e = assertThrows(KilnException.class, () -> lock(server.url(), Keyring.parse(KEY.publicKey(), "recipes.asc"),
                    ContentStore.open(tmp.resolve("store")), NOW));
            assertEquals("fetch.wrong-bytes", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("binary-amd64/Packages"), e.getMessage());
        }
    }

    @Test
    void aptAndKilnRefuseItUnderAForeignKey() throws Exception {
        Path repo = tmp.resolve("repo");
        DebRepository.publish(repo, SUITE, List.of(deb("kiln-hello", "2.10-0kiln1", "hello\n")), SIGNER, EPOCH);
        PgpKeys.Generated foreign = PgpKeys.generate("someone else", NOW.minus(Duration.ofDays(1)));
        Path foreignKey = tmp.resolve("foreign.asc");
        Files.write(foreignKey, foreign.publicKey());
        try (DirectoryServer server = new DirectoryServer(repo)) {
            PrivateApt apt = apt(server.url(), foreignKey, "foreign");
            PrivateApt.Run update = apt.update();
            assertTrue(update.output().contains("NO_PUBKEY") || update.output().contains("not signed"), update.output());
            assertNotEquals(0, apt.download("kiln-hello").exit());

            KilnException e = assertThrows(KilnException.class, () -> lock(server.url(), Keyring.parse(foreign.publicKey(), "foreign.asc"),
                    ContentStore.open(tmp.resolve("store")), NOW));
            assertEquals("fetch.signature.unknown-key", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains(KEY.fingerprint()), e.getMessage());
        }
    }

    private static Lock lock(String url, Keyring keys, ContentStore store, Instant now) {
        try (HttpTransport transport = HttpTransport.withDefaults()) {
            Resolver r = new Resolver(transport, store, keys, Map.of("DEBIAN_MIRROR", url), now);
            return r.lock(new Resolver.LockRequest("spec.yaml", Digest.of("spec"), Path.of("."),
                    List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} " + SUITE + " main")),
                    List.of(Request.of("kiln-hello")), List.of("amd64"), SolveOptions.DEFAULT));
        }
    }

    @Test
    void kilnLocksFromItAndItsRollbackFloorAcceptsEveryRepublishAsTheDateMovesOnlyForward() throws Exception {
        Path repo = tmp.resolve("repo");
        ContentStore store = ContentStore.open(tmp.resolve("store"));
        Keyring keys = Keyring.parse(KEY.publicKey(), "recipes.asc");
        try (DirectoryServer server = new DirectoryServer(repo)) {
            Path first = deb("kiln-hello", "2.10-0kiln1", "one\n");
            DebRepository.Published p1 = DebRepository.publish(repo, SUITE, List.of(first), SIGNER, EPOCH);
            assertEquals(EPOCH, p1.date());
            Lock.Package pin = lock(server.url(), keys, store, NOW).packages("amd64").get(0);
            assertEquals(Digest.of(Files.readAllBytes(first)), pin.sha256());
            assertEquals("pool/main/k/kiln-hello/kiln-hello_2.10-0kiln1_amd64.deb", pin.path());

            // a package built at an older epoch: the Date stays where it was
            Path second = deb("kiln-hello", "2.10-1kiln1", "two\n");
            DebRepository.Published p2 = DebRepository.publish(repo, SUITE, List.of(second), SIGNER, EPOCH.minus(Duration.ofDays(30)));
            assertEquals(EPOCH, p2.date());
            assertEquals("2.10-1kiln1", lock(server.url(), keys, store, NOW).packages("amd64").get(0).version());

            // a newer one moves it forward
            Path third = deb("kiln-hello", "2.10-2kiln1", "three\n");
            DebRepository.Published p3 = DebRepository.publish(repo, SUITE, List.of(third), SIGNER, EPOCH.plus(Duration.ofHours(1)));
            assertEquals(EPOCH.plus(Duration.ofHours(1)), p3.date());
            Lock lock = lock(server.url(), keys, store, NOW);
            assertEquals("2.10-2kiln1", lock.packages("amd64").get(0).version());
            assertEquals(EPOCH.plus(Duration.ofHours(1)), lock.repositories().get(0).date());
            String packages = Files.readString(repo.resolve("dists/recipes/main/binary-amd64/Packages"));
            assertEquals(3, packages.split("\nPackage: |^Package: ").length - 1, "every version stays listed:\n" + packages);
        }
    }

    @Test
    void republishingTheSamePackagesWritesNothingAndAnotherDirectoryGetsTheSameBytes() throws Exception {
        Path repo = tmp.resolve("repo");
        Path hello = deb("kiln-hello", "2.10-0kiln1", "hello\n");
        DebRepository.publish(repo, SUITE, List.of(hello), SIGNER, EPOCH);
        Map<Path, FileTime> before = mtimes(repo);
        Map<Path, byte[]> bytes = contents(repo);
        for (Path f : before.keySet()) {
            Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        }
        DebRepository.Published again = DebRepository.publish(repo, SUITE, List.of(hello), SIGNER, EPOCH.plus(Duration.ofDays(1)));
        assertFalse(again.changed(), again.written().toString());
        assertEquals(List.of(), again.added());
        assertEquals(List.of("pool/main/k/kiln-hello/kiln-hello_2.10-0kiln1_amd64.deb"), again.unchanged());
        assertEquals(EPOCH, again.date(), "no new package, no new Date");
        for (Map.Entry<Path, FileTime> m : mtimes(repo).entrySet()) {
            assertEquals(FileTime.from(Instant.parse("2001-01-01T00:00:00Z")), m.getValue(), m.getKey() + " untouched");
        }

        Path other = tmp.resolve("other");
        DebRepository.publish(other, SUITE, List.of(hello), SIGNER, EPOCH);
        Map<Path, byte[]> otherBytes = contents(other);
        assertEquals(bytes.keySet(), otherBytes.keySet());
        for (Path f : bytes.keySet()) {
            assertArrayEquals(bytes.get(f), otherBytes.get(f), f + " byte-identical (deterministic signatures)");
        }
    }

    @Test
    void aPublishThatStoppedBeforeInReleaseLeavesThePreviousRepositoryReadable() throws Exception {
        Path repo = tmp.resolve("repo");
        Path first = deb("kiln-hello", "2.10-0kiln1", "one\n");
        DebRepository.publish(repo, SUITE, List.of(first), SIGNER, EPOCH);
        Path dists = repo.resolve("dists/recipes");
        Map<String, byte[]> signed = new TreeMap<>();
        for (String f : List.of("Release", "Release.gpg", "InRelease")) {
            signed.put(f, Files.readAllBytes(dists.resolve(f)));
        }
        DebRepository.publish(repo, SUITE, List.of(deb("kiln-hello", "2.10-1kiln1", "two\n")), SIGNER, EPOCH.plus(Duration.ofHours(1)));
        for (Map.Entry<String, byte[]> f : signed.entrySet()) {
            Files.write(dists.resolve(f.getKey()), f.getValue()); // as if the publish had stopped before its Release
        }
        try (DirectoryServer server = new DirectoryServer(repo)) {
            Lock lock = lock(server.url(), Keyring.parse(KEY.publicKey(), "recipes.asc"), ContentStore.open(tmp.resolve("store")), NOW);
            assertEquals("2.10-0kiln1", lock.packages("amd64").get(0).version());
            assertAptDownloads(server, "previous", first, "kiln-hello_2.10-0kiln1_amd64.deb");
        }
    }

    @Test
    void otherBytesUnderAVersionTheRepositoryHoldsAreRefusedAndNothingIsWritten() throws Exception {
        Path repo = tmp.resolve("repo");
        DebRepository.publish(repo, SUITE, List.of(deb("kiln-hello", "2.10-0kiln1", "hello\n")), SIGNER, EPOCH);
        Map<Path, byte[]> before = contents(repo);
        Path rebuilt = deb("kiln-hello", "2.10-0kiln1", "hello, differently\n");
        RecipeException e = assertThrows(RecipeException.class,
                () -> DebRepository.publish(repo, SUITE, List.of(rebuilt), SIGNER, EPOCH.plus(Duration.ofHours(1))));
        assertEquals("recipe.version-taken", e.code());
        assertTrue(e.getMessage().contains("bump `epoch`"), e.getMessage());
        assertTrue(e.getMessage().contains("kiln-hello 2.10-0kiln1 (amd64)"), e.getMessage());
        Map<Path, byte[]> after = contents(repo);
        assertEquals(before.keySet(), after.keySet());
        for (Path f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f.toString());
        }
    }

    @Test
    void aSignatureIsNeverOlderThanItsKey() throws Exception {
        PgpKeys.Generated young = PgpKeys.generate("young", NOW);
        PgpSigningKey signer = PgpSigningKey.parse(young.secretKey(), "young");
        Path repo = tmp.resolve("repo");
        DebRepository.publish(repo, SUITE, List.of(deb("kiln-hello", "2.10-0kiln1", "hello\n")), signer, Instant.parse("2020-01-01T00:00:00Z"));
        assertTrue(Files.readString(repo.resolve("dists/recipes/Release")).contains("Date: Wed, 01 Jan 2020 00:00:00 UTC"));
        try (DirectoryServer server = new DirectoryServer(repo)) {
            Lock lock = lock(server.url(), Keyring.parse(young.publicKey(), "young.asc"), ContentStore.open(tmp.resolve("store")),
                    NOW.plus(Duration.ofMinutes(1)));
            assertEquals(Instant.parse("2020-01-01T00:00:00Z"), lock.repositories().get(0).date());
            Path key = tmp.resolve("young.asc");
            Files.write(key, young.publicKey());
            PrivateApt.Run update = apt(server.url(), key, "young").update();
            assertEquals(0, update.exit(), update.output());
            assertFalse(update.output().contains("W:"), update.output());
        }
    }

    private static Map<Path, FileTime> mtimes(Path dir) throws IOException {
        Map<Path, FileTime> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(p, Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    private static Map<Path, byte[]> contents(Path dir) throws IOException {
        Map<Path, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void theSecretKeyIsReadBackAndAPublicKeyIsRefusedForSigning() {
        assertEquals(KEY.fingerprint(), SIGNER.fingerprint());
        assertTrue(new String(KEY.secretKey(), UTF_8).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
        RecipeException e = assertThrows(RecipeException.class, () -> PgpSigningKey.parse(KEY.publicKey(), "recipes.asc"));
        assertEquals("recipe.repository", e.code());
    }
}
