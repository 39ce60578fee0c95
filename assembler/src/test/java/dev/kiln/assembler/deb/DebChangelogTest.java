package dev.kiln.assembler.deb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.assembler.AssembleException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Where a .deb keeps its changelog: its own doc directory, or another package's through a link. */
class DebChangelogTest {
    private static final String TEXT = "kiln-fixture (1:2.3.4-5+deb12u1) bookworm-security; urgency=high\n\n"
            + "  * Fix CVE-2024-0001.\n\n -- A <a@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n";
    private static final long MTIME = 1_700_000_123L;

    private static DebChangelog read(Consumer<DebFixture.Tar> data) {
        byte[] deb = DebFixture.deb(DebFixture.tar(t -> {
            t.dir("./", 0755, 0, 0, MTIME);
            t.dir("./usr/", 0755, 0, 0, MTIME);
            t.dir("./usr/share/", 0755, 0, 0, MTIME);
            t.dir("./usr/share/doc/", 0755, 0, 0, MTIME);
            t.file("./usr/bin-big", 0644, 0, 0, MTIME, new byte[300_000]);
            data.accept(t);
        }));
        return DebChangelog.read(new ByteArrayInputStream(deb), "kiln-fixture.deb");
    }

    private static byte[] gz(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(s.getBytes(UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    @Test
    void theChangelogInThePackagesOwnDocDirectoryIsItsText() {
        DebChangelog c = read(t -> {
            t.dir("./usr/share/doc/kiln-fixture/", 0755, 0, 0, MTIME);
            t.file("./usr/share/doc/kiln-fixture/changelog.Debian.gz", 0644, 0, 0, MTIME, gz(TEXT));
        });
        assertEquals(new DebChangelog.Text("kiln-fixture", "/usr/share/doc/kiln-fixture/changelog.Debian.gz", TEXT), c);
    }

    @Test
    void aDocDirectoryLinkedToAnotherPackagesSaysWhich() {
        DebChangelog c = read(t -> t.symlink("./usr/share/doc/kiln-fixture", "kiln-common", MTIME));
        assertEquals(new DebChangelog.Elsewhere("kiln-fixture", "kiln-common"), c);
    }

    @Test
    void aChangelogFileLinkedIntoAnotherDocDirectorySaysWhich() {
        DebChangelog c = read(t -> {
            t.dir("./usr/share/doc/kiln-fixture/", 0755, 0, 0, MTIME);
            t.symlink("./usr/share/doc/kiln-fixture/changelog.Debian.gz", "../kiln-common/changelog.Debian.gz", MTIME);
        });
        assertEquals(new DebChangelog.Elsewhere("kiln-fixture", "kiln-common"), c);
    }

    @Test
    void aPackageWithoutOneSaysSo() {
        assertEquals(new DebChangelog.Missing("kiln-fixture"), read(t -> { }));
    }

    @Test
    void aChangelogThatIsNotGzipIsRefused() {
        AssembleException e = assertThrows(AssembleException.class, () -> read(t -> {
            t.dir("./usr/share/doc/kiln-fixture/", 0755, 0, 0, MTIME);
            t.file("./usr/share/doc/kiln-fixture/changelog.Debian.gz", 0644, 0, 0, MTIME, new byte[] {0x1f, (byte) 0x8b, 1, 2});
        }));
        assertEquals("assemble.malformed-package", e.code());
    }
}
