package dev.kiln.resolver.debian;

import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A suite's {@code Release} file, parsed from the text whose signature was already checked. It is
 * the root of trust for everything fetched from the suite: each index is accepted only if its size
 * and SHA256 match an entry here.
 */
public record Release(
        String origin,
        String suite,
        String codename,
        String version,
        Instant date,
        Optional<Instant> validUntil,
        boolean acquireByHash,
        List<String> architectures,
        List<String> components,
        boolean archAllInArchIndexes,
        Map<String, FileEntry> sha256) {

    /** A file the Release vouches for: its path below {@code dists/SUITE/}, size and digest. */
    public record FileEntry(String path, long size, Digest sha256) {
    }

    public Optional<FileEntry> file(String path) {
        return Optional.ofNullable(sha256.get(path));
    }

    public static Release parse(byte[] signedText, String what) {
        String text = new String(signedText, StandardCharsets.UTF_8);
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, FileEntry> files = new LinkedHashMap<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                current = null;
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if ("sha256".equals(current)) {
                    String[] parts = words3(line);
                    if (parts == null) {
                        throw new DebianFormatException(what + ":" + lineNo
                                + ": expected ' <sha256> <size> <path>' in the SHA256 list, found '" + line.trim() + "'");
                    }
                    try {
                        files.put(parts[2], new FileEntry(parts[2], Long.parseLong(parts[1]), Digest.parse(parts[0])));
                    } catch (IllegalArgumentException e) {
                        throw new DebianFormatException(what + ":" + lineNo + ": bad SHA256 entry '" + line.trim() + "': " + e.getMessage());
                    }
                } else if (current != null) {
                    fields.merge(current, line.trim(), (a, b) -> a + "\n" + b);
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new DebianFormatException(what + ":" + lineNo + ": expected 'Field: value', found '" + line + "'");
            }
            current = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            fields.put(current, line.substring(colon + 1).trim());
        }
        String dateText = fields.get("date");
        if (dateText == null || dateText.isEmpty()) {
            throw new DebianFormatException(what + ": the Release has no Date field; apt and kiln need it to refuse rollbacks");
        }
        if (files.isEmpty()) {
            throw new DebianFormatException(what + ": the Release lists no SHA256 checksums; kiln only trusts indexes that a signed SHA256 vouches for");
        }
        Instant date = parseDate(dateText, "Date", what);
        Optional<Instant> validUntil = Optional.ofNullable(fields.get("valid-until")).map(v -> parseDate(v, "Valid-Until", what));
        String noAll = fields.getOrDefault("no-support-for-architecture-all", "");
        return new Release(
                fields.getOrDefault("origin", ""),
                fields.getOrDefault("suite", ""),
                fields.getOrDefault("codename", ""),
                fields.getOrDefault("version", ""),
                date,
                validUntil,
                "yes".equalsIgnoreCase(fields.getOrDefault("acquire-by-hash", "no")),
                words(fields.get("architectures")),
                words(fields.get("components")),
                noAll.equals("Packages"),
                Map.copyOf(files));
    }

    /** The three whitespace-separated words of a checksum line, or null (no regex: ~3,000 lines per Release). */
    private static String[] words3(String line) {
        String[] out = new String[3];
        int n = 0;
        int i = 0;
        int len = line.length();
        while (i < len) {
            while (i < len && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i == len) {
                break;
            }
            int start = i;
            while (i < len && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                i++;
            }
            if (n == 3) {
                return null;
            }
            out[n++] = line.substring(start, i);
        }
        return n == 3 ? out : null;
    }

    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");

    /**
     * Parses Debian's RFC 2822 dates ({@code Sat, 11 Jul 2026 10:16:37 UTC}, or with {@code +0000}).
     * By hand: java.time's text parsing loads the time-zone database, a visible share of a warm lock.
     */
    static Instant parseDate(String text, String field, String what) {
        try {
            String t = text.trim();
            String weekday = null;
            int comma = t.indexOf(',');
            if (comma >= 0) {
                weekday = t.substring(0, comma).trim().toLowerCase(Locale.ROOT);
                t = t.substring(comma + 1).trim();
            }
            String[] p = t.split(" +");
            if (p.length != 5) {
                throw new IllegalArgumentException();
            }
            int day = Integer.parseInt(p[0]);
            int month = MONTHS.indexOf(p[1].toLowerCase(Locale.ROOT)) + 1;
            int year = Integer.parseInt(p[2]);
            String[] hms = p[3].split(":");
            if (month < 1 || hms.length != 3) {
                throw new IllegalArgumentException();
            }
            ZoneOffset zone;
            String z = p[4];
            if (z.equalsIgnoreCase("UTC") || z.equalsIgnoreCase("GMT") || z.equals("Z")) {
                zone = ZoneOffset.UTC;
            } else if ((z.startsWith("+") || z.startsWith("-")) && z.length() == 5) {
                int sign = z.startsWith("-") ? -1 : 1;
                zone = ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(z.substring(1, 3)), sign * Integer.parseInt(z.substring(3, 5)));
            } else {
                throw new IllegalArgumentException();
            }
            LocalDateTime local = LocalDateTime.of(year, month, day, Integer.parseInt(hms[0]), Integer.parseInt(hms[1]),
                    Integer.parseInt(hms[2]));
            if (weekday != null && !local.getDayOfWeek().name().toLowerCase(Locale.ROOT).startsWith(weekday)) {
                throw new IllegalArgumentException("the weekday contradicts the date");
            }
            return local.toInstant(zone);
        } catch (RuntimeException e) {
            throw new DebianFormatException(what + ": expected an RFC 2822 date in " + field
                    + " like 'Sat, 11 Jul 2026 10:16:37 UTC', found '" + text + "'");
        }
    }

    private static List<String> words(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        return List.copyOf(new ArrayList<>(Arrays.asList(s.trim().split("\\s+"))));
    }
}
