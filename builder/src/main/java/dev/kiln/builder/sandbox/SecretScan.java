package dev.kiln.builder.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The forms of secret values kiln recognises, and the search for them: the raw bytes, lower- and
 * upper-case hex, and base64 (standard and URL-safe) at each of the three alignments a value can
 * have in a longer encoded stream (the characters that depend on the value alone). A step can
 * still print a transformed value (reversed, compressed, encrypted): kiln scrubs and refuses only
 * what it recognises.
 */
public final class SecretScan {
    /** What a scrubbed value is replaced by in output lines. */
    public static final String MASK = "***";
    /** An encoded form shorter than this is not searched (it would match by chance). */
    static final int MIN_FORM = 4;

    private final List<byte[]> forms;
    private final int longest;

    private SecretScan(List<byte[]> forms) {
        this.forms = forms;
        this.longest = forms.stream().mapToInt(f -> f.length).max().orElse(0);
    }

    /** A scan for every form of each of {@code values} (empty values are ignored). */
    public static SecretScan of(List<byte[]> values) {
        Set<String> seen = new LinkedHashSet<>();
        List<byte[]> forms = new ArrayList<>();
        for (byte[] v : values) {
            if (v.length == 0) {
                continue;
            }
            List<byte[]> candidates = new ArrayList<>();
            candidates.add(v);
            candidates.add(HexFormat.of().formatHex(v).getBytes(StandardCharsets.US_ASCII));
            candidates.add(HexFormat.of().withUpperCase().formatHex(v).getBytes(StandardCharsets.US_ASCII));
            for (Base64.Encoder enc : List.of(Base64.getEncoder().withoutPadding(), Base64.getUrlEncoder().withoutPadding())) {
                for (int align = 0; align < 3; align++) {
                    candidates.add(base64Core(enc, v, align));
                }
            }
            for (byte[] c : candidates) {
                if (c.length >= MIN_FORM || c == v) {
                    if (seen.add(HexFormat.of().formatHex(c))) {
                        forms.add(c);
                    }
                }
            }
        }
        return new SecretScan(List.copyOf(forms));
    }

    /**
     * The characters of base64 that depend on {@code v} alone when it starts {@code align} bytes
     * into a 3-byte group: the full groups after the first, the partial ones cut.
     */
    static byte[] base64Core(Base64.Encoder enc, byte[] v, int align) {
        byte[] padded = new byte[align + v.length];
        System.arraycopy(v, 0, padded, align, v.length);
        String s = enc.encodeToString(padded);
        int from = align == 0 ? 0 : 4;
        int fullGroups = padded.length / 3;
        int to = fullGroups * 4;
        return to > from ? s.substring(from, to).getBytes(StandardCharsets.US_ASCII) : new byte[0];
    }

    /** True when there is nothing to look for. */
    public boolean isEmpty() {
        return forms.isEmpty();
    }

    /** {@code line} with every recognised form replaced by {@link #MASK}. */
    public String scrub(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return scrubLine(bytes, bytes.length, bytes.length);
    }

    /**
     * How many bytes past a cut a line must be kept for {@link #scrubLine} to mask a value the cut
     * would split.
     */
    public int longest() {
        return longest;
    }

    /**
     * The first {@code shown} bytes of {@code line[0, length)} as text, every recognised form masked
     * by {@link #MASK} (overlapping ones as one). The forms are matched on the bytes, before the
     * text is decoded, so a value that is not UTF-8 is masked too; a form that starts before the cut
     * and runs past it is masked whole, never split so that its first bytes show: {@code length}
     * must then include at least {@link #longest()} bytes past {@code shown}.
     */
    public String scrubLine(byte[] line, int length, int shown) {
        int end = Math.min(length, shown);
        if (forms.isEmpty()) {
            return new String(line, 0, end, StandardCharsets.UTF_8);
        }
        boolean[] masked = new boolean[length];
        for (byte[] f : forms) {
            for (int at = indexOf(line, 0, length, f); at >= 0 && at < shown; at = indexOf(line, at + 1, length, f)) {
                java.util.Arrays.fill(masked, at, at + f.length, true);
            }
        }
        while (end < length && end > 0 && masked[end - 1] && masked[end]) {
            end++;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(end + MASK.length());
        for (int i = 0; i < end; ) {
            if (masked[i]) {
                out.writeBytes(MASK.getBytes(StandardCharsets.US_ASCII));
                while (i < end && masked[i]) {
                    i++;
                }
            } else {
                out.write(line[i++]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** True when {@code bytes} hold a recognised form. */
    public boolean foundIn(byte[] bytes) {
        return forms.stream().anyMatch(f -> indexOf(bytes, 0, bytes.length, f) >= 0);
    }

    /**
     * The first file under {@code dir} (in sorted order; a link's target text counts as its
     * content) holding a recognised form, relative to {@code dir}.
     */
    public Optional<Path> firstIn(Path dir) throws IOException {
        if (forms.isEmpty() || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                files.add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (!d.equals(dir)) {
                    files.add(d); // its name
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        for (Path f : files) {
            if (foundIn(f.getFileName().toString().getBytes(StandardCharsets.UTF_8))) {
                return Optional.of(dir.relativize(f));
            }
            if (Files.isSymbolicLink(f)) {
                if (foundIn(Files.readSymbolicLink(f).toString().getBytes(StandardCharsets.UTF_8))) {
                    return Optional.of(dir.relativize(f));
                }
            } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && holds(f)) {
                return Optional.of(dir.relativize(f));
            }
        }
        return Optional.empty();
    }

    private boolean holds(Path file) throws IOException {
        int keep = Math.max(0, longest - 1);
        byte[] buffer = new byte[Math.max(1 << 16, 2 * longest)];
        int have = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer, have, buffer.length - have)) > 0) {
                have += n;
                for (byte[] f : forms) {
                    if (indexOf(buffer, 0, have, f) >= 0) {
                        return true;
                    }
                }
                int tail = Math.min(keep, have);
                System.arraycopy(buffer, have - tail, buffer, 0, tail);
                have = tail;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, int from, int length, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
