package dev.kiln.assembler.deb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebFixture.Member;
import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DebPackageTest {
    /** security.capability for cap_net_raw+ep: VFS_CAP_REVISION_2 | effective, permitted bit 13. */
    static final byte[] CAP_NET_RAW = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    static final String LONG_NAME = "libkiln-" + "very-long-component-".repeat(6) + "name.so.1.2.3";
    static final String LONG_TARGET = "/usr/share/doc/" + "some-other-package-with-a-long-name/".repeat(3) + "README.Debian";

    static final byte[] SU = "#!/bin/sh\nexec /bin/true \"$@\"\n".getBytes(UTF_8);
    static final byte[] WALL = HexFormat.of().parseHex("7f454c4602010100000000000000000003003e00");
    static final byte[] PING = "ping binary\u0000with a nul".getBytes(UTF_8);
    static final byte[] LIB = new byte[70_000];
    static final byte[] CONF = "# kiln.conf\nkey = value\n".getBytes(UTF_8);
    static final byte[] CHANGELOG = HexFormat.of().parseHex("1f8b0800000000000003cbcc4bcc03002d3b08af03000000");

    static {
        for (int i = 0; i < LIB.length; i++) {
            LIB[i] = (byte) (i * 31 + (i >> 8));
        }
    }

    /** Messy like real packages: real mtimes, setuid/setgid/sticky, long names and targets, links, an xattr. */
    static byte[] messyDataTar(int longFileMode) {
        DebFixture.Tar t = new DebFixture.Tar(longFileMode);
        t.dir("./", 0755, 0, 0, 1_717_171_717L);
        t.dir("./etc/", 0755, 0, 0, 1_716_000_000L);
        t.file("./etc/kiln.conf", 0640, 0, 0, 1_715_999_999L, CONF);
        t.dir("./tmp/", 01777, 0, 0, 1_716_000_100L);
        t.dir("./usr", 0755, 0, 0, 1_716_000_200L); // a directory named without a trailing slash
        t.dir("./usr/bin/", 0755, 0, 0, 1_716_000_300L);
        t.file("./usr/bin/kiln-ping", 0755, 0, 0, 1_716_000_301L, PING,
                e -> e.addPaxHeader("SCHILY.xattr.security.capability", new String(CAP_NET_RAW, UTF_8)));
        t.symlink("./usr/bin/kiln-ping6", "/usr/bin/kiln-ping", 1_716_000_302L);
        t.file("./usr/bin/kiln-su", 04755, 0, 0, 1_716_000_303L, SU);
        t.hardlink("./usr/bin/kiln-su-again", "./usr/bin/kiln-su", 04755, 1_716_000_303L);
        t.file("./usr/bin/kiln-wall", 02755, 0, 5, 1_716_000_304L, WALL);
        t.dir("./usr/lib/", 0755, 0, 0, 1_716_000_400L);
        t.dir("./usr/lib/x86_64-linux-gnu/", 0755, 0, 0, 1_716_000_401L);
        t.file("./usr/lib/x86_64-linux-gnu/" + LONG_NAME, 0644, 1000, 1000, 1_716_000_402L, LIB);
        t.symlink("./usr/lib/x86_64-linux-gnu/libkiln.so", "../../../lib/x86_64-linux-gnu/libkiln.so.1", 1_716_000_403L);
        t.dir("./usr/share/", 0755, 0, 0, 1_716_000_500L);
        t.dir("./usr/share/doc/", 0755, 0, 0, 1_716_000_501L);
        t.dir("./usr/share/doc/kiln-fixture/", 0755, 0, 0, 1_716_000_502L);
        t.symlink("./usr/share/doc/kiln-fixture/README.Debian", LONG_TARGET, 1_716_000_503L);
        t.file("./usr/share/doc/kiln-fixture/changelog.Debian.gz", 0644, 0, 0, 1_600_000_000L, CHANGELOG);
        return t.bytes();
    }

    static FileTree expectedMessyTree() {
        return FileTree.builder("expected")
                .add(Entry.dir("/", 0755, 0, 0, 1_717_171_717L))
                .add(Entry.dir("/etc", 0755, 0, 0, 1_716_000_000L))
                .add(Entry.file("/etc/kiln.conf", 0640, 0, 0, 1_715_999_999L, Content.of(CONF)))
                .add(Entry.dir("/tmp", 01777, 0, 0, 1_716_000_100L))
                .add(Entry.dir("/usr", 0755, 0, 0, 1_716_000_200L))
                .add(Entry.dir("/usr/bin", 0755, 0, 0, 1_716_000_300L))
                .add(Entry.file("/usr/bin/kiln-ping", 0755, 0, 0, 1_716_000_301L, Content.of(PING))
                        .withXattrs(Map.of("security.capability", ByteString.of(CAP_NET_RAW))))
                .add(Entry.symlink("/usr/bin/kiln-ping6", "/usr/bin/kiln-ping", 0777, 0, 0, 1_716_000_302L))
                .add(Entry.file("/usr/bin/kiln-su", 04755, 0, 0, 1_716_000_303L, Content.of(SU)))
                .add(Entry.hardlink("/usr/bin/kiln-su-again", "/usr/bin/kiln-su", 04755, 0, 0, 1_716_000_303L))
                .add(Entry.file("/usr/bin/kiln-wall", 02755, 0, 5, 1_716_000_304L, Content.of(WALL)))
                .add(Entry.dir("/usr/lib", 0755, 0, 0, 1_716_000_400L))
                .add(Entry.dir("/usr/lib/x86_64-linux-gnu", 0755, 0, 0, 1_716_000_401L))
                .add(Entry.file("/usr/lib/x86_64-linux-gnu/" + LONG_NAME, 0644, 1000, 1000, 1_716_000_402L, Content.of(LIB)))
                .add(Entry.symlink("/usr/lib/x86_64-linux-gnu/libkiln.so", "../../../lib/x86_64-linux-gnu/libkiln.so.1",
                        0777, 0, 0, 1_716_000_403L))
                .add(Entry.dir("/usr/share", 0755, 0, 0, 1_716_000_500L))
                .add(Entry.dir("/usr/share/doc", 0755, 0, 0, 1_716_000_501L))
                .add(Entry.dir("/usr/share/doc/kiln-fixture", 0755, 0, 0, 1_716_000_502L))
                .add(Entry.symlink("/usr/share/doc/kiln-fixture/README.Debian", LONG_TARGET, 0777, 0, 0, 1_716_000_503L))
                .add(Entry.file("/usr/share/doc/kiln-fixture/changelog.Debian.gz", 0644, 0, 0, 1_600_000_000L,
                        Content.of(CHANGELOG)))
                .build();
    }

    static Stream<Arguments> formats() {
        List<Arguments> out = new ArrayList<>();
        for (String ext : List.of("", ".gz", ".xz", ".zst")) {
            out.add(Arguments.of(ext, TarArchiveOutputStream.LONGFILE_GNU));
            out.add(Arguments.of(ext, TarArchiveOutputStream.LONGFILE_POSIX));
        }
        return out.stream();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {".xz", ".gz", ""})
    void aStoreThatCannotTakeTheFilesIsReportedAsItselfNotAsACorruptPackage(String ext) {
        // a full disk while unpacking read 'data.tar.xz: corrupt: dev.kiln.store.StoreException: ...'
        byte[] deb = DebFixture.deb(ext, DebFixture.controlTar(DebFixture.CONTROL_TEXT), messyDataTar(TarArchiveOutputStream.LONGFILE_POSIX));
        dev.kiln.store.StoreException full = new dev.kiln.store.StoreException("the disk is full");
        dev.kiln.store.StoreException thrown = assertThrows(dev.kiln.store.StoreException.class,
                () -> new DebReader(UnpackLimits.DEFAULT, in -> {
                    throw full;
                }).read(new ByteArrayInputStream(deb), "kiln-fixture.deb"));
        assertSame(full, thrown);
    }

    @ParameterizedTest(name = "data.tar{0}, long names mode {1}")
    @MethodSource("formats")
    void readsEveryEntryExactlyInEachCompressionAndLongNameFormat(String ext, int longFileMode) {
        byte[] deb = DebFixture.deb(ext, DebFixture.controlTar(DebFixture.CONTROL_TEXT), messyDataTar(longFileMode));

        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(deb), "kiln-fixture.deb");

        assertEquals(expectedMessyTree().toString(), pkg.data().toString());
        assertEquals(expectedMessyTree(), pkg.data());
        assertEquals(List.of(), pkg.skipped());
    }

    @Test
    void keepsTheControlFieldsInOrderWithContinuationLines() {
        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(DebFixture.deb(messyDataTar(TarArchiveOutputStream.LONGFILE_GNU))),
                "kiln-fixture.deb");

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Package", "kiln-fixture");
        expected.put("Version", "1:2.3.4-5+deb12u1");
        expected.put("Architecture", "amd64");
        expected.put("Maintainer", "Kiln Fixtures <fixtures@example.invalid>");
        expected.put("Installed-Size", "42");
        expected.put("Depends", "libc6 (>= 2.34), libcap2-bin");
        expected.put("Section", "utils");
        expected.put("Priority", "optional");
        expected.put("Description", "a package that tests how kiln unpacks\n"
                + " Its files have odd modes, long names, links and a capability.\n .\n The second paragraph.");
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(pkg.control().entrySet()));
        assertEquals("kiln-fixture", pkg.packageName());
        assertEquals("1:2.3.4-5+deb12u1", pkg.version());
        assertEquals("amd64", pkg.architecture().orElseThrow());
        assertEquals("libc6 (>= 2.34), libcap2-bin", pkg.field("depends").orElseThrow());
        assertArrayEquals(DebFixture.CONTROL_TEXT.getBytes(UTF_8), pkg.controlFile());
    }

    @Test
    void keepsMd5sumsConffilesAndMaintainerScriptsAsBytesByName() {
        byte[] postinst = "#!/bin/sh\nset -e\nsetcap cap_net_raw+ep /usr/bin/kiln-ping\n".getBytes(UTF_8);
        byte[] md5sums = "0123456789abcdef0123456789abcdef  usr/bin/kiln-su\n".getBytes(UTF_8);
        byte[] control = DebFixture.tar(t -> {
            t.dir("./", 0755, 0, 0, 1_717_000_000L);
            t.file("./conffiles", 0644, 0, 0, 1_717_000_000L, "/etc/kiln.conf\nremove-on-upgrade /etc/old.conf\n".getBytes(UTF_8));
            t.file("./control", 0644, 0, 0, 1_717_000_000L, DebFixture.CONTROL_TEXT.getBytes(UTF_8));
            t.file("./md5sums", 0644, 0, 0, 1_717_000_000L, md5sums);
            t.file("./postinst", 0755, 0, 0, 1_717_000_000L, postinst);
        });
        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(
                DebFixture.deb(".gz", control, messyDataTar(TarArchiveOutputStream.LONGFILE_GNU))), "kiln-fixture.deb");

        assertEquals(List.of("conffiles", "control", "md5sums", "postinst"), List.copyOf(pkg.controlMembers().keySet()));
        assertArrayEquals(postinst, pkg.controlMember("postinst").orElseThrow().readAllBytes());
        assertEquals(new String(md5sums, UTF_8), pkg.md5sums().orElseThrow());
        assertEquals(List.of("/etc/kiln.conf", "remove-on-upgrade /etc/old.conf"), pkg.conffiles());
        assertTrue(pkg.controlMember("preinst").isEmpty());
    }

    @ParameterizedTest(name = "member names written as ''{0}''")
    @ValueSource(strings = {"", "/"})
    void acceptsArMemberNamesWithAndWithoutTheGnuSlash(String suffix) {
        byte[] deb = DebFixture.ar(List.of(
                new Member("debian-binary" + suffix, "2.0\n".getBytes(UTF_8)),
                new Member("_kiln-extension" + suffix, "ignored, as dpkg ignores _ members".getBytes(UTF_8)),
                new Member("control.tar.gz" + suffix, DebFixture.compress(".gz", DebFixture.controlTar(DebFixture.CONTROL_TEXT))),
                new Member("data.tar.zst" + suffix, DebFixture.compress(".zst", messyDataTar(TarArchiveOutputStream.LONGFILE_GNU)))));

        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(deb), "kiln-fixture.deb");

        assertEquals(expectedMessyTree(), pkg.data());
    }

    @Test
    void readsFromAPathAndNamesThePackageByItsFileName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kiln-fixture_2.3.4-5_amd64.deb");
        Files.write(file, DebFixture.deb(messyDataTar(TarArchiveOutputStream.LONGFILE_GNU)));

        DebPackage pkg = DebPackage.read(file);

        assertEquals("kiln-fixture_2.3.4-5_amd64.deb", pkg.name());
        assertEquals(expectedMessyTree(), pkg.data());
    }

    @Test
    void readsUtf8NamesFromGnuHeadersAndPaxPaths() {
        for (int mode : List.of(TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX)) {
            DebFixture.Tar t = new DebFixture.Tar(mode);
            t.dir("./", 0755, 0, 0, 1_717_000_000L);
            t.file("./café", 0644, 0, 0, 1_717_000_001L, CONF);
            t.file("./日本語/" + "長い名前".repeat(10), 0644, 0, 0, 1_717_000_002L, SU);
            t.symlink("./snowman", "☃/target", 1_717_000_003L);

            DebPackage pkg = DebPackage.read(new ByteArrayInputStream(DebFixture.deb(t.bytes())), "utf8.deb");

            assertEquals(List.of("/", "/café", "/snowman", "/日本語/" + "長い名前".repeat(10)),
                    pkg.data().stream().map(Entry::path).toList(), "long name mode " + mode);
            assertEquals("☃/target", pkg.data().get("/snowman").orElseThrow().linkTarget());
        }
    }

    @Test
    void takesExactXattrBytesFromLibarchiveBase64Headers() {
        byte[] capSetuid = HexFormat.of().parseHex("01000002" + "c0000000" + "00000000".repeat(3)); // bytes above 0x7f
        DebFixture.Tar t = new DebFixture.Tar();
        t.file("./usr/bin/kiln-id", 0755, 0, 0, 1_717_000_000L, SU,
                e -> e.addPaxHeader("LIBARCHIVE.xattr.security.capability", java.util.Base64.getEncoder().encodeToString(capSetuid)));

        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(DebFixture.deb(t.bytes())), "xattr.deb");

        assertEquals(Map.of("security.capability", ByteString.of(capSetuid)),
                pkg.data().get("/usr/bin/kiln-id").orElseThrow().xattrs());
    }

    @Test
    void appliesNothingFromAGlobalPaxCommentHeader() {
        // git archive and some packagers start with a global header ('g') carrying a comment
        DebFixture.Tar t = new DebFixture.Tar(TarArchiveOutputStream.LONGFILE_POSIX);
        t.globalPax("comment", "0123456789abcdef0123456789abcdef01234567");
        t.dir("./", 0755, 0, 0, 1_717_000_000L);
        t.file("./etc/kiln.conf", 0640, 0, 0, 1_715_999_999L, CONF);

        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(DebFixture.deb(t.bytes())), "global.deb");

        assertEquals(FileTree.builder("expected")
                .add(Entry.dir("/", 0755, 0, 0, 1_717_000_000L))
                .add(Entry.file("/etc/kiln.conf", 0640, 0, 0, 1_715_999_999L, Content.of(CONF)))
                .build(), pkg.data());
    }

    @Test
    void takesAnAbsoluteNameRelativeToTheImageRootAsDpkgDoes() {
        DebFixture.Tar t = new DebFixture.Tar();
        t.file("/etc/absolute", 0644, 0, 0, 1_717_000_000L, CONF);
        t.file("relative", 0644, 0, 0, 1_717_000_000L, CONF);

        DebPackage pkg = DebPackage.read(new ByteArrayInputStream(DebFixture.deb(t.bytes())), "absolute.deb");

        assertEquals(List.of("/etc/absolute", "/relative"), pkg.data().stream().map(Entry::path).toList());
    }

    @Test
    void theControlFileAloneIsReadWithoutTouchingData(@TempDir Path dir) throws Exception {
        byte[] control = DebFixture.controlTar(DebFixture.CONTROL_TEXT);
        // data.tar.xz that is not xz at all: only a whole read would notice
        Path deb = Files.write(dir.resolve("control-only.deb"), DebFixture.ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(UTF_8)),
                new Member("control.tar.xz", DebFixture.compress(".xz", control)),
                new Member("data.tar.xz", "not xz".getBytes(UTF_8)))));
        DebReader reader = new DebReader(UnpackLimits.DEFAULT);

        assertEquals(DebFixture.CONTROL_TEXT, new String(reader.readControlFile(deb, "control-only"), UTF_8));
        assertThrows(AssembleException.class, () -> reader.read(deb, "control-only"));
        Path noControl = Files.write(dir.resolve("no-control.deb"), DebFixture.ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(UTF_8)),
                new Member("data.tar.xz", DebFixture.compress(".xz", control)))));
        AssembleException e = assertThrows(AssembleException.class,
                () -> reader.readControlFile(noControl, "no-control"));
        assertEquals("assemble.malformed-package", e.code());
        assertTrue(e.getMessage().contains("expected control.tar.*"), e.getMessage());
    }
}
