package dev.kiln.cli;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.Locks;
import static dev.kiln.cli.CliRun.HOME;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.Kiln;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.api.testing.FixtureRepository.Published;
import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.Digest;
import dev.kiln.trust.Signatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln verify} against images changed after they were built, each change made the way an
 * attacker would make it (the image kept self-consistent: every digest above a change made to
 * match again): a file's mode in a layer, a package swapped for another version in the lock the
 * image carries or in one given with {@code --lock}, and a replaced signature. Each is caught,
 * exit 1, and the report names what was changed. The packages come from a fixture repository
 * made and signed at test time; each verify rebuilds from it in a fresh store.
 */
class VerifyTamperTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FAILED = Integer.toString(Main.CHECK_FAILED);
    private static final String STATUS_HELLO = "/var/lib/dpkg/status.d/hello";

    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    /** An image of hello 2.0-1 and base-fixture, built once and copied for each test to change. */
    static Path pristine;
    static Path spec;

    @BeforeAll
    static void buildTheImage() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = new FixtureRepository();
        repo.add("base-fixture", "1.0-1", "", List.of(
                PackageFile.file("/usr/lib/os-release", 0644, 1_694_201_234L, "PRETTY_NAME=\"Fixture 1\"\nID=fixture\n"),
                PackageFile.symlink("/etc/os-release", "../usr/lib/os-release", 1_694_201_235L),
                PackageFile.file("/etc/fixture.conf", 0640, 1_712_345_678L, "answer = 42\n")));
        for (String version : List.of("1.0-1", "2.0-1")) {
            repo.add("hello", version, "base-fixture", List.of(
                    PackageFile.file("/usr/bin/hello", 0755, 1_700_000_100L, "#!/bin/sh\necho hello " + version + "\n"),
                    PackageFile.file("/usr/share/doc/hello/copyright", 0644, 1_700_000_101L, "public domain, " + version + "\n")));
        }
        repo.publish();
        spec = tmp.resolve("tamper.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - " + repo.sourceLine(tmp.resolve("fixture.asc"))
                + "\n  packages: [hello]\narchs: [amd64]\n");
        pristine = tmp.resolve("pristine");
        String[] r = CliRun.run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", pristine.toString(), spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals("2.0-1", version(Locks.read(tmp.resolve("tamper.lock.json")), "hello"), "the newest hello is locked");
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    /** A copy of the built image to change. */
    private static Path copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> all = Files.walk(pristine)) {
            for (Path p : all.toList()) {
                Files.copy(p, to.resolve(pristine.relativize(p).toString()));
            }
        }
        return to;
    }

    private static String[] verify(String... args) {
        return CliRun.run(Stream.concat(Stream.of("verify"), Stream.of(args)).toArray(String[]::new));
    }

    // ---- the baseline: what the tampered images are held against

    @Test
    void theUntouchedImageVerifiesWithItsSignature() throws IOException {
        Path layout = copy("untouched");
        Path keys = keys("good");
        sign(layout, keys, "good");
        String[] r = verify(layout.toString(), "--key", keys.resolve("good.pub").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("signature: good") && r[1].contains("rebuilt identically"), r[1]);
    }

    // ---- a layer

    @Test
    void oneFilesModeChangedInALayerIsNamedWithTheLayerThePathAndBothModes() throws IOException {
        Path layout = copy("mode");
        byte[] before = ImageSurgery.layerTar(layout, 0);
        byte[] after = ImageSurgery.editEntry(before, "usr/lib/os-release", ImageSurgery.mode(0755), data -> data);
        List<String> changed = new ArrayList<>(ImageSurgery.listing(after));
        changed.removeAll(ImageSurgery.listing(before));
        assertEquals(1, changed.size(), "exactly one entry differs: " + changed);
        assertTrue(changed.get(0).startsWith("usr/lib/os-release 755 "), changed.get(0));
        String layer = ImageSurgery.replaceLayer(layout, 0, after);

        String[] r = verify(layout.toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        String report = r[2];
        assertTrue(report.contains("layer layers[0] (" + layer + " vs sha256:"), "names the layer: " + report);
        assertTrue(report.contains("usr/lib/os-release: mode 0755 vs 0644"), "names the path and both modes: " + report);
        assertTrue(report.contains("does not match its rebuild"), report);
        assertFalse(report.contains("packages:"), "the packages are the lock's: " + report);
    }

    // ---- the lock

    @Test
    void aPackageSwappedInTheLockTheImageCarriesIsNamedWithBothVersions() throws IOException {
        Path layout = copy("swapped-embedded");
        int last = ImageSurgery.layerCount(layout) - 1;
        byte[] tar = ImageSurgery.layerTar(layout, last);
        byte[] swapped = ImageSurgery.editEntry(tar, "etc/kiln/image.lock.json", h -> h,
                lock -> LockJson.write(swap(LockJson.read(lock, "the embedded lock"), repo.published("hello", "1.0-1"))));
        ImageSurgery.replaceLayer(layout, last, swapped);

        String[] r = verify(layout.toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the lock pins hello 1.0-1 (amd64) but the image holds hello 2.0-1 (amd64, " + STATUS_HELLO + ")"),
                r[2]);
        assertTrue(r[2].contains("does not hold the packages its lock pins (1 differs)"), r[2]);
        // and the blob comparison says where: the rebuild installed the swapped package
        assertTrue(r[2].contains("usr/bin/hello: content"), r[2]);
        assertTrue(r[2].contains("does not match its rebuild"), r[2]);
    }

    @Test
    void aPackageSwappedInALockGivenWithDashDashLockIsNamedWithBothVersions() throws IOException {
        Path lock = tmp.resolve("swapped.lock.json");
        Files.write(lock, LockJson.write(swap(Locks.read(tmp.resolve("tamper.lock.json")), repo.published("hello", "1.0-1"))));
        String[] r = verify(pristine.toString(), "--spec", spec.toString(), "--lock", lock.toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the lock pins hello 1.0-1 (amd64) but the image holds hello 2.0-1 (amd64, " + STATUS_HELLO + ")"),
                r[2]);
        assertTrue(r[2].contains("var/lib/dpkg/status.d/hello: content"), r[2]);
    }

    @Test
    void aLockEntryRelabelledWithAnotherVersionButTheSameFileIsCaughtThoughTheRebuildIsIdentical() throws IOException {
        Path layout = copy("relabelled");
        int last = ImageSurgery.layerCount(layout) - 1;
        byte[] tar = ImageSurgery.layerTar(layout, last);
        Published real = repo.published("hello", "2.0-1");
        Published label = new Published("hello", "1.0-1", real.path(), real.size(), real.sha256());
        ImageSurgery.replaceLayer(layout, last, ImageSurgery.editEntry(tar, "etc/kiln/image.lock.json", h -> h,
                lock -> LockJson.write(swap(LockJson.read(lock, "the embedded lock"), label))));

        String[] r = verify(layout.toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the lock pins hello 1.0-1 (amd64) but the image holds hello 2.0-1"), r[2]);
        assertFalse(r[2].contains("does not match its rebuild"), "the same .deb rebuilds the same image: " + r[2]);
    }

    /** The lock with its hello entry replaced by {@code other}. */
    private static Lock swap(Lock lock, Published other) {
        Map<String, List<Lock.Package>> archs = new TreeMap<>();
        lock.archs().forEach((arch, packages) -> archs.put(arch, packages.stream()
                .map(p -> !p.name().equals(other.name()) ? p : new Lock.Package(p.name(), other.version(), p.architecture(),
                        p.source(), other.path(), other.size(), other.sha256(), p.repository()))
                .toList()));
        return new Lock(lock.lockVersion(), lock.spec(), lock.repositories(), lock.options(), new TreeMap<>(archs));
    }

    private static String version(Lock lock, String name) {
        return lock.packages("amd64").stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().version();
    }

    // ---- the signature

    @Test
    void aSignatureReplacedByOneOfAnotherKeyIsRefusedNamingThatKey() throws IOException {
        Path layout = copy("other-key");
        Path keys = keys("a", "b");
        sign(layout, keys, "a");
        ImageSurgery.dropReferrers(layout);
        String keyB = sign(layout, keys, "b");

        String[] r = verify(layout.toString(), "--key", keys.resolve("a.pub").toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("made by key " + keyB + " (as its annotation says), not by the key given"), r[2]);
    }

    @Test
    void aSignatureOfAnotherImageMovedOverIsRefusedNamingTheImageItSigned() throws IOException {
        Path layout = copy("moved");
        Path other = copy("moved-from");
        ImageSurgery.replaceLayer(other, 0, ImageSurgery.editEntry(ImageSurgery.layerTar(other, 0), "etc/fixture.conf",
                h -> h, data -> "answer = 43\n".getBytes(UTF_8)));
        Path keys = keys("mover");
        sign(other, keys, "mover");
        LayoutReferrers from = LayoutReferrers.open(other);
        Digest otherImage = from.image(Optional.empty()).digest();
        Descriptor signatureLayer = signatureLayer(from, otherImage);
        LayoutReferrers to = LayoutReferrers.open(layout);
        Descriptor image = to.image(Optional.empty());
        assertNotEquals(otherImage, image.digest());
        // the subject is not signed: point it at this image
        to.attach(ArtifactManifest.of(Signatures.ARTIFACT_TYPE, List.of(signatureLayer), image), List.of(from.blob(signatureLayer)));

        String[] r = verify(layout.toString(), "--key", keys.resolve("mover.pub").toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("its payload names " + otherImage + ", not this image " + image.digest()), r[2]);
        assertTrue(r[2].contains("belongs to another image"), r[2]);
    }

    @Test
    void aSignedPayloadChangedWithItsSignatureKeptIsRefusedAsChangedAfterSigning() throws IOException {
        Path layout = copy("payload");
        Path keys = keys("signer");
        String key = sign(layout, keys, "signer");
        LayoutReferrers target = LayoutReferrers.open(layout);
        Descriptor image = target.image(Optional.empty());
        Descriptor signed = signatureLayer(target, image.digest());
        byte[] payload = target.blob(signed);
        String text = new String(payload, UTF_8);
        assertTrue(text.contains("\"docker-reference\":\"payload\""), text);
        byte[] changed = text.replace("\"docker-reference\":\"payload\"", "\"docker-reference\":\"paylaod\"").getBytes(UTF_8);
        assertEquals(payload.length, changed.length);
        Descriptor layer = Descriptor.of(signed.mediaType(), Digest.of(changed), changed.length).withAnnotations(signed.annotations());
        ImageSurgery.dropReferrers(layout);
        target.attach(ArtifactManifest.of(Signatures.ARTIFACT_TYPE, List.of(layer), image), List.of(changed));

        String[] r = verify(layout.toString(), "--key", keys.resolve("signer.pub").toString());
        assertEquals(FAILED, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("does not verify with key " + key + ", which made it: the signature or its payload was changed"
                + " after signing"), r[2]);
    }

    private static Path keys(String... names) {
        Path dir = tmp.resolve("keys-" + String.join("-", names));
        for (String n : names) {
            String[] g = CliRun.run("keys", "generate", n, "--dir", dir.toString());
            assertEquals("0", g[0], g[2]);
        }
        return dir;
    }

    /** Signs {@code layout} with the key {@code name} in {@code keys}; returns its fingerprint, as kiln sign prints it. */
    private static String sign(Path layout, Path keys, String name) {
        String[] s = CliRun.run("sign", layout.toString(), "--key", keys.resolve(name + ".key").toString());
        assertEquals("0", s[0], s[2]);
        return s[1].substring(s[1].indexOf("with key ") + "with key ".length()).lines().findFirst().orElseThrow();
    }

    /** The payload layer of the one signature on {@code image}, with its annotations. */
    private static Descriptor signatureLayer(LayoutReferrers layout, Digest image) throws IOException {
        var referrers = layout.referrers(image);
        assertEquals(1, referrers.size(), referrers.toString());
        JsonNode l = JSON.readTree(layout.manifest(referrers.get(0).manifest())).get("layers").get(0);
        Map<String, String> annotations = new TreeMap<>();
        l.get("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        return Descriptor.of(l.get("mediaType").asText(), Digest.parse(l.get("digest").asText()), l.get("size").asLong())
                .withAnnotations(annotations);
    }
}
