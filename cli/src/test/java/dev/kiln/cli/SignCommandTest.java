package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.Platform;
import dev.kiln.store.Digest;
import dev.kiln.trust.Attestations;
import dev.kiln.trust.Signatures;
import dev.kiln.trust.VerificationKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln keys generate} and {@code kiln sign} on a small layout, checked through the verification API. */
class SignCommandTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    private static Path layout(Path dir) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            FileTree tree = FileTree.builder("t")
                    .add(Entry.dir("/", 0755, 0, 0, 1_700_000_000L))
                    .add(Entry.file("/hello", 0644, 0, 0, 1_700_000_001L, Content.of("hi\n".getBytes(UTF_8))))
                    .build();
            LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(1_700_000_000L).writeGzip(tree, out));
            ImageConfigFile config = new ImageConfigFile(Platform.ofDebian("amd64"), Optional.of(Instant.ofEpochSecond(1_700_000_000L)),
                    ImageConfig.EMPTY, List.of(layer.uncompressed()), List.of());
            return layout.commit(layout.writeImage(config, List.of(layer), Map.of()), "latest");
        }
    }

    private static Descriptor image(Path layout) {
        return LayoutReferrers.open(layout).image(Optional.empty());
    }

    @Test
    void keysGenerateThenSignGivesASignatureThatVerifiesWithThePublicKey() throws IOException {
        String[] g = run("keys", "generate", "release", "--dir", tmp.resolve("keys").toString());
        assertEquals("0", g[0], g[2]);
        assertTrue(g[1].contains("public key  " + tmp.resolve("keys/release.pub")), g[1]);
        assertTrue(g[1].contains("(not encrypted: no password given)"), g[1]);
        Path dir = layout(tmp.resolve("base-oci"));
        String[] s = run("sign", dir.toString(), "--key", tmp.resolve("keys/release.key").toString());
        assertEquals("0", s[0], s[2]);
        Descriptor image = image(dir);
        assertTrue(s[1].startsWith("signed " + image.digest() + " as base-oci with key sha256:"), s[1]);
        Signatures.Verified v = Signatures.verify(dir, image.digest(), Files.readString(tmp.resolve("keys/release.pub")));
        assertEquals("base-oci", v.identity());
        assertTrue(s[1].contains("  signature   " + v.signature()), s[1]);
    }

    @Test
    void signingTwiceReportsTheSameSignature() {
        run("keys", "generate", "k", "--dir", tmp.toString());
        Path dir = layout(tmp.resolve("image"));
        String[] a = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--identity", "registry.example/x");
        String[] b = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--identity", "registry.example/x");
        assertEquals("0", a[0], a[2]);
        assertEquals(a[1], b[1]);
    }

    @Test
    void anAttestationIsSignedAndAttachedBesideTheSignature() throws IOException {
        run("keys", "generate", "k", "--dir", tmp.toString());
        Path dir = layout(tmp.resolve("image"));
        Digest digest = image(dir).digest();
        Path statement = Files.writeString(tmp.resolve("provenance.json"), "{\"_type\":\"https://in-toto.io/Statement/v1\","
                + "\"subject\":[{\"name\":\"image\",\"digest\":{\"sha256\":\"" + digest.hex() + "\"}}],"
                + "\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}");
        String[] s = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--attest", statement.toString());
        assertEquals("0", s[0], s[2]);
        assertTrue(s[1].contains("(https://slsa.dev/provenance/v1)"), s[1]);
        List<Attestations.Verified> verified = Attestations.verify(LayoutReferrers.open(dir), digest,
                List.of(VerificationKey.read(tmp.resolve("k.pub"))));
        assertArrayEquals(Files.readAllBytes(statement), verified.get(0).statement());
    }

    @Test
    void aStatementAboutAnotherImageIsRefusedBeforeAnythingIsAttached() throws IOException {
        run("keys", "generate", "k", "--dir", tmp.toString());
        Path dir = layout(tmp.resolve("image"));
        byte[] index = Files.readAllBytes(dir.resolve("index.json"));
        Path statement = Files.writeString(tmp.resolve("other.json"), "{\"_type\":\"https://in-toto.io/Statement/v1\","
                + "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + Digest.of("x").hex() + "\"}}],\"predicateType\":\"p\"}");
        String[] s = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--attest", statement.toString());
        assertEquals("3", s[0]);
        assertTrue(s[2].contains(statement + " cannot be attached to " + image(dir).digest()), s[2]);
        assertTrue(s[2].contains("fix: give an in-toto Statement whose subject"), s[2]);
        assertArrayEquals(index, Files.readAllBytes(dir.resolve("index.json")), "not even the signature was attached");
    }

    @Test
    void anEncryptedKeyTakesItsPasswordFromStandardInput() throws IOException {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("open sesame\n".getBytes(UTF_8)));
            String[] g = run("keys", "generate", "k", "--dir", tmp.toString(), "--password-stdin");
            assertEquals("0", g[0], g[2]);
            assertTrue(g[1].contains("(encrypted)"), g[1]);
            assertTrue(Files.readString(tmp.resolve("k.key")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            Path dir = layout(tmp.resolve("image"));
            System.setIn(new ByteArrayInputStream("wrong\n".getBytes(UTF_8)));
            String[] bad = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--password-stdin");
            assertEquals("3", bad[0]);
            assertTrue(bad[2].contains("wrong password"), bad[2]);
            System.setIn(new ByteArrayInputStream("open sesame\n".getBytes(UTF_8)));
            String[] ok = run("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--password-stdin");
            assertEquals("0", ok[0], ok[2]);
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void keysGenerateRefusesAGitWorkTreeAndWritesNothing() throws IOException {
        Files.createDirectories(tmp.resolve("repo/.git"));
        String[] g = run("keys", "generate", "k", "--dir", tmp.resolve("repo/keys").toString());
        assertEquals("3", g[0]);
        assertTrue(g[2].contains("a private key must never be committed"), g[2]);
        assertFalse(Files.exists(tmp.resolve("repo/keys/k.pub")));
    }

    @Test
    void signWithoutKeyIsAUsageError() {
        String[] s = run("sign", layout(tmp.resolve("image")).toString());
        assertEquals("2", s[0]);
        assertTrue(s[2].contains("--key"), s[2]);
        assertEquals("2", run("keys")[0]);
    }
}
