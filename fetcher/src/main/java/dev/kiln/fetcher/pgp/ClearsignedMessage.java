package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.pgp.SignatureException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The framing of a clearsigned file (RFC 9580 section 7): header, dash-escaped text, signature
 * blocks. Only the framing is parsed here; the signature packets are BouncyCastle's business.
 *
 * <p>Stricter than gpg where apt is stricter: the file must start with the BEGIN line and nothing
 * but blank lines and further signature blocks may follow the last signature, because text outside
 * the signed block is exactly how a parser that differs from gpgv's gets fooled.
 */
final class ClearsignedMessage {
    static final String BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
    static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
    static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";

    /** The signed text with {@code \n} line ends, as a Release parser should see it. */
    final byte[] text;
    /** What the signature hashes: the same lines joined with CRLF (RFC 9580 canonical text). */
    final byte[] canonicalText;
    /** Digest algorithm ids announced in {@code Hash:} headers; empty when there are none. */
    final Set<Integer> announcedDigests;
    /** Each signature block, BEGIN to END line inclusive, lines ending in {@code \n}. */
    final List<byte[]> signatureBlocks;

    private ClearsignedMessage(byte[] text, byte[] canonicalText, Set<Integer> announcedDigests, List<byte[]> signatureBlocks) {
        this.text = text;
        this.canonicalText = canonicalText;
        this.announcedDigests = announcedDigests;
        this.signatureBlocks = signatureBlocks;
    }

    static ClearsignedMessage parse(byte[] file, String what) {
        List<int[]> lines = lines(file);
        if (lines.isEmpty() || !frame(file, lines.get(0)).equals(BEGIN_SIGNED)) {
            throw notClearsigned(file, lines, what);
        }

        int at = 1;
        Set<Integer> digests = new LinkedHashSet<>();
        while (true) {
            if (at >= lines.size()) {
                throw malformed(what, "the clearsigned header is not followed by an empty line and the signed text");
            }
            String line = frame(file, lines.get(at));
            at++;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(": ");
            String key = colon < 0 ? line : line.substring(0, colon);
            if (colon < 0 || !key.equals("Hash")) {
                // gpg refuses unknown clearsign headers; a header apt and gpgv read differently is a trick
                throw malformed(what, "line " + at + " is an unexpected clearsign header '" + printable(line)
                        + "' (only 'Hash:' headers are allowed)");
            }
            for (String name : line.substring(colon + 2).split(",")) {
                int id = digestId(name.strip());
                if (id < 0) {
                    throw malformed(what, "line " + at + " announces an unknown digest '" + printable(name.strip()) + "'");
                }
                digests.add(id);
            }
        }

        ByteArrayOutputStream text = new ByteArrayOutputStream(file.length);
        ByteArrayOutputStream canonical = new ByteArrayOutputStream(file.length + file.length / 32);
        boolean first = true;
        while (true) {
            if (at >= lines.size()) {
                throw malformed(what, "the signed text is not followed by a '" + BEGIN_SIGNATURE + "' block");
            }
            int[] line = lines.get(at);
            at++;
            int start = line[0];
            int end = line[1];
            if (end > start && file[start] == '-') {
                if (frame(file, line).equals(BEGIN_SIGNATURE)) {
                    break;
                }
                if (end - start >= 2 && file[start + 1] == ' ') {
                    start += 2; // dash-escaped
                } else {
                    throw malformed(what, "line " + at + " of the signed text starts with '-' but is not dash-escaped ('"
                            + printable(new String(file, start, end - start, StandardCharsets.ISO_8859_1)) + "')");
                }
            }
            // trailing spaces, tabs and carriage returns are not part of the signed text (as in gpg)
            while (end > start && (file[end - 1] == ' ' || file[end - 1] == '\t' || file[end - 1] == '\r')) {
                end--;
            }
            if (!first) {
                text.write('\n');
                canonical.write('\r');
                canonical.write('\n');
            }
            first = false;
            text.write(file, start, end - start);
            canonical.write(file, start, end - start);
        }

        List<byte[]> blocks = new ArrayList<>();
        StringBuilder block = new StringBuilder(BEGIN_SIGNATURE).append('\n');
        boolean open = true;
        for (; at < lines.size(); at++) {
            String line = frame(file, lines.get(at));
            if (open) {
                if (line.equals(END_SIGNATURE)) {
                    block.append(line).append('\n');
                    blocks.add(block.toString().getBytes(StandardCharsets.ISO_8859_1));
                    open = false;
                } else if (line.startsWith("-")) {
                    throw malformed(what, "line " + (at + 1) + " inside the signature block starts with a dash ('"
                            + printable(line) + "')");
                } else {
                    block.append(line).append('\n');
                }
            } else if (line.equals(BEGIN_SIGNATURE)) {
                block = new StringBuilder(BEGIN_SIGNATURE).append('\n');
                open = true;
            } else if (!line.isEmpty()) {
                throw new SignatureException(Reason.UNSIGNED_TEXT, what + ": expected nothing after the signature of the "
                        + "clearsigned file, found unsigned text at line " + (at + 1) + " ('" + printable(line) + "'). "
                        + "apt refuses such files because the unsigned part could be read as if it were signed, and so "
                        + "does kiln. The file was altered or damaged on the way: fetch it again or use another mirror.");
            }
        }
        if (open) {
            throw malformed(what, "the signature block is not closed with '" + END_SIGNATURE + "' (the file is truncated?)");
        }
        return new ClearsignedMessage(text.toByteArray(), canonical.toByteArray(), Set.copyOf(digests), List.copyOf(blocks));
    }

