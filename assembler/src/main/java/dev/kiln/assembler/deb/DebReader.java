package dev.kiln.assembler.deb;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.ContentSink;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.MemoryLimitException;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Reads .deb files into {@link DebPackage}s, treating every byte as hostile: a package is untrusted
 * input even after its hash matched. Files' bytes go to a {@link ContentSink} (memory by default, or
 * a store blob); nothing is ever written at a path taken from a package.
 *
 * <p>What is refused, each with an {@link AssembleException} naming the package, the member, the
 * entry and what was expected: a {@code debian-binary} other than {@code 2.0\n}; members out of
 * dpkg's order; compressions other than none, gzip, xz and zstd; names with {@code ..}
 * components, control characters or invalid UTF-8; the same path twice; a path under a
 * non-directory; hardlinks to anything but an earlier regular file of the same package; sparse
 * files and tar types dpkg does not know; directories and links that carry data; anything past
 * the {@link UnpackLimits}. Absolute names are taken relative to the image root, like dpkg does.
 * Device nodes and FIFOs are skipped and listed in {@link DebPackage#skipped()}: an image gets
 * its /dev from the runtime, never from a package.
 *
 * <p>Names are read as raw bytes (ISO-8859-1 in commons-compress) and then decoded strictly as
 * UTF-8, because commons-compress would turn bad UTF-8 into '?' without a word. PAX names come
 * already decoded; one whose characters all lie in U+0080..U+00FF cannot be told from raw bytes
 * and is refused as invalid UTF-8. dpkg-deb writes GNU tar, which has no PAX names.
 */
public final class DebReader {
    /** The only {@code debian-binary} content kiln accepts: format 2.0. */
    public static final String DEBIAN_BINARY = "2.0\n";
    static final String CONTROL = "control";
    /** xz's decoder memory ceiling: dpkg compresses with xz -6 (9 MiB); xz -9e needs 65 MiB. */
    static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private static final String SCHILY_XATTR = "SCHILY.xattr.";
    private static final String LIBARCHIVE_XATTR = "LIBARCHIVE.xattr.";
    /** The code of a .deb that is not a well-formed package (this class has a {@code Kind} of entries of its own). */
    private static final AssembleException.Kind MALFORMED = AssembleException.Kind.MALFORMED_PACKAGE;

    private final UnpackLimits limits;
    private final ContentSink sink;

    public DebReader(UnpackLimits limits) {
        this(limits, ContentSink.MEMORY);
    }

    /**
     * A reader that hands the data files' bytes to {@code sink} (control.tar's members, which are
     * small and parsed right away, always stay in memory).
     */
    public DebReader(UnpackLimits limits, ContentSink sink) {
        this.limits = limits;
        this.sink = sink;
    }

    public DebPackage read(Path file, String name) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, name);
        } catch (IOException e) {
            throw new AssembleException(name + ": cannot read " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /** Reads a whole .deb from {@code in}; the caller closes {@code in}. */
    public DebPackage read(InputStream in, String name) {
        return new Session(name).read(in);
    }

    /**
     * The {@code ./control} file of a .deb, checked as {@link #read} checks it (a deb822 paragraph
     * with Package and Version), without decompressing data.tar: reading stops after control.tar,
     * so a package whose data is damaged is not noticed here (its sha256 is what vouches for it).
     */
    public byte[] readControlFile(Path file, String name) {
        return readControl(file, name).members().get(CONTROL).readAllBytes();
    }

    /**
     * The control part of a .deb: its control fields and every member of its control.tar, read and
     * checked as {@link #read} reads them (within the limits), without decompressing data.tar.
     */
    public Control readControl(Path file, String name) {
        try (InputStream in = Files.newInputStream(file)) {
            var part = new Session(name).readControl(in);
            return new Control(part.fields(), part.members);
        } catch (IOException e) {
            throw new AssembleException(name + ": cannot read " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /**
     * What {@link #readControl} found.
     *
     * @param fields the control file's fields, in order
     * @param members the files of control.tar by name ({@code control}, {@code md5sums}, ...)
     */
    public record Control(Map<String, String> fields, SortedMap<String, Content> members) {
        public Control {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            TreeMap<String, Content> m = new TreeMap<>(TreePath.ORDER);
            m.putAll(members);
            members = Collections.unmodifiableSortedMap(m);
        }
    }

    private enum Compression { NONE, GZIP, XZ, ZSTD }

    /** A step of reading an archive, which may fail as archive libraries do. */
    private interface ArchiveStep<T> {
        T run() throws IOException;
    }

    private enum Kind { FILE, DIR, SYMLINK, HARDLINK, SKIP }

    /** The state of reading one package: the shared budget and what has been seen. */
    private final class Session {
        private final String pkg;
        private long bytesUsed;
        private int entries;

        Session(String pkg) {
            this.pkg = pkg;
        }

        DebPackage read(InputStream in) {
            ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(in, 1 << 16));
            return guarded(() -> {
                ControlPart control = controlPart(ar);
                DataPart data = null;
                for (ArArchiveEntry m; (m = ar.getNextEntry()) != null; ) {
                    String member = memberName(m);
                    if (member.startsWith("_")) {
                        continue; // dpkg's reserved extension members; dpkg ignores them too
                    }
                    if (data == null && member.startsWith("data.tar")) {
                        data = readMember(ar, m, member, "data.tar", new DataPart(member));
                    } else {
                        throw fail("unexpected member '" + TreePath.printable(member) + "': expected "
                                + (data == null ? "data.tar.*" : "no more members"));
                    }
                }
                if (data == null) {
                    throw fail("truncated: the archive ends before its data.tar member");
                }
                return new DebPackage(pkg, control.fields(), control.members, data.builder.build(), data.skipped);
            });
        }

        /** The control part alone: the members up to control.tar, read and checked as {@link #read} does. */
        ControlPart readControl(InputStream in) {
            ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(in, 1 << 16));
            return guarded(() -> {
                ControlPart control = controlPart(ar);
                control.fields();
                return control;
            });
        }

        private ControlPart controlPart(ArArchiveInputStream ar) throws IOException {
            checkDebianBinary(ar);
            for (ArArchiveEntry m; (m = ar.getNextEntry()) != null; ) {
                String member = memberName(m);
                if (member.startsWith("_")) {
                    continue; // dpkg's reserved extension members; dpkg ignores them too
                }
                if (member.startsWith("control.tar")) {
                    return readMember(ar, m, member, "control.tar", new ControlPart(member));
                }
                throw fail("unexpected member '" + TreePath.printable(member) + "': expected control.tar.*");
            }
            throw fail("truncated: the archive ends before its control.tar member");
        }

        /** Runs {@code step}, turning what a malformed archive throws into kiln's refusal. */
        private <T> T guarded(ArchiveStep<T> step) {
            try {
                return step.run();
            } catch (IOException e) {
                throw new AssembleException(MALFORMED,
                        pkg + ": not a readable .deb (ar archive): " + dev.kiln.store.IoErrors.why(e), e);
            } catch (dev.kiln.store.KilnException e) {
                throw e; // kiln's own refusals, and the store's (a full disk): not the package's fault
            } catch (RuntimeException e) {
                throw new AssembleException(MALFORMED, pkg + ": not a readable .deb (ar archive): " + e, e);
            }
        }

        /** The first member, which must be {@code debian-binary} saying format 2.0. */
        private void checkDebianBinary(ArArchiveInputStream ar) throws IOException {
            ArArchiveEntry first = ar.getNextEntry();
            if (first == null) {
                throw fail("an empty archive: expected the members debian-binary, control.tar and data.tar");
            }
            String firstName = memberName(first);
            if (!firstName.equals("debian-binary")) {
                throw fail("expected debian-binary as the first member, found '" + TreePath.printable(firstName) + "'");
            }
            checkDebianBinary(ar, first);
        }

        private void checkDebianBinary(ArArchiveInputStream ar, ArArchiveEntry m) throws IOException {
            if (m.getLength() > 64) {
                throw fail("debian-binary: expected '2.0\\n', found " + m.getLength() + " bytes");
            }
            byte[] bytes = ar.readNBytes((int) m.getLength());
            if (bytes.length != m.getLength()) {
                throw fail("debian-binary: truncated: expected " + m.getLength() + " bytes, found " + bytes.length);
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (!text.equals(DEBIAN_BINARY)) {
                throw fail("debian-binary: expected '2.0\\n' (format 2.0), found '" + TreePath.printable(text) + "'");
            }
        }

        /** Decompresses one tar member, hands each entry to {@code part}, then checks the member was whole. */
        private <P extends TarPart> P readMember(ArArchiveInputStream ar, ArArchiveEntry m, String member, String base, P part) {
            Compression compression = compression(member, base);
            MeteredInputStream raw = new MeteredInputStream(ar, Long.MAX_VALUE);
            long budget = limits.maxTotalBytes() - bytesUsed;
            // closing the decompressor frees zstd's native memory; it leaves the ar stream open
            try (InputStream decompressed = decompressor(raw, compression, member)) {
                MeteredInputStream tarBytes = new MeteredInputStream(decompressed, budget);
                TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.ISO_8859_1.name());
                for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
                    if (++entries > limits.maxEntries()) {
                        throw new LimitRefusal(pkg + ": " + member + ": more than " + limits.maxEntries()
                                + " entries (UnpackLimits.maxEntries): refusing a possible decompression bomb");
                    }
                    try {
                        part.accept(tar, t, budget - tarBytes.count());
                    } catch (AssembleException refusal) {
                        throw corruptionBehind(refusal, tarBytes, compression, member);
                    }
                }
                // Read to the end so the decompressor checks its trailer and checksum.
                tarBytes.transferTo(OutputStream.nullOutputStream());
                raw.transferTo(OutputStream.nullOutputStream());
                if (raw.count() != m.getLength()) {
                    throw fail(member, "truncated: the ar header declares " + m.getLength() + " bytes, found " + raw.count());
                }
                bytesUsed += tarBytes.count();
                return part;
            } catch (MeteredInputStream.LimitExceeded e) {
                throw bomb(member, e);
            } catch (MemoryLimitException e) {
                throw new AssembleException(AssembleException.Kind.UNPACK_LIMIT, pkg + ": " + member + ": xz would need "
                        + e.getMemoryNeededInKb() + " KiB to decompress, over kiln's ceiling of " + XZ_MEMORY_LIMIT_KIB + " KiB");
            } catch (IOException e) {
                MeteredInputStream.LimitExceeded limit = findCause(e, MeteredInputStream.LimitExceeded.class);
                if (limit != null) {
                    throw bomb(member, limit);
                }
                throw new AssembleException(MALFORMED, pkg + ": " + member + ": corrupt or truncated: " + e.getMessage(), e);
            } catch (dev.kiln.store.KilnException e) {
                throw e; // kiln's own refusals, and the store's (a full disk): not the package's fault
            } catch (RuntimeException e) {
                // archive libraries answer some malformed input with unchecked exceptions
                throw new AssembleException(MALFORMED, pkg + ": " + member + ": corrupt: " + e, e);
            }
        }

        /**
         * A compressor checks its checksum only at the end of a block, after the damaged bytes have
         * reached the tar reader; so before blaming an entry, read on, and if the stream turns out
         * corrupt, say that instead.
         */
        private AssembleException corruptionBehind(AssembleException refusal, InputStream tarBytes, Compression compression,
                String member) {
            if (compression == Compression.NONE || refusal instanceof LimitRefusal) {
                return refusal; // nothing to check, or too much to read
            }
            try {
                tarBytes.transferTo(OutputStream.nullOutputStream());
                return refusal;
            } catch (MeteredInputStream.LimitExceeded e) {
                return refusal;
            } catch (IOException | RuntimeException e) {
                AssembleException corrupt = new AssembleException(MALFORMED,
                        pkg + ": " + member + ": corrupt or truncated: " + e.getMessage()
                        + " (first seen as: " + refusal.getMessage() + ")", e);
                return corrupt;
            }
        }

        private AssembleException bomb(String member, MeteredInputStream.LimitExceeded e) {
            return new AssembleException(AssembleException.Kind.UNPACK_LIMIT,
                    pkg + ": " + member + ": expands past the limit of " + limits.maxTotalBytes()
                    + " bytes for the whole package (UnpackLimits.maxTotalBytes): refusing a possible decompression bomb", e);
        }

        private Compression compression(String member, String base) {
            switch (member.substring(base.length())) {
                case "":
                    return Compression.NONE;
                case ".gz":
                    return Compression.GZIP;
                case ".xz":
                    return Compression.XZ;
                case ".zst":
                    return Compression.ZSTD;
                default:
                    throw fail("member '" + TreePath.printable(member) + "': unsupported compression: expected "
                            + base + ", " + base + ".gz, " + base + ".xz or " + base + ".zst");
            }
        }

        private InputStream decompressor(InputStream raw, Compression compression, String member) throws IOException {
            switch (compression) {
                case NONE:
                    return raw;
                case GZIP:
                    return GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
                case XZ:
                    return XZCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true)
                            .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB).get();
                case ZSTD:
                    try {
                        return new ZstdCompressorInputStream(raw);
                    } catch (LinkageError e) {
                        throw fail(member, "the zstd native library (zstd-jni) cannot be loaded on this platform: " + e);
                    }
                default:
                    throw new IllegalStateException(compression.name());
            }
        }

        /** What a tar entry is, by its type flag alone (commons-compress guesses from names). */
        private Kind kind(TarArchiveEntry t, String member, String rawName) {
            byte flag = t.getLinkFlag();
            switch (flag) {
                case TarConstants.LF_OLDNORM:
                case TarConstants.LF_NORMAL:
                case TarConstants.LF_CONTIG:
                    // old tars mark directories by a trailing slash only; dpkg reads them so too
                    return rawName.endsWith("/") ? Kind.DIR : Kind.FILE;
                case TarConstants.LF_DIR:
                    return Kind.DIR;
                case TarConstants.LF_SYMLINK:
                    return Kind.SYMLINK;
                case TarConstants.LF_LINK:
                    return Kind.HARDLINK;
                case TarConstants.LF_CHR:
                case TarConstants.LF_BLK:
                case TarConstants.LF_FIFO:
                    return Kind.SKIP;
                default:
                    throw fail(member, entryLabel(rawName) + ": unsupported tar entry type '"
                            + TreePath.printable(String.valueOf((char) (flag & 0xFF))) + "'");
            }
        }

        /** The fields common to every entry, checked; or a refusal naming the entry. */
        private Header header(TarArchiveEntry t, String member) {
            if (!t.isCheckSumOK()) {
                // commons-compress reads on; GNU tar and dpkg stop here
                throw fail(member, entryLabel(t.getName()) + ": corrupt: the tar header's checksum does not match");
            }
            String rawName = decodeName(t.getName(), member, t.getName());
            if (t.isSparse()) {
                throw fail(member, entryLabel(rawName) + ": a sparse file; dpkg does not unpack sparse files either");
            }
            Kind kind = kind(t, member, rawName);
            String path;
            try {
                path = TreePath.normalize(rawName);
            } catch (IllegalArgumentException e) {
                throw fail(member, entryLabel(rawName) + ": expected a path inside the package, found " + e.getMessage());
            }
            if (kind != Kind.DIR && rawName.endsWith("/")) {
                throw fail(member, entryLabel(rawName) + ": a trailing slash on a " + typeName(t));
            }
            if (path.equals(TreePath.ROOT) && kind != Kind.DIR) {
                throw fail(member, entryLabel(rawName) + ": expected the root to be a directory, found a " + typeName(t));
            }
            if (kind != Kind.FILE && t.getSize() != 0) {
                // readers disagree on whether such data is skipped: refuse rather than guess
                throw fail(member, entryLabel(rawName) + ": a " + typeName(t) + " that carries " + t.getSize()
                        + " bytes of data; expected none");
            }
            long uid = t.getLongUserId();
            long gid = t.getLongGroupId();
            if (uid < 0 || uid > Entry.MAX_ID || gid < 0 || gid > Entry.MAX_ID) {
                throw fail(member, entryLabel(rawName) + ": owner " + uid + ":" + gid + " outside 0.." + Entry.MAX_ID);
            }
            long mtime = t.getLastModifiedTime() == null ? 0 : t.getLastModifiedTime().toInstant().getEpochSecond();
            return new Header(rawName, path, kind, t.getMode() & Entry.MODE_BITS, uid, gid, mtime);
        }

        /** Names come as ISO-8859-1 (raw bytes); decode them strictly as UTF-8. See the class comment. */
        private String decodeName(String text, String member, String context) {
            boolean wide = false;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) > 0xFF) {
                    wide = true;
                    break;
                }
            }
            if (wide) {
                // a PAX name, already decoded as UTF-8 by commons-compress, with U+FFFD for bad bytes
                if (text.indexOf('\uFFFD') >= 0) {
                    throw fail(member, entryLabel(context) + ": expected a UTF-8 name, found invalid UTF-8");
                }
                return text;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)))
                        .toString();
            } catch (CharacterCodingException e) {
                throw fail(member, "entry '" + bytesEscaped(context) + "': expected a UTF-8 name, found invalid UTF-8");
            }
        }

        /**
         * Extended attributes from PAX headers: {@code LIBARCHIVE.xattr.*} (base64, exact) wins over
         * {@code SCHILY.xattr.*}, whose value commons-compress decodes as UTF-8; a SCHILY value that
         * was not UTF-8 cannot be recovered, so it is refused rather than kept corrupted.
         */
        private Map<String, ByteString> xattrs(TarArchiveEntry t, String member, String rawName) {
            Map<String, ByteString> out = new TreeMap<>(TreePath.ORDER);
            Map<String, String> pax = t.getExtraPaxHeaders();
            for (Map.Entry<String, String> h : pax.entrySet()) {
                if (h.getKey().startsWith(LIBARCHIVE_XATTR)) {
                    String name = percentDecode(h.getKey().substring(LIBARCHIVE_XATTR.length()), member, rawName);
                    try {
                        out.put(name, ByteString.of(Base64.getDecoder().decode(h.getValue().strip())));
                    } catch (IllegalArgumentException e) {
                        throw fail(member, entryLabel(rawName) + ": xattr " + TreePath.printable(name)
                                + ": expected base64, found '" + TreePath.printable(h.getValue()) + "'");
                    }
                }
            }
            for (Map.Entry<String, String> h : pax.entrySet()) {
                if (h.getKey().startsWith(SCHILY_XATTR)) {
                    String name = h.getKey().substring(SCHILY_XATTR.length());
                    if (out.containsKey(name)) {
                        continue;
                    }
                    if (h.getValue().indexOf('\uFFFD') >= 0) {
                        throw fail(member, entryLabel(rawName) + ": xattr " + TreePath.printable(name)
                                + ": its SCHILY.xattr value is not UTF-8, and the tar reader cannot give back such bytes"
                                + " exactly; refusing rather than keeping a corrupted value");
                    }
                    out.put(name, ByteString.of(h.getValue().getBytes(StandardCharsets.UTF_8)));
                }
            }
            for (String name : out.keySet()) {
                if (name.isEmpty()) {
                    throw fail(member, entryLabel(rawName) + ": an xattr with an empty name");
                }
                for (int i = 0; i < name.length(); i++) {
                    if (Character.isISOControl(name.charAt(i))) {
                        throw fail(member, entryLabel(rawName) + ": xattr name '" + TreePath.printable(name)
                                + "': a control character");
                    }
                }
            }
            return out;
        }

        /** libarchive %-escapes bytes outside printable ASCII in xattr names; '+' stays '+'. */
        private String percentDecode(String s, String member, String rawName) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                } else if (c > 0x7F) {
                    throw fail(member, entryLabel(rawName) + ": xattr name '" + TreePath.printable(s) + "': expected ASCII");
                } else {
                    out.write(c);
                }
            }
            return decodeName(new String(out.toByteArray(), StandardCharsets.ISO_8859_1), member, rawName);
        }

        private Content readContent(TarArchiveInputStream tar, TarArchiveEntry t, Header h, String member, long remaining,
                ContentSink into)
                throws IOException {
            if (t.getSize() > limits.maxEntryBytes()) {
                throw new LimitRefusal(pkg + ": " + member + ": " + entryLabel(h.rawName) + ": declares " + t.getSize()
                        + " bytes, over the limit of " + limits.maxEntryBytes()
                        + " for one file (UnpackLimits.maxEntryBytes): refusing a possible decompression bomb");
            }
            if (t.getSize() > remaining) {
                throw new LimitRefusal(pkg + ": " + member + ": " + entryLabel(h.rawName) + ": declares " + t.getSize()
                        + " bytes, past the limit of " + limits.maxTotalBytes()
                        + " for the whole package (UnpackLimits.maxTotalBytes): refusing a possible decompression bomb");
            }
            Content content = into.take(tar);
            if (content.size() != t.getSize()) {
                throw fail(member, entryLabel(h.rawName) + ": truncated: expected " + t.getSize() + " bytes, found " + content.size());
            }
            return content;
        }

        private abstract class TarPart {
            final String member;

            TarPart(String member) {
                this.member = member;
            }

            abstract void accept(TarArchiveInputStream tar, TarArchiveEntry t, long remaining) throws IOException;
        }

        /** control.tar: plain files at the top (and the top directory itself), kept by name. */
        private final class ControlPart extends TarPart {
            final TreeMap<String, Content> members = new TreeMap<>(TreePath.ORDER);

            ControlPart(String member) {
                super(member);
            }

            @Override
            void accept(TarArchiveInputStream tar, TarArchiveEntry t, long remaining) throws IOException {
                Header h = header(t, member);
                if (h.kind == Kind.DIR && h.path.equals(TreePath.ROOT)) {
                    return;
                }
                if (h.kind != Kind.FILE || TreePath.parent(h.path) == null || !TreePath.parent(h.path).equals(TreePath.ROOT)) {
                    throw fail(member, entryLabel(h.rawName) + ": expected a plain file at the top of control.tar, found a "
                            + typeName(t) + (h.kind == Kind.FILE ? " in a subdirectory" : ""));
                }
                String name = h.path.substring(1);
                if (members.containsKey(name)) {
                    throw fail(member, entryLabel(h.rawName) + ": a duplicate entry: expected each name once");
                }
                members.put(name, readContent(tar, t, h, member, remaining, ContentSink.MEMORY));
            }

            Map<String, String> fields() {
                Content control = members.get(CONTROL);
                if (control == null) {
                    throw fail(member, "expected a ./control file, found only " + members.keySet());
                }
                Map<String, String> fields;
                try {
                    fields = ControlParagraph.parse(control.readAllBytes());
                } catch (IllegalArgumentException e) {
                    throw fail(member, "./control: " + e.getMessage());
                }
                for (String required : List.of("Package", "Version")) {
                    if (fields.keySet().stream().noneMatch(required::equalsIgnoreCase)) {
                        throw fail(member, "./control: expected a " + required + " field, found " + fields.keySet());
                    }
                }
                return fields;
            }
        }

        /** data.tar: the tree the package installs. */
        private final class DataPart extends TarPart {
            final FileTree.Builder builder;
            final List<DebPackage.Skipped> skipped = new ArrayList<>();
            final Set<String> skippedPaths = new HashSet<>();

            DataPart(String member) {
                super(member);
                this.builder = FileTree.builder(pkg + ": " + member);
            }

            @Override
            void accept(TarArchiveInputStream tar, TarArchiveEntry t, long remaining) throws IOException {
                Header h = header(t, member);
                if (skippedPaths.contains(h.path) || (h.kind == Kind.SKIP && builder.contains(h.path))) {
                    throw fail(member, entryLabel(h.rawName) + ": a duplicate entry: expected each path once");
                }
                Map<String, ByteString> xattrs = xattrs(t, member, h.rawName);
                Entry entry;
                try {
                    switch (h.kind) {
                        case FILE:
                            entry = Entry.file(h.path, h.mode, h.uid, h.gid, h.mtime, readContent(tar, t, h, member, remaining, sink));
                            break;
                        case DIR:
                            entry = Entry.dir(h.path, h.mode, h.uid, h.gid, h.mtime);
                            break;
                        case SYMLINK: {
                            // the target is data: kept verbatim, never resolved against anything
                            String target = decodeName(t.getLinkName(), member, h.rawName);
                            if (target.isEmpty()) {
                                throw fail(member, entryLabel(h.rawName) + ": a symlink with an empty target");
                            }
                            entry = Entry.symlink(h.path, target, h.mode, h.uid, h.gid, h.mtime);
                            break;
                        }
                        case HARDLINK: {
                            String rawTarget = decodeName(t.getLinkName(), member, h.rawName);
                            String target;
                            try {
                                target = TreePath.normalize(rawTarget);
                            } catch (IllegalArgumentException e) {
                                throw fail(member, entryLabel(h.rawName) + ": a hardlink to '" + TreePath.printable(rawTarget)
                                        + "': expected a path inside the package, found " + e.getMessage());
                            }
                            entry = Entry.hardlink(h.path, target, h.mode, h.uid, h.gid, h.mtime);
                            break;
                        }
                        case SKIP:
                            skippedPaths.add(h.path);
                            skipped.add(new DebPackage.Skipped(h.path, typeName(t),
                                    "images get no device nodes or FIFOs from packages"));
                            return;
                        default:
                            throw new IllegalStateException(h.kind.name());
                    }
                    if (!xattrs.isEmpty()) {
                        entry = entry.withXattrs(xattrs);
                    }
                } catch (IllegalArgumentException e) {
                    throw fail(member, entryLabel(h.rawName) + ": " + e.getMessage());
                }
                builder.add(entry);
            }
        }

        private AssembleException fail(String problem) {
            return new AssembleException(MALFORMED, pkg + ": " + problem);
        }

        private AssembleException fail(String member, String problem) {
            return new AssembleException(MALFORMED, pkg + ": " + member + ": " + problem);
        }
    }

    /** A refusal for excess: reading on to look for corruption would cost what the limit saves. */
    private static final class LimitRefusal extends AssembleException {
        private static final long serialVersionUID = 1L;

        LimitRefusal(String message) {
            super(AssembleException.Kind.UNPACK_LIMIT, message);
        }
    }

    private record Header(String rawName, String path, Kind kind, int mode, long uid, long gid, long mtime) {
    }

    private static String memberName(ArArchiveEntry m) {
        String name = m.getName();
        // GNU ar ends names with '/'; commons-compress usually strips it, BSD ar never writes it
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private static String entryLabel(String rawName) {
        return "entry '" + TreePath.printable(rawName) + "'";
    }

    private static String typeName(TarArchiveEntry t) {
        switch (t.getLinkFlag()) {
            case TarConstants.LF_DIR:
                return "directory";
            case TarConstants.LF_SYMLINK:
                return "symlink";
            case TarConstants.LF_LINK:
                return "hardlink";
            case TarConstants.LF_CHR:
                return "character device " + t.getDevMajor() + ":" + t.getDevMinor();
            case TarConstants.LF_BLK:
                return "block device " + t.getDevMajor() + ":" + t.getDevMinor();
            case TarConstants.LF_FIFO:
                return "FIFO";
            default:
                return t.getName().endsWith("/") ? "directory" : "regular file";
        }
    }

    /** A raw (ISO-8859-1) name with every byte outside printable ASCII as {@code \xNN}. */
    private static String bytesEscaped(String raw) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                out.append(String.format("\\x%02X", (int) c & 0xFF));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
