package dev.kiln.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The default {@link RootReader}: a streaming scan, one pass that hashes as it reads. */
final class DigestScanner {
    private static final Pattern TOKEN =
            Pattern.compile("sha256(?::|\"[ \\t\\r\\n]{0,8}:[ \\t\\r\\n]{0,8}\")([0-9a-f]{64})(?![0-9a-f])");
    /** Longer than the longest token, so a token cut by a chunk boundary is seen whole in the next chunk. */
    private static final int CARRY = 128;
    private static final int CHUNK = 1 << 20;

    private DigestScanner() {
    }

    static Set<Digest> scan(Path file) {
        Set<Digest> found = new TreeSet<>();
        try {
            if (Files.isDirectory(file)) {
                try (Stream<Path> s = Files.walk(file)) {
                    for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                        scanFile(f, found);
                    }
                }
            } else {
                scanFile(file, found);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the root " + file + ": " + IoErrors.why(e)
                    + "\n  gc deletes nothing while a root cannot be read; fix its permissions or unregister it", e);
        }
        return found;
    }

    private static void scanFile(Path file, Set<Digest> found) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[CHUNK];
        String carry = "";
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                md.update(buf, 0, n);
                boolean eof = n < buf.length;
                // ISO-8859-1 maps each byte to one char, so binary files scan safely
                String text = carry + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                Matcher m = TOKEN.matcher(text);
                while (m.find()) {
                    // at the chunk's end the lookahead cannot see the next byte: the carry sees it again
                    if (eof || m.end() < text.length()) {
                        found.add(new Digest(m.group(1)));
                    }
                }
                if (eof) {
                    break;
                }
                carry = text.substring(Math.max(0, text.length() - CARRY));
            }
        }
        found.add(Digest.fromRaw(md.digest()));
    }
}
