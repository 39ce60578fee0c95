package dev.kiln.api.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Epoch;
import dev.kiln.api.FetchEvent;
import dev.kiln.api.ImageRef;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnEvent;
import dev.kiln.api.LockMode;
import dev.kiln.api.LockRequest;
import dev.kiln.api.LockResult;
import dev.kiln.api.PhaseEvent;
import dev.kiln.api.RebuildEvent;
import dev.kiln.api.SignRequest;
import dev.kiln.api.SignResult;
import dev.kiln.api.Spec;
import dev.kiln.api.Target;
import dev.kiln.api.VerifyRequest;
import dev.kiln.api.VerifyResult;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.oci.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln's Java API as a program uses it, through its public types only (this package is not the
 * API's): a spec built in code, locked against a signed repository on 127.0.0.1 (made at test
 * time, its key too), built to a layout, a load archive and a registry, signed and verified; and
 * the events a handler hears meanwhile.
 */
class KilnApiTest {
    private static final long EPOCH = 1_700_000_000L;

    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static String sourceLine;
    static Path trusted;
    static Path privateKey;
    static Path publicKey;

    @BeforeAll
    static void repositoryAndKeys() throws IOException, GeneralSecurityException {
        repo = new FixtureRepository();
        repo.add("base-fixture", "1.0-1", "", List.of(
                PackageFile.file("/usr/lib/os-release", 0644, 1_694_201_234L, "PRETTY_NAME=\"Fixture 1\"\nID=fixture\n"),
                PackageFile.symlink("/etc/os-release", "../usr/lib/os-release", 1_694_201_235L)));
        repo.add("hello", "1.0-1", "base-fixture", List.of(
                PackageFile.file("/usr/bin/hello", 0755, 1_700_000_100L, "#!/bin/sh\necho hello\n"),
                PackageFile.file("/usr/share/doc/hello/copyright", 0644, 1_700_000_101L, "public domain\n")));
        repo.publish();
        trusted = tmp.resolve("fixture.asc");
        sourceLine = repo.sourceLine(trusted);
        // an image signing key as 'kiln keys generate' makes one: ECDSA P-256, PKCS#8 and SubjectPublicKeyInfo PEM
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        privateKey = Files.writeString(tmp.resolve("signing.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        publicKey = Files.writeString(tmp.resolve("signing.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    @AfterAll
    static void stop() {
        if (repo != null) {
            repo.close();
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The image, in code. */
    private static Spec hello() {
        return Spec.builder()
                .repository(sourceLine)
                .packages("hello")
                .archs("amd64")
                .entrypoint("/usr/bin/hello")
                .directory("/tmp", 01777)
                .annotation("org.opencontainers.image.title", "hello")
                .build("hello.yaml");
    }

    /** The same image as a YAML file written by hand in the canonical form (the README's). */
    private static Path helloYaml(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("hello.yaml"), """
                contents:
                  repositories:
                    - "%s"
                  packages:
                    - "hello"
                archs:
                  - "amd64"
                entrypoint:
                  command: "/usr/bin/hello"
                paths:
                  - path: "/tmp"
                    type: "directory"
                    permissions: 0o1777
                annotations:
                  "org.opencontainers.image.title": "hello"
                """.formatted(sourceLine));
    }

    @Test
    void aSpecBuiltInCodeIsTheCanonicalYamlAndHasItsDigest() throws IOException {
        Spec inCode = hello();
        Spec fromFile = Spec.load(helloYaml(tmp.resolve("digest")));
        assertArrayEquals(fromFile.yaml(), inCode.yaml());
        assertEquals(fromFile.digest(), inCode.digest());
        assertEquals(List.of("amd64"), inCode.architectures());
    }

    @Test
    void lockBuildToALayoutAndAnArchiveSignAndVerifyHearingFetchesAndPhases() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("local"));
        List<KilnEvent> heard = new CopyOnWriteArrayList<>();
        List<String> phases = new CopyOnWriteArrayList<>();
        Path lockFile = dir.resolve("hello.lock.json");
        Path layout = dir.resolve("hello-oci");
        Path archive = dir.resolve("hello.tar");
        try (Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(trusted)
                .addEventHandler(FetchEvent.class, heard::add)
                .addEventHandler(RebuildEvent.class, heard::add)
                .addEventHandler(PhaseEvent.class, e -> phases.add(e.phase()))
                .open()) {
            Spec spec = hello();
            LockResult lock = kiln.lock(LockRequest.of(spec).withLockFile(lockFile));
            assertEquals(spec.digest(), lock.specDigest());
            assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1"),
                    lock.packages().get("amd64").stream().map(p -> p.name() + " " + p.version()).sorted().toList());
            assertTrue(phases.containsAll(List.of("releases verified", "solved amd64")), phases.toString());

            BuildResult built = kiln.build(BuildRequest.of(spec).withLockFile(lockFile).withMode(LockMode.FROZEN)
                    .withEpoch(Epoch.of(EPOCH))
                    .to(Target.layout(layout))
                    .to(Target.archive(archive, "localhost/hello:1").withArchitecture("amd64")));
            assertEquals(EPOCH, built.epoch());
            assertEquals(layout, built.layout().orElseThrow());
            assertTrue(Files.isRegularFile(layout.resolve("index.json")));
            BuildResult.LayoutOutput written = (BuildResult.LayoutOutput) built.outputs().get(0);
            assertEquals(List.of(dir.resolve("hello-oci.amd64.spdx.json"), dir.resolve("hello-oci.provenance.json")), written.documents());
            assertEquals(List.of(dir.resolve("hello-oci.amd64.spdx.json")), written.sboms());
            assertEquals(dir.resolve("hello-oci.provenance.json"), written.provenance().orElseThrow());
            assertEquals(List.of(new BuildResult.PlatformManifest("linux/amd64", built.digest())), built.manifests(),
                    "one architecture: its manifest is the image");
            BuildResult.ArchiveOutput loadable = (BuildResult.ArchiveOutput) built.outputs().get(1);
            assertEquals("localhost/hello:1", loadable.tag());
            assertEquals("linux/amd64", loadable.platform().orElseThrow());
            assertEquals(built.digest(), loadable.digest(), "one architecture: the archive's manifest is the image");
            assertTrue(Files.size(archive) > 0);

            // what a handler heard: the fetch planned, each package streamed in and verified, the phases
            assertEquals(new FetchEvent.Planned(2, repo.published("hello", "1.0-1").size()
                    + repo.published("base-fixture", "1.0-1").size()), heard.get(0));
            for (String name : List.of("hello 1.0-1 amd64", "base-fixture 1.0-1 amd64")) {
                assertTrue(heard.stream().anyMatch(e -> e instanceof FetchEvent.Progress p && p.download().name().equals(name)
                        && p.bytes() == p.download().size()), name + " streamed in: " + heard);
                assertTrue(heard.stream().anyMatch(e -> e instanceof FetchEvent.Finished f && f.download().name().equals(name)
                        && !f.alreadyPresent()), name + " fetched and verified: " + heard);
            }
            assertTrue(phases.containsAll(List.of("fetched", "layers amd64", "image written")), phases.toString());

            SignResult signed = kiln.sign(SignRequest.of(ImageRef.layout(layout)).withKey(privateKey)
                    .withSbom(dir.resolve("hello-oci.amd64.spdx.json")));
            assertEquals(built.digest(), signed.digest());
            assertEquals("hello-oci", signed.identity(), "a layout is named by its directory");
            assertEquals(List.of("https://spdx.dev/Document"), signed.attestations().stream().map(SignResult.Attestation::predicateType).toList());

            heard.clear();
            VerifyResult verified = kiln.verify(VerifyRequest.of(ImageRef.layout(layout)).withPublicKey(publicKey).withFreshStore(true));
            assertTrue(verified.verified(), verified.report());
            assertEquals(new RebuildEvent(layout.toString(), built.digest()), heard.get(0));
            assertTrue(heard.stream().anyMatch(e -> e instanceof FetchEvent.Finished f && !f.alreadyPresent()),
                    "a fresh store fetches every package again");
            assertEquals(signed.keyFingerprint(), verified.signature().orElseThrow().keyFingerprint());
            assertEquals(List.of("https://spdx.dev/Document"), verified.attestations().stream()
                    .map(VerifyResult.Attestation::predicateType).toList());

            VerifyResult fromArchive = kiln.verify(VerifyRequest.of(ImageRef.archive(archive)));
            assertTrue(fromArchive.verified(), fromArchive.report());
            assertEquals(built.digest(), fromArchive.digest());
            assertFalse(fromArchive.signature().isPresent(), "no key asked for, none checked");
        }
    }

    @Test
    void theSameSpecAsAYamlFileBuildsTheSameImage() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("twice"));
        try (Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(trusted).open()) {
            Path file = helloYaml(dir);
            BuildResult fromFile = kiln.build(BuildRequest.of(Spec.load(file)).withEpoch(Epoch.of(EPOCH))
                    .to(Target.layout(dir.resolve("from-file"))));
            assertEquals(dir.resolve("hello.lock.json"), fromFile.lockFile(), "the lock goes beside the spec file");
            BuildResult inCode = kiln.build(BuildRequest.of(hello()).withLockFile(dir.resolve("hello.lock.json"))
                    .withMode(LockMode.FROZEN).withEpoch(Epoch.of(EPOCH)).to(Target.layout(dir.resolve("in-code"))));
            assertEquals(fromFile.digest(), inCode.digest(), "the same bytes, the same lock: the same image");
        }
    }

    @Test
    void pushedToARegistrySignedThereAndVerifiedFromIt() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is installed by .ci/run");
        Path dir = Files.createDirectories(tmp.resolve("registry"));
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"));
             Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(trusted).open()) {
            String reference = registry.host() + "/kiln/hello:1";
            BuildResult built = kiln.build(BuildRequest.of(hello()).withLockFile(dir.resolve("hello.lock.json"))
                    .withEpoch(Epoch.of(EPOCH)).to(Target.registry(reference)));
            assertTrue(built.layout().isEmpty(), "no layout asked for, none left");
            String pushed = ((BuildResult.RegistryOutput) built.outputs().get(0)).reference();
            assertTrue(pushed.startsWith(registry.host() + "/kiln/hello") && pushed.endsWith("@" + built.digest()), pushed);

            SignResult signed = kiln.sign(SignRequest.of(ImageRef.registry(reference)).withKey(privateKey));
            assertEquals(built.digest(), signed.digest(), "the tag is resolved and its digest signed");
            assertEquals(registry.host() + "/kiln/hello", signed.identity());

            VerifyResult verified = kiln.verify(VerifyRequest.of(ImageRef.registry(pushed)).withPublicKey(publicKey));
            assertTrue(verified.verified(), verified.report());
            assertEquals(signed.signature(), verified.signature().orElseThrow().digest());
        }
    }
}
