package dev.kiln.builder.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two packages made by dpkg-deb (the peer), held against each other entry by entry. */
class DebDiffTest {
    @TempDir Path dir;

    private Path deb(String name, String hello, String mode) throws IOException, InterruptedException {
        Path root = dir.resolve("root-" + name);
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: hi\nVersion: 1.0-0kiln1\nArchitecture: all\n"
                + "Maintainer: kiln <kiln@localhost>\nDescription: a test\n", StandardCharsets.UTF_8);
        Path hi = Files.writeString(root.resolve("usr/bin/hi"), hello, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hi, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        Files.setPosixFilePermissions(root.resolve("DEBIAN"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = dir.resolve(name + ".deb");
        ProcessBuilder pb = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-Zxz", "--build", root.toString(), out.toString())
                .redirectErrorStream(true);
        pb.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        return out;
    }

    @Test
    void theSamePackageHasNoDifferences() throws Exception {
        Path a = deb("a", "#!/bin/sh\necho hi\n", "rwxr-xr-x");
        assertEquals(List.of(), DebDiff.between(a, a, dir));
    }

    @Test
    void aChangedFileIsNamedWithItsContentAndAChangedModeWithItsMode() throws Exception {
        Path a = deb("a", "#!/bin/sh\necho hi\n", "rwxr-xr-x");
        Path b = deb("b", "#!/bin/sh\necho ho\n", "rwxr--r--");
        List<String> d = DebDiff.between(a, b, dir);
        assertTrue(d.stream().anyMatch(l -> l.contains("./usr/bin/hi") && l.contains("content")), String.join("\n", d));
        assertTrue(d.stream().anyMatch(l -> l.contains("./usr/bin/hi") && l.contains("0755") && l.contains("0744")), String.join("\n", d));
        assertTrue(d.stream().allMatch(l -> l.startsWith("data.tar.xz: ./usr/bin/hi: ")), String.join("\n", d));
    }

    @Test
    void somethingThatIsNotAPackageIsSaidToBeNone() throws Exception {
        Path a = deb("a", "x\n", "rw-r--r--");
        Path junk = Files.writeString(dir.resolve("junk.deb"), "not an ar archive", StandardCharsets.UTF_8);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.kiln.builder.RecipeException.class, () -> DebDiff.between(a, junk, dir));
        assertEquals("recipe.package", e.code());
    }
}
