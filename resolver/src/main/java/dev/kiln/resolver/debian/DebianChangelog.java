package dev.kiln.resolver.debian;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian changelog ({@code debian/changelog}, shipped as {@code changelog.Debian.gz}) as
 * deb-changelog(5) defines it: entries, newest first, each a header
 * {@code name (version) dists; urgency=X}, a body of indented lines, and a trailer
 * {@code  -- who <mail>  date}. Text after the entries that is not one (an "Old Changelog:"
 * section, editor settings) ends the list, as dpkg-parsechangelog stops there too.
 *
 * @param entries the entries in file order (newest first)
 */
public record DebianChangelog(List<Entry> entries) {
    private static final Pattern HEADER = Pattern.compile(
            "^(\\w[-+0-9a-z.]*) \\(([^() \\t]+)\\)((?:\\s+[-+0-9a-z.]+)+);(.*?)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern TRAILER = Pattern.compile("^ -- (.*?) ?<([^>]*)>( {1,2})(.*?)\\s*$");
    private static final Pattern CVE = Pattern.compile("\\bCVE-(\\d{4})-(\\d{4,})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern SECURITY = Pattern.compile("\\bsecurity\\b", Pattern.CASE_INSENSITIVE);
    /** Debian's urgencies from least to most pressing; {@link #urgencyRank} is the index here. */
    public static final List<String> URGENCIES = List.of("low", "medium", "high", "emergency", "critical");

    public DebianChangelog {
        entries = List.copyOf(entries);
    }

    /**
     * One entry.
     *
     * @param source the source package's name
     * @param distributions the suites it was uploaded to ({@code bookworm-security})
     * @param urgency the {@code urgency} keyword's value as written, lower case ({@code high},
     *     {@code medium (high for ...)}); empty when the header has none
     * @param body the change lines, without the blank lines around them
     * @param maintainer who made it ({@code Name <mail>})
     * @param date the trailer's date as written
     */
    public record Entry(String source, String version, List<String> distributions, String urgency, String body,
                        String maintainer, String date) {
        public Entry {
            distributions = List.copyOf(distributions);
        }

        /** The CVE ids the entry names, upper case, each once, oldest first (by year, then number). */
        public List<String> cves() {
            return DebianChangelog.cves(body);
        }

        /** Whether the entry says it is about security: the word in its text, or a {@code *-security} suite. */
        public boolean mentionsSecurity() {
            return SECURITY.matcher(body).find() || distributions.stream().anyMatch(d -> d.endsWith("-security"));
        }

        /** The rank of its urgency in {@link #URGENCIES}; -1 for none or an urgency Debian does not define. */
        public int urgencyRank() {
            return DebianChangelog.urgencyRank(urgency);
        }

        public DebianVersion parsedVersion() {
            return DebianVersion.parse(version);
        }
    }

    /**
     * Parses a changelog's text.
     *
     * @param what names it in messages (the package and file)
     * @throws DebianFormatException naming the line, when the first entry has no header, an entry
     *     no trailer, or a header or trailer is malformed
     */
    public static DebianChangelog parse(String text, String what) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String line = stripCr(lines[i]);
            if (line.isBlank()) {
                i++;
                continue;
            }
            Matcher h = HEADER.matcher(line);
            if (!h.matches()) {
                if (out.isEmpty()) {
                    throw new DebianFormatException(what + ":" + (i + 1) + ": expected an entry's header"
                            + " 'name (version) dists; urgency=X', found '" + printable(line) + "'");
                }
                break; // what follows the entries is not in this format (Old Changelog, editor settings)
            }
            int headerLine = i + 1;
            String version = h.group(2);
            try {
                DebianVersion.parse(version);
            } catch (RuntimeException e) {
                throw new DebianFormatException(what + ":" + headerLine + ": '" + printable(version)
                        + "' in the header is not a Debian version: " + e.getMessage());
            }
            String urgency = keyword(h.group(4), "urgency", what, headerLine);
            List<String> dists = List.of(h.group(3).trim().split("\\s+"));
            StringBuilder body = new StringBuilder();
            Matcher t = null;
            for (i++; i < lines.length; i++) {
                String l = stripCr(lines[i]);
                if (l.startsWith(" -- ")) {
                    t = TRAILER.matcher(l);
                    if (!t.matches()) {
                        throw new DebianFormatException(what + ":" + (i + 1) + ": expected the trailer ' -- Name <mail>  date'"
                                + ", found '" + printable(l) + "'");
                    }
                    i++;
                    break;
                }
                if (!l.isEmpty() && !Character.isWhitespace(l.charAt(0))) {
                    throw new DebianFormatException(what + ":" + (i + 1) + ": the entry of " + version + " (line " + headerLine
                            + ") has no trailer ' -- Name <mail>  date' before '" + printable(l) + "'");
                }
                body.append(l).append('\n');
            }
            if (t == null) {
                throw new DebianFormatException(what + ": the entry of " + version + " (line " + headerLine
                        + ") has no trailer ' -- Name <mail>  date': the text ends first");
            }
            out.add(new Entry(h.group(1), version, dists, urgency, body.toString().strip(),
                    (t.group(1) + " <" + t.group(2) + ">").strip(), t.group(4)));
        }
        return new DebianChangelog(out);
    }

    /** The entries whose version is newer than {@code version}, in file order. */
    public List<Entry> newerThan(DebianVersion version) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.parsedVersion().compareTo(version) > 0) {
                out.add(e);
            }
        }
        return out;
    }

    /** The CVE ids in {@code text}, upper case, each once, oldest first. */
    public static List<String> cves(String text) {
        TreeSet<String> ids = new TreeSet<>(CVE_ORDER);
        Matcher m = CVE.matcher(text);
        while (m.find()) {
            ids.add("CVE-" + m.group(1) + "-" + m.group(2));
        }
        return List.copyOf(ids);
    }

    /** CVE ids by year, then by number as a number (CVE-2024-9999 before CVE-2024-10001). */
    public static final Comparator<String> CVE_ORDER = Comparator
            .comparing((String id) -> id.substring(4, 8))
            .thenComparingInt(id -> id.length())
            .thenComparing(Comparator.naturalOrder());

    /** The rank of an urgency's first word in {@link #URGENCIES}, or -1. */
    public static int urgencyRank(String urgency) {
        if (urgency == null || urgency.isEmpty()) {
            return -1;
        }
        String word = urgency.strip().split("[\\s(]", 2)[0].toLowerCase(Locale.ROOT);
        return URGENCIES.indexOf(word);
    }

    /** The value of {@code key} in a header's {@code key=value, ...} part, lower case; empty when absent. */
    private static String keyword(String keywords, String key, String what, int line) {
        for (String kv : keywords.split(",")) {
            String s = kv.strip();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new DebianFormatException(what + ":" + line + ": expected 'key=value' after the ';' of the header, found '"
                        + printable(s) + "'");
            }
            if (s.substring(0, eq).strip().equalsIgnoreCase(key)) {
                return s.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            }
        }
        return "";
    }

    /** The urgency written most pressing among {@code entries}, if any has one Debian defines. */
    public static Optional<String> highestUrgency(List<Entry> entries) {
        int best = -1;
        for (Entry e : entries) {
            best = Math.max(best, e.urgencyRank());
        }
        return best < 0 ? Optional.empty() : Optional.of(URGENCIES.get(best));
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder out = new StringBuilder();
        for (char c : cut.toCharArray()) {
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
