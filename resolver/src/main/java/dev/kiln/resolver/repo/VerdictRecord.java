package dev.kiln.resolver.repo;

import dev.kiln.fetcher.pgp.VerifiedDocument;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A remembered good signature verdict: the signed content (by digest), signers and validity. */
final class VerdictRecord {
    private static final String HEADER = "kiln verified document v1";

    private VerdictRecord() {
    }

    static byte[] write(VerifiedDocument d, ContentStore store) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        s.append("content ").append(store.put(d.content())).append('\n');
        s.append("signedAt ").append(d.signedAt()).append('\n');
        s.append("validThrough ").append(d.validThrough().equals(Instant.MAX) ? "never" : d.validThrough().toString()).append('\n');
        for (String f : d.signerFingerprints()) {
            s.append("signer ").append(f).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    static VerifiedDocument read(byte[] record, ContentStore store) {
        String[] lines = new String(record, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 5 || !lines[0].equals(HEADER)) {
            throw new IllegalStateException("not a verdict record");
        }
        Digest content = Digest.parse(value(lines[1], "content"));
        Instant signedAt = Instant.parse(value(lines[2], "signedAt"));
        String through = value(lines[3], "validThrough");
        List<String> signers = new ArrayList<>();
        for (int i = 4; i < lines.length; i++) {
            signers.add(value(lines[i], "signer"));
        }
        byte[] bytes = store.read(content);
        if (!Digest.of(bytes).equals(content)) {
            throw new IllegalStateException("content blob damaged");
        }
        return new VerifiedDocument(bytes, signers, signedAt, through.equals("never") ? Instant.MAX : Instant.parse(through));
    }

    private static String value(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new IllegalStateException("expected " + key);
        }
        return line.substring(key.length() + 1);
    }
}