    private static SignatureException notClearsigned(byte[] file, List<int[]> lines, String what) {
        for (int i = 1; i < lines.size(); i++) {
            if (frame(file, lines.get(i)).equals(BEGIN_SIGNED)) {
                String before = firstNonBlank(file, lines, i);
                return new SignatureException(Reason.UNSIGNED_TEXT, what + ": expected a clearsigned file starting with '"
                        + BEGIN_SIGNED + "', found " + i + " line(s) of unsigned text before it"
                        + (before.isEmpty() ? "" : " ('" + before + "')") + ". apt refuses such files because the "
                        + "unsigned part could be read as if it were signed, and so does kiln. The file was altered or "
                        + "damaged on the way: fetch it again or use another mirror.");
            }
        }
        String found;
        String first = lines.isEmpty() ? "" : frame(file, lines.get(0));
        if (file.length == 0) {
            found = "an empty file";
        } else if (first.equals(BEGIN_SIGNATURE)) {
            found = "a detached signature (like Release.gpg)";
        } else if (first.startsWith("-----BEGIN PGP ")) {
            found = "an armored '" + printable(first) + "' block";
        } else if (first.stripLeading().startsWith("<")) {
            found = "what looks like an HTML page ('" + printable(first) + "'): a proxy or captive portal may have answered";
        } else if (file[0] < 0 && (file[0] & 0x40) != 0) {
            found = "binary OpenPGP data, not a clearsigned text";
        } else {
            found = "unsigned text starting with '" + printable(first) + "'";
        }
        return new SignatureException(Reason.NOT_SIGNED, what + ": expected a clearsigned file (an InRelease file "
                + "starting with '" + BEGIN_SIGNED + "'), found " + found + ". Without a signature nothing in it can "
                + "be trusted. Check that the URL names a signed repository; if it only has Release and Release.gpg, "
                + "verify those as a detached signature.");
    }

    private static String firstNonBlank(byte[] file, List<int[]> lines, int before) {
        for (int i = 0; i < before; i++) {
            String line = frame(file, lines.get(i));
            if (!line.isEmpty()) {
                return printable(line);
            }
        }
        return "";
    }

    private static SignatureException malformed(String what, String problem) {
        return new SignatureException(Reason.MALFORMED, what + ": expected a well-formed clearsigned file, found that "
                + problem + ". The file was damaged or altered on the way, or was not made by an OpenPGP tool; fetch it "
                + "again or use another mirror.");
    }

    /** Start and end offsets of each line, without its {@code \n}; a final unterminated line counts. */
    private static List<int[]> lines(byte[] file) {
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\n') {
                lines.add(new int[] {start, i});
                start = i + 1;
            }
        }
        if (start < file.length) {
            lines.add(new int[] {start, file.length});
        }
        return lines;
    }

    /** A framing line as text, trailing whitespace removed (armor lines may carry it). */
    private static String frame(byte[] file, int[] line) {
        int end = line[1];
        while (end > line[0] && (file[end - 1] == ' ' || file[end - 1] == '\t' || file[end - 1] == '\r')) {
            end--;
        }
        return new String(file, line[0], end - line[0], StandardCharsets.ISO_8859_1);
    }

    /** Quotes untrusted text in a message: printable ASCII only, and not too long. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 60; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (out.length() < text.length()) {
            out.append("...");
        }
        return out.toString();
    }

    /** OpenPGP digest id for a {@code Hash:} header name, or -1. */
    static int digestId(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "MD5" -> 1;
            case "SHA1" -> 2;
            case "RIPEMD160" -> 3;
            case "SHA256" -> 8;
            case "SHA384" -> 9;
            case "SHA512" -> 10;
            case "SHA224" -> 11;
            case "SHA3-256" -> 12;
            case "SHA3-512" -> 14;
            default -> -1;
        };
    }

    static String digestName(int id) {
        return switch (id) {
            case 1 -> "MD5";
            case 2 -> "SHA1";
            case 3 -> "RIPEMD160";
            case 8 -> "SHA256";
            case 9 -> "SHA384";
            case 10 -> "SHA512";
            case 11 -> "SHA224";
            case 12 -> "SHA3-256";
            case 14 -> "SHA3-512";
            default -> "digest #" + id;
        };
    }
}
