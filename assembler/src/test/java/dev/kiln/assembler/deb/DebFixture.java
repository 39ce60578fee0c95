package dev.kiln.assembler.deb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Builds .deb files in memory for tests: ar around compressed tars, written with commons-compress. */
final class DebFixture {
    static final String CONTROL_TEXT = """
            Package: kiln-fixture
            Version: 1:2.3.4-5+deb12u1
            Architecture: amd64
            Maintainer: Kiln Fixtures <fixtures@example.invalid>
            Installed-Size: 42
            Depends: libc6 (>= 2.34), libcap2-bin
            Section: utils
            Priority: optional
            Description: a package that tests how kiln unpacks
             Its files have odd modes, long names, links and a capability.
             .
             The second paragraph.
            """;

    private DebFixture() {
    }

    record Member(String name, byte[] bytes) {
    }

    /** Writes tar entries; every method returns the entry so a test can adjust it first. */
    static final class Tar {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out;

        Tar(int longFileMode) {
            this(longFileMode, StandardCharsets.UTF_8.name());
        }

        /** {@code charset} encodes the names; ISO-8859-1 lets a test write any byte. */
        Tar(int longFileMode, String charset) {
            out = new TarArchiveOutputStream(buffer, charset);
            out.setLongFileMode(longFileMode);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        Tar() {
            this(TarArchiveOutputStream.LONGFILE_GNU);
        }

        TarArchiveEntry file(String name, int mode, long uid, long gid, long mtime, byte[] bytes) {
            return file(name, mode, uid, gid, mtime, bytes, e -> { });
        }

        TarArchiveEntry file(String name, int mode, long uid, long gid, long mtime, byte[] bytes, Consumer<TarArchiveEntry> adjust) {
            TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode, uid, gid, mtime);
            e.setSize(bytes.length);
            adjust.accept(e);
            put(e, bytes);
            return e;
        }

        TarArchiveEntry dir(String name, int mode, long uid, long gid, long mtime) {
            TarArchiveEntry e = entry(name, TarConstants.LF_DIR, mode, uid, gid, mtime);
            put(e, new byte[0]);
            return e;
        }

        TarArchiveEntry symlink(String name, String target, long mtime) {
            TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777, 0, 0, mtime);
            e.setLinkName(target);
            put(e, new byte[0]);
            return e;
        }

        TarArchiveEntry hardlink(String name, String target, int mode, long mtime) {
            TarArchiveEntry e = entry(name, TarConstants.LF_LINK, mode, 0, 0, mtime);
            e.setLinkName(target);
            put(e, new byte[0]);
            return e;
        }

        TarArchiveEntry device(String name, byte type, int major, int minor) {
            TarArchiveEntry e = entry(name, type, 0620, 0, 5, 1_700_000_000L);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            put(e, new byte[0]);
            return e;
        }

        /** A global PAX header ('g'); the writer encodes and closes it itself. */
        void globalPax(String key, String value) {
            TarArchiveEntry e = new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, true);
            e.addPaxHeader(key, value);
            try {
                out.putArchiveEntry(e);
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }

        /** Any entry as given, with these bytes as its data. */
        void raw(TarArchiveEntry e, byte[] bytes) {
            e.setSize(bytes.length);
            put(e, bytes);
        }

        byte[] bytes() {
            try {
                out.finish();
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }

        private static TarArchiveEntry entry(String name, byte type, int mode, long uid, long gid, long mtime) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode);
            e.setUserId(uid);
            e.setGroupId(gid);
            e.setUserName(uid == 0 ? "root" : "user" + uid);
            e.setGroupName(gid == 0 ? "root" : "group" + gid);
            e.setLastModifiedTime(FileTime.from(mtime, TimeUnit.SECONDS));
            return e;
        }

        private void put(TarArchiveEntry e, byte[] bytes) {
            try {
                out.putArchiveEntry(e);
                out.write(bytes);
                out.closeArchiveEntry();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }
    }

    static byte[] tar(Consumer<Tar> entries) {
        Tar tar = new Tar();
        entries.accept(tar);
        return tar.bytes();
    }

    /** A control.tar holding {@code ./} and a control file with {@code text}. */
    static byte[] controlTar(String text) {
        return tar(t -> {
            t.dir("./", 0755, 0, 0, 1_717_000_000L);
            t.file("./control", 0644, 0, 0, 1_717_000_000L, text.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** {@code ext} is "", ".gz", ".xz" or ".zst". */
    static byte[] compress(String ext, byte[] bytes) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            OutputStream out = switch (ext) {
                case "" -> buffer;
                case ".gz" -> new GzipCompressorOutputStream(buffer);
                case ".xz" -> new XZCompressorOutputStream(buffer);
                case ".zst" -> new ZstdCompressorOutputStream(buffer);
                default -> throw new IllegalArgumentException(ext);
            };
            out.write(bytes);
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    static byte[] ar(List<Member> members) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ArArchiveOutputStream out = new ArArchiveOutputStream(buffer)) {
            for (Member m : members) {
                out.putArchiveEntry(new ArArchiveEntry(m.name(), m.bytes().length, 0, 0, 0100644, 1_717_000_000L));
                out.write(m.bytes());
                out.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** A well-formed .deb: debian-binary, control.tar{ext}, data.tar{ext}. */
    static byte[] deb(String ext, byte[] controlTar, byte[] dataTar) {
        return ar(List.of(
                new Member("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)),
                new Member("control.tar" + ext, compress(ext, controlTar)),
                new Member("data.tar" + ext, compress(ext, dataTar))));
    }

    /** A .deb with the fixture control file around {@code dataTar}, xz-compressed like most of Debian. */
    static byte[] deb(byte[] dataTar) {
        return deb(".xz", controlTar(CONTROL_TEXT), dataTar);
    }

    static List<Member> members(Member... members) {
        return new ArrayList<>(List.of(members));
    }
}
