package dev.kiln.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** A sha256 content digest, written {@code sha256:<64 hex>} as in OCI. The name of every byte string kiln keeps. */
public record Digest(String hex) implements Comparable<Digest> {
    private static final HexFormat HEX = HexFormat.of();

    public Digest {
        Objects.requireNonNull(hex, "hex");
        if (!isHex64(hex)) {
            throw new IllegalArgumentException("expected 64 lowercase hex digits of a sha256, found '" + hex + "'");
        }
    }

    /** Parses {@code sha256:<hex>} or a bare 64-digit hex string. */
    public static Digest parse(String text) {
        Objects.requireNonNull(text, "text");
        String hex = text.startsWith("sha256:") ? text.substring("sha256:".length()) : text;
        if (!isHex64(hex)) {
            throw new IllegalArgumentException("expected a digest 'sha256:<64 hex digits>', found '" + text + "'");
        }
        return new Digest(hex);
    }

    public static Digest of(byte[] bytes) {
        MessageDigest md = newSha256();
        md.update(bytes);
        return fromRaw(md.digest());
    }

    public static Digest of(String utf8) {
        return of(utf8.getBytes(StandardCharsets.UTF_8));
    }

    public static Digest of(InputStream in) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return fromRaw(md.digest());
    }

    public static Digest fromRaw(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a sha256 has 32 bytes, found " + sha256.length);
        }
        return new Digest(HEX.formatHex(sha256));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public byte[] raw() {
        return HEX.parseHex(hex);
    }

    /** The first 12 hex digits, for messages. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(Digest o) {
        return hex.compareTo(o.hex);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }

    private static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
