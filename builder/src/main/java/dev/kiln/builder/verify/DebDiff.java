package dev.kiln.builder.verify;

import dev.kiln.builder.RecipeException;
import dev.kiln.oci.LayerCompression;
import dev.kiln.oci.compare.Difference;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.store.IoErrors;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Where two {@code .deb} files part: their {@code ar} members (names, order, header fields), and
 * for the control and data archives, which tar entries differ and in what, as image layers are
 * compared ({@link ImageDiff#betweenTars}). Two packages whose tars are the same but whose
 * compressed members are not are said to differ in compression.
 */
public final class DebDiff {
    private DebDiff() {}

    /** One ar member: its header fields and its bytes, as read. */
    private record Member(String name, long mtime, long uid, long gid, int mode, byte[] bytes) {
        String header() {
            return "mtime " + mtime + ", owner " + uid + ":" + gid + ", mode " + Integer.toOctalString(mode);
        }
    }

    /**
     * The differences between {@code left} and {@code right}, one line each, empty when the two
     * files are byte for byte the same. {@code scratch} is a directory for the decompressed tars.
     */
    public static List<String> between(Path left, Path right, Path scratch) {
        try {
            if (Arrays.equals(Files.readAllBytes(left), Files.readAllBytes(right))) {
                return List.of();
            }
            Map<String, Member> l = members(left);
            Map<String, Member> r = members(right);
            List<String> out = new ArrayList<>();
            if (!List.copyOf(l.keySet()).equals(List.copyOf(r.keySet()))) {
                out.add("ar members: " + l.keySet() + " vs " + r.keySet());
            }
            for (Member a : l.values()) {
                Member b = r.get(a.name());
                if (b == null) {
                    continue;
                }
                if (!a.header().equals(b.header())) {
                    out.add(a.name() + ": ar header " + a.header() + " vs " + b.header());
                }
                if (Arrays.equals(a.bytes(), b.bytes())) {
                    continue;
                }
                if (!a.name().contains(".tar")) {
                    out.add(a.name() + ": " + text(a.bytes()) + " vs " + text(b.bytes()));
                    continue;
                }
                Path lt = decompressed(a, scratch.resolve("left-" + a.name() + ".tar"));
                Path rt = decompressed(b, scratch.resolve("right-" + b.name() + ".tar"));
                ImageDiff diff = ImageDiff.betweenTars(a.name(), lt, rt, LayerCompression.NONE);
                for (Difference d : diff.differences()) {
                    out.add(a.name() + ": " + d.render());
                }
                if (diff.omitted() > 0) {
                    out.add(a.name() + ": " + diff.omitted() + " more entry differences");
                }
                if (diff.identical()) {
                    out.add(a.name() + ": the same tar, compressed to other bytes (" + a.bytes().length + " vs "
                            + b.bytes().length + " bytes)");
                }
            }
            return out;
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE,
                    "cannot compare " + left + " with " + right + ": " + IoErrors.why(e), e);
        }
    }

    private static Map<String, Member> members(Path deb) throws IOException {
        Map<String, Member> out = new LinkedHashMap<>();
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                out.put(e.getName(), new Member(e.getName(), e.getLastModified(), e.getUserId(), e.getGroupId(), e.getMode(),
                        ar.readAllBytes()));
            }
        } catch (IOException | RuntimeException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + " is not a Debian package (an ar archive): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        return out;
    }

    private static Path decompressed(Member m, Path to) throws IOException {
        try (InputStream in = open(m); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
        return to;
    }

    private static InputStream open(Member m) throws IOException {
        return decompress(m.name(), new java.io.ByteArrayInputStream(m.bytes()));
    }

    /** The tar a .deb member named {@code member} holds, by its compression suffix ({@code .xz}, {@code .gz}, {@code .zst}, none). */
    private static InputStream decompress(String member, InputStream raw) throws IOException {
        if (member.endsWith(".xz")) {
            return new XZInputStream(raw);
        }
        if (member.endsWith(".gz")) {
            return GzipCompressorInputStream.builder().setInputStream(raw).get();
        }
        if (member.endsWith(".zst")) {
            return new ZstdCompressorInputStream(raw);
        }
        return raw;
    }

    private static String text(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 64), java.nio.charset.StandardCharsets.UTF_8);
        return "'" + s.replace("\n", "\\n") + (b.length > 64 ? "…" : "") + "'";
    }
}
