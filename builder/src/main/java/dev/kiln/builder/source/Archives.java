package dev.kiln.builder.source;

import dev.kiln.builder.RecipeException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks a fetched archive into the workspace as untrusted input: tar (plain, gzip, xz, bzip2)
 * or zip, told apart by their first bytes. {@code strip-components} drops leading path
 * components (an entry with no more is skipped). Refused, naming the entry: an absolute path, a
 * {@code ..} component, a symlink that is absolute or leads outside the archive's root, a hard link
 * to anything not unpacked before it, devices and fifos. Files are 0755 when the archive gives any
 * executable bit, else 0644; directories 0755; each keeps the archive's modification time (build
 * systems compare them: configure against configure.ac).
 */
final class Archives {
    private Archives() {
    }

    /** Unpacks {@code in} into {@code dir} (an existing directory). */
    static void unpack(InputStream raw, Path into, int strip, String where) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(512);
        byte[] head = in.readNBytes(6);
        in.reset();
        try (ArchiveInputStream<? extends ArchiveEntry> archive = open(in, head)) {
            Path real = into.toRealPath();
            Path dir = real;
            List<Path> directories = new ArrayList<>();
            List<FileTime> directoryTimes = new ArrayList<>();
            for (ArchiveEntry e = archive.getNextEntry(); e != null; e = archive.getNextEntry()) {
                String name = e.getName();
                String rel = relative(name, strip, where);
                if (rel == null) {
                    continue;
                }
                Path target = dir.resolve(rel);
                Files.createDirectories(target.getParent());
                if (!target.getParent().toRealPath().equals(real.resolve(rel).getParent())) {
                    throw refused(where, name, "a path through a symlink");
                }
                FileTime time = FileTime.from(e.getLastModifiedDate().toInstant());
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(target);
                    }
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    directories.add(target);
                    directoryTimes.add(time);
                    continue;
                }
                Files.deleteIfExists(target);
                if (e instanceof TarArchiveEntry t && t.isSymbolicLink()) {
                    checkLink(rel, t.getLinkName(), where);
                    Files.createSymbolicLink(target, Path.of(t.getLinkName()));
                } else if (e instanceof TarArchiveEntry t && t.isLink()) {
                    String linked = relative(t.getLinkName(), strip, where);
                    Path source = linked == null ? null : dir.resolve(linked);
                    if (source == null || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                        throw refused(where, name, "a hard link to '" + t.getLinkName() + "', which is not a file unpacked before it");
                    }
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                } else if (e instanceof TarArchiveEntry t && !t.isFile()) {
                    throw refused(where, name, "a device, fifo or other special file");
                } else if (e instanceof ZipArchiveEntry z && z.isUnixSymlink()) {
                    String linkTarget = new String(archive.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    checkLink(rel, linkTarget, where);
                    Files.createSymbolicLink(target, Path.of(linkTarget));
                } else {
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        archive.transferTo(out);
                    } catch (FileAlreadyExistsException x) {
                        throw refused(where, name, "listed twice");
                    }
                    boolean executable = (mode(e) & 0111) != 0;
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    Files.setLastModifiedTime(target, time);
                }
            }
            // directories last: unpacking into one changes its time
            for (int i = directories.size() - 1; i >= 0; i--) {
                Files.setLastModifiedTime(directories.get(i), directoryTimes.get(i));
            }
        }
    }

    private static int mode(ArchiveEntry e) {
        if (e instanceof TarArchiveEntry t) {
            return t.getMode();
        }
        if (e instanceof ZipArchiveEntry z) {
            return z.getUnixMode();
        }
        return 0644;
    }

    @SuppressWarnings("unchecked")
    private static ArchiveInputStream<? extends ArchiveEntry> open(InputStream in, byte[] head) throws IOException {
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return new TarArchiveInputStream(new GzipCompressorInputStream(in, true));
        }
        if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z') {
            return new TarArchiveInputStream(new XZCompressorInputStream(in, true));
        }
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return new TarArchiveInputStream(new BZip2CompressorInputStream(in, true));
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return new ZipArchiveInputStream(in);
        }
        return new TarArchiveInputStream(in);
    }

    /** The entry's path below the root after stripping, or null when nothing is left; refused when hostile. */
    private static String relative(String name, int strip, String where) {
        if (name.startsWith("/")) {
            throw refused(where, name, "an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.equals("..")) {
                throw refused(where, name, "a path with '..'");
            }
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        if (parts.size() <= strip) {
            return null;
        }
        return String.join("/", parts.subList(strip, parts.size()));
    }

    /** A symlink at {@code path} (relative to a tree's root) to {@code target} must stay inside the tree. */
    static void checkLink(String path, String target, String where) {
        if (target.isEmpty() || target.startsWith("/")) {
            throw refused(where, path, "a symlink to '" + target + "', an absolute path");
        }
        int depth = path.split("/").length - 1;
        for (String p : target.split("/")) {
            if (p.equals("..")) {
                depth--;
            } else if (!p.isEmpty() && !p.equals(".")) {
                depth++;
            }
            if (depth < 0) {
                throw refused(where, path, "a symlink to '" + target + "', which leads outside the source");
            }
        }
    }

    static RecipeException refused(String where, String entry, String what) {
        return new RecipeException(RecipeException.Kind.SOURCE, where + ": refused entry '" + entry + "': " + what
                + "\n  fix: check where the source comes from; kiln unpacks only paths that stay inside the workspace");
    }
}
