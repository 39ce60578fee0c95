package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.store.ContentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden image: a spec, its lock and its two packages are committed ({@code
 * src/test/resources/golden}), and {@code kiln build --frozen} must give exactly these digests,
 * on any machine and JDK, whatever kiln's code looks like inside. The packages are uncompressed
 * .debs made once by dpkg-deb (so no zlib's output is part of the input), with odd modes (setuid, a
 * setgid directory, a 0640 conffile), a hardlink, a symlink, a name past tar's 100 bytes and mtimes
 * before the image epoch; the spec uses accounts, every kind of path entry, a local source,
 * path filters, origin layering and two architectures. The epoch is the lock's Release date.
 *
 * <p>When kiln's output is meant to change, the new digests are printed by the failure; put them
 * here in the same commit, saying why they moved.
 */
class GoldenImageTest {
    /** The image index; it reaches both manifests, their configs and every layer. */
    static final String INDEX = "sha256:64da87e47e3289c7a6a837a59e26acb4c0a90af5840a7ea8bc4b26aee7a09176";

    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TempDir
    Path tmp;

    @BeforeAll
    static void home() {
        CliRun.useCheckoutAsHome();
    }

    @Test
    void theGoldenImageIsBuiltToTheSameBytes() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("golden"));
        copyTree(GOLDEN.resolve("site"), work.resolve("site"));
        Files.copy(GOLDEN.resolve("golden.yaml"), work.resolve("golden.yaml"));
        Files.copy(GOLDEN.resolve("golden.lock.json"), work.resolve("golden.lock.json"));
        Path store = tmp.resolve("store");
        try (ContentStore s = ContentStore.open(store); Stream<Path> debs = Files.list(GOLDEN.resolve("debs"))) {
            for (Path deb : debs.toList()) {
                s.put(Files.readAllBytes(deb));
            }
        }
        Path out = tmp.resolve("golden-oci");
        String[] r = CliRun.run("build", "-q", "--frozen", "--store", store.toString(), "-o", out.toString(),
                work.resolve("golden.yaml").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String built = r[1].substring(r[1].indexOf("sha256:"), r[1].indexOf(')', r[1].indexOf("sha256:")));
        // (the SBOM and the provenance name kiln's version, so they are not pinned here)
        assertEquals(INDEX, built, "the golden image's index; the layout is kept at " + out);
        assertEquals(Files.readString(GOLDEN.resolve("golden.lock.json")), Files.readString(work.resolve("golden.lock.json")),
                "the committed lock pins everything: the build leaves it as it is");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
