package dev.kiln.assembler.deb;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.ContentSink;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The Debian changelog a .deb ships, {@code /usr/share/doc/NAME/changelog.Debian.gz}, read with
 * {@link DebReader} (the package is untrusted input like any other). Packages built from one
 * source often ship it once: the doc directory of {@code libfoo1} is then a symlink to
 * {@code libfoo-common}'s (or the file one to another package's), which this says instead of text.
 */
public sealed interface DebChangelog {
    /** How much a changelog may expand to: glibc's, among the longest, is about 1 MiB. */
    long MAX_TEXT_BYTES = 64L << 20;

    /** The changelog's text (UTF-8; bytes that are not are replaced), read from {@code path}. */
    record Text(String packageName, String path, String text) implements DebChangelog {
    }

    /** The changelog is in another package's doc directory, {@code /usr/share/doc/PACKAGE}. */
    record Elsewhere(String packageName, String otherPackage) implements DebChangelog {
    }

    /** The package ships no changelog where Debian puts it. */
    record Missing(String packageName) implements DebChangelog {
    }

    /**
     * Reads a whole .deb from {@code in} (the caller closes it). Only gzip files are kept in memory
     * while it is read: everything else is hashed and dropped, so a large package costs no heap.
     *
     * @param name names the package in messages
     * @throws AssembleException when the .deb is malformed or the changelog is not gzip or too large
     */
    static DebChangelog read(InputStream in, String name) {
        DebPackage deb = new DebReader(UnpackLimits.DEFAULT, DebChangelog::keepGzipOnly).read(in, name);
        String pkg = deb.packageName();
        FileTree data = deb.data();
        String docs = "/usr/share/doc";
        String dir = docs + "/" + pkg;
        Optional<Entry> dirEntry = data.get(dir);
        if (dirEntry.isPresent() && dirEntry.get().type() == Entry.Type.SYMLINK) {
            return docDirectory(resolve(docs, dirEntry.get().linkTarget()))
                    .<DebChangelog>map(other -> new Elsewhere(pkg, other)).orElse(new Missing(pkg));
        }
        String path = dir + "/changelog.Debian.gz";
        for (int hops = 0; hops < 8; hops++) {
            Optional<Entry> e = data.get(path);
            if (e.isEmpty()) {
                Optional<String> other = docDirectory(parentOf(path));
                return other.isPresent() && !other.get().equals(pkg) ? new Elsewhere(pkg, other.get()) : new Missing(pkg);
            }
            switch (e.get().type()) {
                case FILE:
                    return new Text(pkg, path, gunzip(e.get().content(), name, path));
                case SYMLINK:
                    path = resolve(parentOf(path), e.get().linkTarget());
                    break;
                case HARDLINK:
                    path = e.get().linkTarget();
                    break;
                default:
                    return new Missing(pkg);
            }
        }
        return new Missing(pkg); // a loop of links
    }

    /** {@code X} when {@code path} is {@code /usr/share/doc/X}. */
    private static Optional<String> docDirectory(String path) {
        String prefix = "/usr/share/doc/";
        if (path.startsWith(prefix) && path.length() > prefix.length() && path.indexOf('/', prefix.length()) < 0) {
            return Optional.of(path.substring(prefix.length()));
        }
        return Optional.empty();
    }

    /** A link's target as a tree path: relative to {@code dir}, {@code ..} taken up (never above the root). */
    private static String resolve(String dir, String target) {
        Deque<String> parts = new ArrayDeque<>();
        if (!target.startsWith("/")) {
            for (String p : dir.split("/")) {
                if (!p.isEmpty()) {
                    parts.addLast(p);
                }
            }
        }
        for (String p : target.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String gunzip(Content gz, String name, String path) {
        try (InputStream in = GzipCompressorInputStream.builder().setInputStream(gz.open())
                .setDecompressConcatenated(true).get()) {
            byte[] text = in.readNBytes((int) MAX_TEXT_BYTES + 1);
            if (text.length > MAX_TEXT_BYTES) {
                throw new AssembleException(AssembleException.Kind.UNPACK_LIMIT, name + ": " + path + " expands past "
                        + MAX_TEXT_BYTES + " bytes: refusing a possible decompression bomb");
            }
            return new String(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssembleException(AssembleException.Kind.MALFORMED_PACKAGE, name + ": " + path
                    + ": expected a gzip file, found one that cannot be read: " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /** The sink: gzip files (by their magic bytes) kept in memory, everything else hashed and dropped. */
    private static Content keepGzipOnly(InputStream in) throws IOException {
        byte[] head = in.readNBytes(2);
        InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head), in);
        if (head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Content.read(whole);
        }
        MessageDigest sha256 = Digest.newSha256();
        long size;
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
            size = whole.transferTo(out);
        }
        return new DroppedContent(size, Digest.fromRaw(sha256.digest()));
    }

    private static String parentOf(String path) {
        String p = dev.kiln.assembler.tree.TreePath.parent(path);
        return p == null ? "/" : p;
    }
}
