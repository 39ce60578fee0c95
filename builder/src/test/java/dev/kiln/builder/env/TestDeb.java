package dev.kiln.builder.env;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** A .deb made in a test: files (with modes and real mtimes), links, and maintainer scripts. */
final class TestDeb {
    private final String name;
    private final String version;
    private final Map<String, Object[]> data = new LinkedHashMap<>();
    private final Map<String, String> scripts = new LinkedHashMap<>();

    TestDeb(String name, String version) {
        this.name = name;
        this.version = version;
    }

    /** A file at {@code path} (relative, {@code usr/bin/x}); directories above it are added. */
    TestDeb file(String path, int mode, byte[] bytes) {
        parents(path);
        data.put(path, new Object[] {mode, bytes, null});
        return this;
    }

    TestDeb hostFile(String path, int mode, Path host) throws IOException {
        return file(path, mode, Files.readAllBytes(host));
    }

    TestDeb symlink(String path, String target) {
        parents(path);
        data.put(path, new Object[] {0777, null, target});
        return this;
    }

    TestDeb script(String name, String text) {
        scripts.put(name, text);
        return this;
    }

    private void parents(String path) {
        int slash = path.indexOf('/');
        while (slash > 0) {
            data.putIfAbsent(path.substring(0, slash) + "/", new Object[] {0755, null, null});
            slash = path.indexOf('/', slash + 1);
        }
    }

    byte[] bytes() throws IOException {
        String control = "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Kiln Tests <tests@example.invalid>\nDescription: a test package\n";
        ByteArrayOutputStream controlTar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GzipCompressorOutputStream(controlTar))) {
            entry(t, "./control", 0644, control.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> s : scripts.entrySet()) {
                entry(t, "./" + s.getKey(), 0755, s.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        ByteArrayOutputStream dataTar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GzipCompressorOutputStream(dataTar))) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            TarArchiveEntry root = new TarArchiveEntry("./");
            root.setMode(040755);
            t.putArchiveEntry(root);
            t.closeArchiveEntry();
            for (Map.Entry<String, Object[]> e : data.entrySet()) {
                int mode = (Integer) e.getValue()[0];
                if (e.getKey().endsWith("/")) {
                    TarArchiveEntry d = new TarArchiveEntry("./" + e.getKey());
                    d.setMode(040000 | mode);
                    t.putArchiveEntry(d);
                    t.closeArchiveEntry();
                } else if (e.getValue()[2] != null) {
                    TarArchiveEntry l = new TarArchiveEntry("./" + e.getKey(), TarArchiveEntry.LF_SYMLINK);
                    l.setLinkName((String) e.getValue()[2]);
                    t.putArchiveEntry(l);
                    t.closeArchiveEntry();
                } else {
                    entry(t, "./" + e.getKey(), mode, (byte[]) e.getValue()[1]);
                }
            }
        }
        ByteArrayOutputStream deb = new ByteArrayOutputStream();
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(deb)) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.gz", controlTar.toByteArray());
            member(ar, "data.tar.gz", dataTar.toByteArray());
        }
        return deb.toByteArray();
    }

    private static void entry(TarArchiveOutputStream t, String name, int mode, byte[] bytes) throws IOException {
        TarArchiveEntry f = new TarArchiveEntry(name);
        f.setMode(0100000 | mode);
        f.setSize(bytes.length);
        f.setModTime((1_690_000_000L + bytes.length % 100_000) * 1000); // real-looking, differing mtimes
        t.putArchiveEntry(f);
        t.write(bytes);
        t.closeArchiveEntry();
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] bytes) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, bytes.length, 0, 0, 0100644, 1_690_000_000L));
        ar.write(bytes);
        ar.closeArchiveEntry();
    }
}
