package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.PathGlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln's alternatives held to the real {@code update-alternatives}: the same packages' tree is
 * written to disk without kiln's alternatives, their real postinst parts are run with {@code sh},
 * with {@code update-alternatives} pointed at that tree ({@code --root}), and the result must be
 * kiln's tree path for path: every link, its target, every state file byte for byte. xz-utils comes
 * from kiln's table there and from its real script here, so the table is held to the script too.
 */
class AlternativesAgainstUpdateAlternativesTest {
    private static final List<String> SCRIPTED = List.of("bash", "cpp", "debianutils", "g++", "gcc", "less", "mawk", "tar",
            "util-linux", "xz-utils");

    private static List<Pkg> packages() {
        return List.of(
                Pkg.named("libc6").file("/lib/x86_64-linux-gnu/libc.so.6", 0755, "libc").file("/lib64/ld-linux-x86-64.so.2", 0755, "ld"),
                Pkg.named("bash").file("/bin/bash", 0755, "bash").file("/usr/share/man/man7/bash-builtins.7.gz", "builtins"),
                Pkg.named("cpp").file("/usr/bin/cpp", 0755, "cpp"),
                Pkg.named("debianutils").file("/usr/bin/which.debianutils", 0755, "which")
                        .file("/usr/share/man/man1/which.debianutils.1.gz", "which(1)")
                        .file("/usr/share/man/de/man1/which.debianutils.1.gz", "which(1) de"),
                Pkg.named("g++").file("/usr/bin/g++", 0755, "g++"),
                Pkg.named("gcc").file("/usr/bin/gcc", 0755, "gcc").file("/usr/bin/c89-gcc", 0755, "c89").file("/usr/bin/c99-gcc", 0755, "c99")
                        .file("/usr/share/man/man1/c89-gcc.1.gz", "c89(1)").file("/usr/share/man/man1/c99-gcc.1.gz", "c99(1)"),
                Pkg.named("less").file("/usr/bin/less", 0755, "less").file("/usr/share/man/man1/less.1.gz", "less(1)"),
                Pkg.named("mawk").file("/usr/bin/mawk", 0755, "mawk").file("/usr/share/man/man1/mawk.1.gz", "mawk(1)"),
                // a real file where a slave link would go: the tool leaves it, and so must kiln
                Pkg.named("manpages").file("/usr/share/man/man1/awk.1.gz", "a page, not a link"),
                Pkg.named("tar").file("/usr/sbin/rmt-tar", 0755, "rmt").file("/usr/share/man/man8/rmt-tar.8.gz", "rmt(8)"),
                Pkg.named("util-linux").file("/bin/more", 0755, "more").file("/usr/share/man/man1/more.1.gz", "more(1)"),
                Pkg.named("xz-utils").file("/usr/bin/xz", 0755, "xz").file("/usr/bin/unxz", 0755, "unxz").file("/usr/bin/xzcat", 0755, "xzcat")
                        .file("/usr/bin/xzgrep", 0755, "xzgrep").file("/usr/share/man/man1/xz.1.gz", "xz(1)"));
    }

    private static List<DebPackage> build(boolean withScripts) {
        List<DebPackage> out = new ArrayList<>();
        for (Pkg p : packages()) {
            String name = p.build().packageName();
            out.add(withScripts && SCRIPTED.contains(name) ? p.member("postinst", AlternativesScriptTest.realPostinst(name)).build() : p.build());
        }
        return out;
    }

    @Test
    void kilnMakesWhatUpdateAlternativesMakesFromTheRealScripts(@TempDir Path tmp) throws Exception {
        // c99's manual page filtered out: its slave gets no link, from either
        RootfsBuilder.Options options = RootfsBuilder.Options.of("amd64", 1_700_000_000L)
                .withPathFilter(List.of(new ImageSpec.PathRule(false, PathGlob.parse("/usr/share/man/man1/c99*"))));
        FileTree kiln = RootfsBuilder.build(build(true), options);
        Path kilnRoot = Files.createDirectory(tmp.resolve("kiln"));
        writeTree(kiln, kilnRoot);

        Path real = Files.createDirectory(tmp.resolve("real"));
        writeTree(RootfsBuilder.build(build(false), options), real);
        Files.createDirectories(real.resolve("etc/alternatives"));
        Files.createDirectories(real.resolve("var/lib/dpkg/alternatives"));
        Path shim = Files.createDirectory(tmp.resolve("bin"));
        Path tool = shim.resolve("update-alternatives");
        Files.writeString(tool, "#!/bin/sh\nexec /usr/bin/update-alternatives --root '" + real + "' --log /alternatives.log --quiet \"$@\"\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String pkg : SCRIPTED) {
            Path script = tmp.resolve(pkg + ".postinst");
            Files.writeString(script, AlternativesScriptTest.realPostinst(pkg));
            ProcessBuilder pb = new ProcessBuilder("sh", script.toString(), "configure").redirectErrorStream(true);
            pb.environment().put("PATH", shim + ":/usr/bin:/bin");
            pb.environment().put("DPKG_ROOT", real.toString());
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), pkg + "'s postinst: " + output);
        }

        Files.delete(real.resolve("alternatives.log")); // the tool's log, in the root it was given
        Map<String, String> expected = listing(real);
        Map<String, String> found = listing(kilnRoot);
        Map<String, String> differences = new TreeMap<>();
        for (String path : union(expected.keySet(), found.keySet())) {
            if (!java.util.Objects.equals(expected.get(path), found.get(path))) {
                differences.put(path, "update-alternatives: " + expected.get(path) + "\n  kiln: " + found.get(path));
            }
        }
        assertEquals(Map.of(), differences);
        assertEquals("/etc/alternatives/awk", found.get("/usr/bin/awk").substring("link ".length()));
        assertEquals("link /usr/bin/less", found.get("/etc/alternatives/pager"), "the higher priority wins");
        assertTrue(found.containsKey("/usr/lib/cpp"), "/lib/cpp is made through the merged /lib link");
        assertTrue(found.get("/usr/share/man/man1/awk.1.gz").startsWith("file"));
        assertTrue(!found.containsKey("/etc/alternatives/c99.1.gz") && found.containsKey("/etc/alternatives/c89.1.gz"));
    }

    private static java.util.SortedSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    /** Every path: a directory, a link and its target, or a file and its bytes; modes and times left out. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String path = "/" + root.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    out.put(path, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(path, "dir");
                } else {
                    out.put(path, "file " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8).replace("\n", "|"));
                }
            }
        }
        out.remove("/");
        return out;
    }

    private static void writeTree(FileTree tree, Path root) throws IOException {
        for (Entry e : tree.entries()) {
            if (e.path().equals("/")) {
                continue;
            }
            Path p = root.resolve(e.path().substring(1));
            switch (e.type()) {
                case DIR -> Files.createDirectories(p);
                case FILE -> Files.write(p, e.content().readAllBytes());
                case SYMLINK -> Files.createSymbolicLink(p, Path.of(e.linkTarget()));
                case HARDLINK -> Files.createLink(p, root.resolve(e.linkTarget().substring(1)));
            }
        }
    }
}
