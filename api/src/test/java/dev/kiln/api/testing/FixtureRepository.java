package dev.kiln.api.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A Debian repository made at test time for whole builds: .deb packages written here (ar, control
 * and data tars), their Packages index, a Release listing it and an InRelease clearsigned by a key
 * made at test time, served from a local mirror under {@code /debian}. A spec names it with
 * {@link #sourceLine}.
 */
public final class FixtureRepository implements AutoCloseable {
    public static final String SUITE = "stable";
    private static final String RELEASE_DATE = "Mon, 20 Oct 2025 10:00:00 UTC";

    /** A file a package ships: a regular file, or a symlink when {@code link} is set. */
    public record PackageFile(String path, int mode, long mtime, byte[] content, String link) {
        public static PackageFile file(String path, int mode, long mtime, String content) {
            return new PackageFile(path, mode, mtime, content.getBytes(UTF_8), null);
        }

        public static PackageFile symlink(String path, String target, long mtime) {
            return new PackageFile(path, 0777, mtime, new byte[0], target);
        }
    }

    /** A published package: its pool path and its file's size and sha256, as a lock pins it. */
    public record Published(String name, String version, String path, long size, Digest sha256) {
    }

    private final TestMirror mirror = TestMirror.start();
    private final TestKey key = TestKey.generate("kiln fixture <fixture@example.invalid>");
    private final Map<String, Published> published = new LinkedHashMap<>();
    private final Map<Published, byte[]> debs = new LinkedHashMap<>();
    /** The index's stanzas by "name version", in the order added. */
    private final Map<String, String> stanzas = new LinkedHashMap<>();
    /** Every file served, by its path under {@code /debian/}: what {@link #writeTo} puts on disk. */
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    private void serve(String path, byte[] bytes) {
        files.put(path, bytes.clone());
        mirror.serve("/debian/" + path, bytes);
    }

    /**
     * Writes the repository as served (pool, dists) under {@code dir}, for a spec that names it as
     * a {@code file:} repository; returns {@code dir}.
     */
    public Path writeTo(Path dir) {
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                java.nio.file.Files.createDirectories(p.getParent());
                java.nio.file.Files.write(p, f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The spec's repository line for {@code uri} (e.g. {@code file:../repo}), trusting the fixture key (written to {@code keyFile}). */
    public String sourceLine(Path keyFile, String uri) {
        key.writePublicKey(keyFile);
        return "deb [signed-by=" + keyFile.toAbsolutePath() + "] " + uri + " " + SUITE + " main";
    }

    /** Builds a .deb and lists it in the index ({@link #publish} serves the index). */
    public Published add(String name, String version, String depends, List<PackageFile> files) {
        return add(name, version, depends, "", files);
    }

    /**
     * As {@link #add(String, String, String, List)}, with more control fields after Depends, each
     * on its own line ending in a newline: {@code "Provides: mail-transport-agent\nPre-Depends: x\n"}.
     */
    public Published add(String name, String version, String depends, String moreFields, List<PackageFile> files) {
        String control = "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Kiln Fixtures <fixtures@example.invalid>\nInstalled-Size: 1\n"
                + (depends.isEmpty() ? "" : "Depends: " + depends + "\n") + moreFields
                + "Section: misc\nPriority: optional\nDescription: " + name + " for tamper tests\n a fixture package\n";
        byte[] deb = deb(control, files);
        String path = "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + version + "_amd64.deb";
        serve(path, deb);
        Published p = new Published(name, version, path, deb.length, Digest.of(deb));
        published.put(name + " " + version, p);
        debs.put(p, deb);
        stanzas.put(name + " " + version, control.substring(0, control.indexOf("Description:"))
                + "Filename: " + path + "\nSize: " + deb.length + "\nSHA256: " + p.sha256().hex() + '\n'
                + control.substring(control.indexOf("Description:")) + '\n');
        return p;
    }

    public Published published(String name, String version) {
        return published.get(name + " " + version);
    }

    /** The .deb's bytes, as the mirror serves them. */
    public byte[] bytes(Published p) {
        return debs.get(p).clone();
    }

    /**
     * Drops {@code p} from the index (its file stays in the pool), as Debian drops a superseded
     * version; {@link #publish} serves the index without it.
     */
    public void withdraw(Published p) {
        stanzas.remove(p.name() + " " + p.version());
    }

    /** Serves the Packages index (plain, gz, xz), the Release and the signed InRelease. */
    public void publish() {
        publish(RELEASE_DATE);
    }

    /** As {@link #publish()}, with a Release dated {@code date} (RFC 2822, as Debian writes it). */
    public void publish(String date) {
        byte[] plain = String.join("", stanzas.values()).getBytes(UTF_8);
        Map<String, byte[]> indexes = new LinkedHashMap<>();
        indexes.put("Packages", plain);
        indexes.put("Packages.gz", compress(plain, true));
        indexes.put("Packages.xz", compress(plain, false));
        String dir = "main/binary-amd64/";
        StringBuilder release = new StringBuilder("Origin: Fixture\nLabel: Fixture\nSuite: " + SUITE + "\nCodename: " + SUITE
                + "\nDate: " + date + "\nArchitectures: amd64\nComponents: main\nSHA256:\n");
        indexes.forEach((name, bytes) -> {
            release.append(' ').append(Digest.of(bytes).hex()).append(' ').append(bytes.length).append(' ')
                    .append(dir).append(name).append('\n');
            serve("dists/" + SUITE + "/" + dir + name, bytes);
        });
        byte[] text = release.toString().getBytes(UTF_8);
        serve("dists/" + SUITE + "/Release", text);
        serve("dists/" + SUITE + "/Release.gpg", key.detachSign(text));
        serve("dists/" + SUITE + "/InRelease", key.clearsign(text));
    }

    /** The spec's repository line, trusting the fixture key (written to {@code keyFile}). */
    public String sourceLine(Path keyFile) {
        key.writePublicKey(keyFile);
        return "deb [signed-by=" + keyFile.toAbsolutePath() + "] " + mirror.uri("/debian") + " " + SUITE + " main";
    }

    /** How many requests the mirror has had (for tests that must show nothing was fetched). */
    public int requestCount() {
        return mirror.requestCount();
    }

    @Override
    public void close() {
        mirror.close();
    }

    /** A .deb; files under {@code DEBIAN/} go into control.tar, as dpkg-deb builds it ({@code DEBIAN/postinst}). */
    static byte[] deb(String control, List<PackageFile> files) {
        List<PackageFile> controlFiles = new ArrayList<>(List.of(PackageFile.file("control", 0644, 1_700_000_000L, control)));
        files.stream().filter(f -> f.path().startsWith("DEBIAN/"))
                .forEach(f -> controlFiles.add(new PackageFile(f.path().substring("DEBIAN/".length()), f.mode(), f.mtime(), f.content(), f.link())));
        byte[] controlTar = tar(controlFiles);
        byte[] dataTar = tar(files.stream().filter(f -> !f.path().startsWith("DEBIAN/")).toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(out)) {
            member(ar, "debian-binary", "2.0\n".getBytes(UTF_8));
            member(ar, "control.tar.gz", controlTar);
            member(ar, "data.tar.gz", dataTar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] bytes) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, bytes.length, 0, 0, 0100644, 1_700_000_000L));
        ar.write(bytes);
        ar.closeArchiveEntry();
    }

    /** A gzipped tar as dpkg-deb writes it: {@code ./} names, every parent directory first. */
    private static byte[] tar(List<PackageFile> files) {
        TreeSet<String> dirs = new TreeSet<>();
        for (PackageFile f : files) {
            for (int i = f.path().indexOf('/', 1); i > 0; i = f.path().indexOf('/', i + 1)) {
                dirs.add(f.path().substring(0, i));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(out); TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            List<TarArchiveEntry> entries = new ArrayList<>();
            entries.add(entry("./", TarConstants.LF_DIR, 0755, 1_699_000_000L));
            for (String d : dirs) {
                entries.add(entry("./" + d.substring(1) + "/", TarConstants.LF_DIR, 0755, 1_699_000_000L));
            }
            for (TarArchiveEntry e : entries) {
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            for (PackageFile f : files) {
                String name = f.path().startsWith("/") ? "./" + f.path().substring(1) : "./" + f.path();
                TarArchiveEntry e = entry(name, f.link() == null ? TarConstants.LF_NORMAL : TarConstants.LF_SYMLINK, f.mode(), f.mtime());
                if (f.link() != null) {
                    e.setLinkName(f.link());
                } else {
                    e.setSize(f.content().length);
                }
                tar.putArchiveEntry(e);
                tar.write(f.content());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static TarArchiveEntry entry(String name, byte type, int mode, long mtime) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(mode);
        e.setUserName("root");
        e.setGroupName("root");
        e.setModTime(mtime * 1000);
        return e;
    }

    static byte[] compress(byte[] data, boolean gzip) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = gzip ? new GzipCompressorOutputStream(out) : new XZOutputStream(out, new LZMA2Options())) {
            c.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
