package dev.kiln.assembler.deb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebFixture.Member;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each test is one crafted package that must be refused (or, for device nodes, skipped) with a clear message. */
class HostileDebTest {
    private static final String PKG = "hostile_1.0_amd64.deb";
    private static final long MTIME = 1_717_000_000L;
    private static final byte[] BYTES = "payload\n".getBytes(UTF_8);

    private static DebPackage read(byte[] deb) {
        return DebPackage.read(new ByteArrayInputStream(deb), PKG);
    }

    private static AssembleException refused(byte[] deb, String... mentions) {
        return refused(deb, UnpackLimits.DEFAULT, mentions);
    }

    private static AssembleException refused(byte[] deb, UnpackLimits limits, String... mentions) {
        AssembleException e = assertThrows(AssembleException.class,
                () -> DebPackage.read(new ByteArrayInputStream(deb), PKG, limits));
        assertTrue(e.getMessage().startsWith(PKG + ": "), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "expected the message to mention '" + m + "': " + e.getMessage());
        }
        return e;
    }

    private static byte[] dataWith(java.util.function.Consumer<DebFixture.Tar> entries) {
        return DebFixture.deb(DebFixture.tar(entries));
    }

    // --- names that try to leave the tree -------------------------------------------------

    @Test
    void refusesADotDotEntry() {
        AssembleException e = refused(dataWith(t -> t.file("../etc/passwd", 0644, 0, 0, MTIME, BYTES)),
                "data.tar.xz", "entry '../etc/passwd'", "a '..' component");
        assertEquals("assemble.malformed-package", e.code());
    }

    @Test
    void refusesADotDotThatClimbsOutAfterDescending() {
        refused(dataWith(t -> t.file("./a/../../b", 0644, 0, 0, MTIME, BYTES)), "entry './a/../../b'", "a '..' component");
    }

    @Test
    void refusesEvenADotDotThatWouldStayInside() {
        refused(dataWith(t -> t.file("./a/../b", 0644, 0, 0, MTIME, BYTES)), "entry './a/../b'", "a '..' component");
    }

    @Test
    void refusesAnAbsoluteNameThatClimbs() {
        refused(dataWith(t -> t.file("/../etc/passwd", 0644, 0, 0, MTIME, BYTES)), "entry '/../etc/passwd'", "a '..' component");
    }

    @Test
    void refusesANulInALongName() {
        String name = "./usr/bin/" + "x".repeat(100) + "\u0000.hidden";
        refused(dataWith(t -> t.file(name, 0644, 0, 0, MTIME, BYTES)), "\\u0000.hidden'", "a control character U+0000");
    }

    @Test
    void refusesANewlineInAName() {
        refused(dataWith(t -> t.file("./etc/evil\nname", 0644, 0, 0, MTIME, BYTES)), "entry './etc/evil\\u000Aname'",
                "a control character U+000A");
    }

    @Test
    void refusesANameThatIsNotUtf8() {
        DebFixture.Tar t = new DebFixture.Tar(TarArchiveOutputStream.LONGFILE_GNU, StandardCharsets.ISO_8859_1.name());
        t.file("./caf\u00e9", 0644, 0, 0, MTIME, BYTES); // written as the single byte 0xE9
        refused(DebFixture.deb(t.bytes()), "entry './caf\\xE9': expected a UTF-8 name, found invalid UTF-8");
    }

    // --- paths that collide -----------------------------------------------------------------

    @Test
    void refusesTheSamePathTwice() {
        refused(dataWith(t -> {
            t.file("./etc/motd", 0644, 0, 0, MTIME, BYTES);
            t.file("./etc/motd", 0644, 0, 0, MTIME, "second\n".getBytes(UTF_8));
        }), "/etc/motd", "a duplicate entry");
    }

    @Test
    void refusesTheSamePathTwiceUnderDifferentSpellings() {
        refused(dataWith(t -> {
            t.file("./etc/motd", 0644, 0, 0, MTIME, BYTES);
            t.file("etc//./motd", 0644, 0, 0, MTIME, BYTES);
        }), "/etc/motd", "a duplicate entry");
    }

    @Test
    void refusesAPathThroughASymlink() {
        // the classic tar attack: a link, then a file "inside" it, written through the link
        refused(dataWith(t -> {
            t.symlink("./etc", "/root/.ssh", MTIME);
            t.file("./etc/authorized_keys", 0644, 0, 0, MTIME, BYTES);
        }), "/etc/authorized_keys", "lies under /etc, which is a SYMLINK, not a directory");
    }

    @Test
    void refusesAPathUnderARegularFile() {
        refused(dataWith(t -> {
            t.file("./usr/lib/libx.so", 0644, 0, 0, MTIME, BYTES);
            t.file("./usr/lib/libx.so/inner", 0644, 0, 0, MTIME, BYTES);
        }), "lies under /usr/lib/libx.so, which is a FILE");
    }

    @Test
    void refusesARootThatIsNotADirectory() {
        refused(dataWith(t -> t.file(".", 0644, 0, 0, MTIME, BYTES)), "entry '.'", "expected the root to be a directory");
    }

    // --- device nodes and FIFOs are skipped, and say so --------------------------------------

    @Test
    void skipsACharacterDeviceAndRecordsIt() {
        DebPackage pkg = read(dataWith(t -> {
            t.dir("./dev/", 0755, 0, 0, MTIME);
            t.device("./dev/kmem", TarConstants.LF_CHR, 1, 2);
            t.device("./dev/sda", TarConstants.LF_BLK, 8, 0);
            t.device("./run/initctl", TarConstants.LF_FIFO, 0, 0);
        }));

        assertEquals(List.of("/dev"), pkg.data().stream().map(e -> e.path()).toList());
        assertEquals(List.of(
                new DebPackage.Skipped("/dev/kmem", "character device 1:2", "images get no device nodes or FIFOs from packages"),
                new DebPackage.Skipped("/dev/sda", "block device 8:0", "images get no device nodes or FIFOs from packages"),
                new DebPackage.Skipped("/run/initctl", "FIFO", "images get no device nodes or FIFOs from packages")),
                pkg.skipped());
    }

    @Test
    void refusesAFileOverASkippedDevice() {
        refused(dataWith(t -> {
            t.device("./dev/null", TarConstants.LF_CHR, 1, 3);
            t.file("./dev/null", 0666, 0, 0, MTIME, BYTES);
        }), "entry './dev/null'", "a duplicate entry");
    }

    // --- hardlinks -------------------------------------------------------------------------------

    @Test
    void refusesAHardlinkToAMissingTarget() {
        refused(dataWith(t -> t.hardlink("./usr/bin/b", "./usr/bin/missing", 0755, MTIME)),
                "/usr/bin/b", "a hardlink to /usr/bin/missing: expected an earlier regular file, found nothing");
    }

    @Test
    void refusesAHardlinkToALaterFile() {
        refused(dataWith(t -> {
            t.hardlink("./usr/bin/b", "./usr/bin/a", 0755, MTIME);
            t.file("./usr/bin/a", 0755, 0, 0, MTIME, BYTES);
        }), "a hardlink to /usr/bin/a: expected an earlier regular file, found nothing");
    }

    @Test
    void refusesAHardlinkOutsideThePackage() {
        refused(dataWith(t -> t.hardlink("./usr/bin/passwd", "../outside", 0755, MTIME)),
                "entry './usr/bin/passwd'", "a hardlink to '../outside'", "a '..' component");
    }

    @Test
    void refusesAHardlinkToADirectoryOrSymlink() {
        refused(dataWith(t -> {
            t.dir("./etc/", 0755, 0, 0, MTIME);
            t.hardlink("./etc2", "./etc", 0755, MTIME);
        }), "a hardlink to /etc: expected an earlier regular file, found a DIR");
        refused(dataWith(t -> {
            t.symlink("./sh", "/bin/bash", MTIME);
            t.hardlink("./sh2", "./sh", 0755, MTIME);
        }), "a hardlink to /sh: expected an earlier regular file, found a SYMLINK");
    }

    // --- decompression bombs and other excess ------------------------------------------------

    @Test
    void refusesADecompressionBombOverTheTotalCap() {
        byte[] zeros = new byte[64 << 20];
        byte[] deb = DebFixture.deb(".gz", DebFixture.controlTar(DebFixture.CONTROL_TEXT),
                DebFixture.tar(t -> t.file("./var/lib/bomb", 0644, 0, 0, MTIME, zeros)));
        assertTrue(deb.length < 200_000, "a bomb is small: " + deb.length);

        UnpackLimits limits = UnpackLimits.DEFAULT.withMaxTotalBytes(1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(deb, limits,
                "data.tar.gz", "entry './var/lib/bomb'", "declares 67108864 bytes", "UnpackLimits.maxTotalBytes",
                "decompression bomb"));
    }

    @Test
    void refusesManyFilesThatTogetherPassTheTotalCap() {
        byte[] chunk = new byte[100_000];
        byte[] deb = dataWith(t -> {
            for (int i = 0; i < 20; i++) {
                t.file("./var/lib/part" + i, 0644, 0, 0, MTIME, chunk);
            }
        });
        refused(deb, UnpackLimits.DEFAULT.withMaxTotalBytes(1 << 20), "UnpackLimits.maxTotalBytes");
    }

    @Test
    void refusesOneFileOverTheEntryCap() {
        byte[] deb = dataWith(t -> t.file("./usr/share/big", 0644, 0, 0, MTIME, new byte[2 << 20]));
        AssembleException e = refused(deb, UnpackLimits.DEFAULT.withMaxEntryBytes(1 << 20), "entry './usr/share/big'",
                "declares 2097152 bytes", "UnpackLimits.maxEntryBytes");
        assertEquals("assemble.unpack-limit", e.code());
    }

    @Test
    void refusesAHugeLongNameOverTheTotalCap() {
        // a GNU long name is read whole by the tar reader: the cap must count header bytes too
        // written by hand: commons-compress's writer takes quadratic time over a name this long
        byte[] deb = dataWith(t -> {
            t.raw(new TarArchiveEntry("././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, true),
                    ("./" + "n".repeat(2 << 20)).getBytes(UTF_8));
            t.file("./short", 0644, 0, 0, MTIME, BYTES);
        });
        refused(deb, UnpackLimits.DEFAULT.withMaxTotalBytes(1 << 20), "data.tar.xz", "expands past the limit of 1048576 bytes",
                "UnpackLimits.maxTotalBytes");
    }

    @Test
    void refusesMoreEntriesThanTheCap() {
        byte[] deb = dataWith(t -> {
            for (int i = 0; i < 50; i++) {
                t.dir("./d" + i + "/", 0755, 0, 0, MTIME);
            }
        });
        refused(deb, UnpackLimits.DEFAULT.withMaxEntries(20), "more than 20 entries", "UnpackLimits.maxEntries");
    }

    // --- the ar container --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"3.0\n", "2.0", "2.0\n\n", "2.1\n"})
    void refusesADebianBinaryOtherThan2Point0(String version) {
        byte[] deb = DebFixture.ar(List.of(
                new Member("debian-binary", version.getBytes(UTF_8)),
                new Member("control.tar", DebFixture.controlTar(DebFixture.CONTROL_TEXT)),
                new Member("data.tar", DebFixture.tar(t -> t.dir("./", 0755, 0, 0, MTIME)))));
        refused(deb, "debian-binary: expected '2.0\\n'");
    }

    @Test
    void refusesAPackageThatDoesNotStartWithDebianBinary() {
        byte[] deb = DebFixture.ar(List.of(
                new Member("control.tar", DebFixture.controlTar(DebFixture.CONTROL_TEXT)),
                new Member("debian-binary", "2.0\n".getBytes(UTF_8))));
        refused(deb, "expected debian-binary as the first member, found 'control.tar'");
    }

    @Test
    void refusesAnUnknownCompressionNamingTheMember() {
        byte[] deb = DebFixture.ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(UTF_8)),
                new Member("control.tar.gz", DebFixture.compress(".gz", DebFixture.controlTar(DebFixture.CONTROL_TEXT))),
                new Member("data.tar.bz2", "BZh91AY&SY bogus".getBytes(UTF_8))));
        refused(deb, "member 'data.tar.bz2': unsupported compression", "data.tar.xz or data.tar.zst");
    }

    @Test
    void refusesDataBeforeControl() {
        byte[] deb = DebFixture.ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(UTF_8)),
                new Member("data.tar", DebFixture.tar(t -> t.dir("./", 0755, 0, 0, MTIME))),
                new Member("control.tar", DebFixture.controlTar(DebFixture.CONTROL_TEXT))));
        refused(deb, "unexpected member 'data.tar': expected control.tar.*");
    }

    @Test
    void refusesAPackageWithoutData() {
        byte[] deb = DebFixture.ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(UTF_8)),
                new Member("control.tar", DebFixture.controlTar(DebFixture.CONTROL_TEXT))));
        refused(deb, "ends before its data.tar member");
    }

    @Test
    void refusesAnythingButAnArArchive() {
        refused("PK\u0003\u0004 not a deb at all".getBytes(UTF_8), "not a readable .deb");
        refused(new byte[0], "not a readable .deb");
    }

    @ParameterizedTest(name = "compression ''{0}''")
    @ValueSource(strings = {"", ".gz", ".xz", ".zst"})
    void refusesATruncatedArchiveWhereverItIsCut(String ext) {
        byte[] whole = DebFixture.deb(ext, DebFixture.controlTar(DebFixture.CONTROL_TEXT),
                DebPackageTest.messyDataTar(TarArchiveOutputStream.LONGFILE_GNU));
        read(whole); // the whole package is fine
        for (int cut : new int[] {7, 8, 30, 68, 100, whole.length / 3, whole.length / 2, whole.length - 600, whole.length - 2}) {
            byte[] part = Arrays.copyOf(whole, cut);
            AssembleException e = assertThrows(AssembleException.class, () -> read(part), "cut at " + cut);
            assertTrue(e.getMessage().matches("(?s).*(truncated|Truncated|not a readable|ends before|empty archive).*"),
                    "cut at " + cut + ": " + e.getMessage());
        }
    }

    @Test
    void refusesACorruptedXzMember() {
        byte[] deb = DebFixture.deb(DebPackageTest.messyDataTar(TarArchiveOutputStream.LONGFILE_GNU));
        deb[deb.length - 200] ^= 0x55; // inside data.tar.xz; its CRC catches it
        refused(deb, "data.tar.xz", "corrupt");
    }

    // --- tar entries dpkg would not unpack ---------------------------------------------------

    @Test
    void refusesASparseFile() {
        DebFixture.Tar t = new DebFixture.Tar();
        t.raw(new TarArchiveEntry("./var/sparse", TarConstants.LF_GNUTYPE_SPARSE, true), new byte[0]);
        refused(DebFixture.deb(t.bytes()), "entry './var/sparse'", "sparse");
    }

    @Test
    void refusesAnUnknownEntryType() {
        DebFixture.Tar t = new DebFixture.Tar();
        t.raw(new TarArchiveEntry("./odd", (byte) 'Z', true), new byte[0]);
        refused(DebFixture.deb(t.bytes()), "entry './odd'", "unsupported tar entry type 'Z'");
    }

    @Test
    void refusesASymlinkThatCarriesData() {
        DebFixture.Tar t = new DebFixture.Tar();
        TarArchiveEntry e = new TarArchiveEntry("./link", TarConstants.LF_SYMLINK, true);
        e.setLinkName("target");
        t.raw(e, "hidden entries could live here".getBytes(UTF_8));
        refused(DebFixture.deb(t.bytes()), "entry './link'", "a symlink that carries 30 bytes of data; expected none");
    }

    @Test
    void refusesAnXattrValueTheTarReaderCannotGiveBackExactly() {
        // SCHILY.xattr values are raw bytes; commons-compress decodes them as UTF-8, losing 0xC0
        byte[] value = {1, 0, 0, 2, (byte) 0xC0, 0, 0, 0};
        byte[] key = "SCHILY.xattr.security.capability=".getBytes(UTF_8);
        int bodyLength = key.length + value.length + 1;
        int length = bodyLength + 3; // "NN " where the whole record is under 100 bytes
        length = bodyLength + String.valueOf(length).length() + 1;
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes((length + " ").getBytes(UTF_8));
        record.writeBytes(key);
        record.writeBytes(value);
        record.write('\n');
        DebFixture.Tar t = new DebFixture.Tar();
        t.raw(new TarArchiveEntry("./PaxHeaders/kiln-id", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true), record.toByteArray());
        t.file("./usr/bin/kiln-id", 0755, 0, 0, MTIME, BYTES);
        refused(DebFixture.deb(t.bytes()), "entry './usr/bin/kiln-id'", "xattr security.capability", "not UTF-8");
    }

    // --- control.tar ---------------------------------------------------------------------------

    @Test
    void refusesAControlTarWithASymlinkOrSubdirectory() {
        byte[] withLink = DebFixture.tar(t -> {
            t.file("./control", 0644, 0, 0, MTIME, DebFixture.CONTROL_TEXT.getBytes(UTF_8));
            t.symlink("./postinst", "/etc/shadow", MTIME);
        });
        refused(DebFixture.deb(".xz", withLink, DebFixture.tar(t -> { })), "control.tar.xz", "entry './postinst'",
                "expected a plain file at the top of control.tar, found a symlink");
        byte[] withSubdir = DebFixture.tar(t -> {
            t.file("./control", 0644, 0, 0, MTIME, DebFixture.CONTROL_TEXT.getBytes(UTF_8));
            t.file("./scripts/postinst", 0755, 0, 0, MTIME, BYTES);
        });
        refused(DebFixture.deb(".xz", withSubdir, DebFixture.tar(t -> { })), "found a regular file in a subdirectory");
    }

    @Test
    void refusesAControlTarWithoutControl() {
        byte[] control = DebFixture.tar(t -> t.file("./md5sums", 0644, 0, 0, MTIME, BYTES));
        refused(DebFixture.deb(".xz", control, DebFixture.tar(t -> { })), "expected a ./control file, found only [md5sums]");
    }

    @Test
    void refusesAControlFileWithoutPackageOrVersion() {
        refused(DebFixture.deb(".xz", DebFixture.controlTar("Package: x\nArchitecture: all\n"), DebFixture.tar(t -> { })),
                "./control: expected a Version field");
        refused(DebFixture.deb(".xz", DebFixture.controlTar("Package: x\nVersion: 1\nPackage: y\n"), DebFixture.tar(t -> { })),
                "field 'Package' appears twice");
        refused(DebFixture.deb(".xz", DebFixture.controlTar("Package: x\nVersion: 1\n\nPackage: y\n"), DebFixture.tar(t -> { })),
                "expected one paragraph");
    }

    // --- nothing but AssembleException comes out, whatever the bytes ----------------------------

    @Test
    void answersRandomDamageWithAssembleExceptionOnly() {
        Random random = new Random(20260101L);
        UnpackLimits small = UnpackLimits.DEFAULT.withMaxTotalBytes(8 << 20).withMaxEntries(10_000);
        for (String ext : List.of("", ".gz", ".xz", ".zst")) {
            byte[] whole = DebFixture.deb(ext, DebFixture.controlTar(DebFixture.CONTROL_TEXT),
                    DebPackageTest.messyDataTar(TarArchiveOutputStream.LONGFILE_POSIX));
            for (int round = 0; round < 150; round++) {
                byte[] damaged = whole.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                try {
                    DebPackage.read(new ByteArrayInputStream(damaged), PKG, small);
                } catch (AssembleException expected) {
                    assertFalse(expected.getMessage().isBlank());
                } catch (RuntimeException | Error other) {
                    fail("compression '" + ext + "', round " + round + ": " + other, other);
                }
            }
        }
    }
}
