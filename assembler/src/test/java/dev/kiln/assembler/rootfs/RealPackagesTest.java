package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Merges real Debian packages found on the host: apt's cache, plus the directory in
 * {@code KILN_TEST_DEBS} if set. Skipped when none of the packages is there.
 */
class RealPackagesTest {
    static final List<String> WANTED = List.of("base-files", "libc6", "ca-certificates", "tzdata", "netbase",
            "libssl3", "openssl", "media-types", "gcc-12-base", "debconf", "dpkg");

    static List<Path> found() throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/var/cache/apt/archives")));
        String extra = System.getenv("KILN_TEST_DEBS");
        if (extra != null && !extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        Map<String, Path> byName = new TreeMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    String file = f.getFileName().toString();
                    int underscore = file.indexOf('_');
                    if (!file.endsWith(".deb") || underscore < 0 || Files.size(f) == 0) {
                        continue;
                    }
                    String name = file.substring(0, underscore);
                    if (WANTED.contains(name) && (file.endsWith("_amd64.deb") || file.endsWith("_all.deb"))) {
                        byName.put(name, f);
                    }
                }
            }
        }
        return List.copyOf(byName.values());
    }

    @Test
    void realPackagesMergeWithoutConflictIntoAMergedUsrTree() throws IOException {
        List<Path> debs = found();
        assumeFalse(debs.isEmpty(), "none of " + WANTED + " in apt's cache");
        List<DebPackage> packages = new ArrayList<>();
        for (Path deb : debs) {
            packages.add(DebPackage.read(deb));
        }
        FileTree tree = RootfsBuilder.build(packages, RootfsBuilder.Options.of("amd64", 1_700_000_000L));

        Entry lib64 = tree.get("/lib64").orElseThrow();
        assertEquals(Entry.Type.SYMLINK, lib64.type());
        assertEquals("usr/lib64", lib64.linkTarget());
        assertTrue(tree.stream().noneMatch(e -> e.path().startsWith("/lib64/") || e.path().startsWith("/lib/")
                || e.path().startsWith("/bin/") || e.path().startsWith("/sbin/")));
        for (DebPackage p : packages) {
            assertTrue(tree.contains("/var/lib/dpkg/status.d/" + p.packageName()), p.packageName());
        }
        if (packages.stream().anyMatch(p -> p.packageName().equals("libc6"))) {
            assertTrue(tree.contains("/usr/lib64/ld-linux-x86-64.so.2"));
        }
        if (packages.stream().anyMatch(p -> p.packageName().equals("ca-certificates"))) {
            String bundle = new String(tree.get("/etc/ssl/certs/ca-certificates.crt").orElseThrow().content().readAllBytes(),
                    StandardCharsets.US_ASCII);
            long certs = bundle.lines().filter(l -> l.equals("-----BEGIN CERTIFICATE-----")).count();
            assertTrue(certs > 100, "only " + certs + " certificates");
            assertTrue(bundle.endsWith("-----END CERTIFICATE-----\n"));
        }
        if (packages.stream().anyMatch(p -> p.packageName().equals("base-files"))) {
            assertTrue(tree.contains("/etc/os-release"));
        }
    }
}
