package dev.kiln.resolver.debian;

import java.util.Objects;

/**
 * A Debian package version {@code [epoch:]upstream[-revision]}, ordered exactly as dpkg orders
 * versions (lib/dpkg/version.c, {@code dpkg_version_compare} and {@code verrevcmp}).
 *
 * <p>Equality follows the order, not the text: {@code 1.0}, {@code 0:1.0}, {@code 1.00} and
 * {@code 1.0-0} are equal, as they are to dpkg. {@link #toString()} gives the text as parsed.
 *
 * <p>Parsing and comparing allocate nothing but the value itself: the parts are kept as offsets
 * into the original text, because a solver parses every version of a 60k-package index and then
 * compares them many times over.
 */
public final class DebianVersion implements Comparable<DebianVersion> {
    private final String text;
    private final int epoch;
    private final int upstreamStart;
    private final int upstreamEnd;
    /** Start of the revision in {@code text}; it runs to the end. Equal to the length when there is none. */
    private final int revisionStart;
    /** Lazily computed, like String's; 0 means not yet computed. */
    private int hash;

    private DebianVersion(String text, int epoch, int upstreamStart, int upstreamEnd, int revisionStart) {
        this.text = text;
        this.epoch = epoch;
        this.upstreamStart = upstreamStart;
        this.upstreamEnd = upstreamEnd;
        this.revisionStart = revisionStart;
    }

    /**
     * Parses a version as dpkg's {@code parseversion} does, with two differences: dpkg only warns
     * about characters outside the allowed sets, which are errors here, and dpkg trims surrounding
     * blanks and lets {@code strtol} take a sign on the epoch, both refused here.
     *
     * @throws IllegalArgumentException saying what was expected and what was found
     */
    public static DebianVersion parse(String text) {
        Objects.requireNonNull(text, "text");
        int length = text.length();
        if (length == 0) {
            throw invalid(text, "a version", "an empty string");
        }
        int epoch = 0;
        int upstreamStart = 0;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            epoch = parseEpoch(text, colon);
            upstreamStart = colon + 1;
            if (upstreamStart == length) {
                throw invalid(text, "an upstream version after the epoch's ':'", "nothing");
            }
        }
        int upstreamEnd = length;
        int revisionStart = length;
        int hyphen = text.lastIndexOf('-');
        // A hyphen before the colon would have failed the epoch check already.
        if (hyphen >= upstreamStart) {
            upstreamEnd = hyphen;
            revisionStart = hyphen + 1;
            if (revisionStart == length) {
                throw invalid(text, "a revision after the last '-'", "nothing");
            }
        }
        if (upstreamStart == upstreamEnd) {
            throw invalid(text, "an upstream version before the revision's '-'", "nothing");
        }
        // ':' can only be here after an epoch and '-' only before a revision, so one set suffices.
        for (int i = upstreamStart; i < upstreamEnd; i++) {
            char c = text.charAt(i);
            if (!isAsciiAlphanumeric(c) && c != '.' && c != '+' && c != '~' && c != '-' && c != ':') {
                throw invalid(text, "only letters, digits and . + ~ - : in the upstream version", describe(c, i));
            }
        }
        for (int i = revisionStart; i < length; i++) {
            char c = text.charAt(i);
            if (!isAsciiAlphanumeric(c) && c != '.' && c != '+' && c != '~') {
                throw invalid(text, "only letters, digits and . + ~ in the revision", describe(c, i));
            }
        }
        return new DebianVersion(text, epoch, upstreamStart, upstreamEnd, revisionStart);
    }

    /** Compares two version strings as {@code dpkg --compare-versions} does; the sign is what matters. */
    public static int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    public int epoch() {
        return epoch;
    }

    public String upstream() {
        return text.substring(upstreamStart, upstreamEnd);
    }

    /** The Debian revision, or "" when the version has none (which dpkg orders like "0"). */
    public String revision() {
        return text.substring(revisionStart);
    }

    /** Returns -1, 0 or 1. */
    @Override
    public int compareTo(DebianVersion other) {
        if (epoch != other.epoch) {
            return epoch < other.epoch ? -1 : 1;
        }
        int c = compareParts(text, upstreamStart, upstreamEnd, other.text, other.upstreamStart, other.upstreamEnd);
        if (c != 0) {
            return c;
        }
        return compareParts(text, revisionStart, text.length(), other.text, other.revisionStart, other.text.length());
    }

    /**
     * dpkg's verrevcmp on {@code a[i, aEnd)} and {@code b[j, bEnd)}: alternately a run of
     * non-digits compared character by character in {@link #order} and a run of digits compared
     * as a number of any length.
     */
    private static int compareParts(String a, int i, int aEnd, String b, int j, int bEnd) {
        while (i < aEnd || j < bEnd) {
            while ((i < aEnd && !isDigit(a.charAt(i))) || (j < bEnd && !isDigit(b.charAt(j)))) {
                int ac = i < aEnd ? order(a.charAt(i)) : 0;
                int bc = j < bEnd ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return ac < bc ? -1 : 1;
                }
                // Equal orders mean both are the same non-digit, so neither index passes its end.
                i++;
                j++;
            }
            while (i < aEnd && a.charAt(i) == '0') {
                i++;
            }
            while (j < bEnd && b.charAt(j) == '0') {
                j++;
            }
            int firstDiff = 0;
            while (i < aEnd && j < bEnd && isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            // The longer run of significant digits is the larger number.
            if (i < aEnd && isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < bEnd && isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff < 0 ? -1 : 1;
            }
        }
        return 0;
    }

    /**
     * dpkg's weight of a character in a non-digit run: '~' before the end of the part, the end
     * (and a digit, which ends the run) before letters, letters before everything else.
     */
    private static int order(char c) {
        if (isDigit(c)) {
            return 0;
        }
        if (isAsciiLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DebianVersion other && compareTo(other) == 0;
    }

    /**
     * Consistent with {@link #compareTo}: hashes each part with leading zeros dropped from every
     * run of digits and a run of zeros at the very end of a part dropped entirely, since dpkg
     * treats a missing number as 0 ({@code 1.} = {@code 1.0}, revision {@code ""} = {@code "0"}).
     */
    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = epoch;
            h = 31 * hashPart(text, upstreamStart, upstreamEnd, h) + '-';
            h = hashPart(text, revisionStart, text.length(), h);
            hash = h == 0 ? 1 : h;
        }
        return h;
    }

    private static int hashPart(String s, int i, int end, int h) {
        while (i < end) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                h = 31 * h + c;
                i++;
                continue;
            }
            while (i < end && s.charAt(i) == '0') {
                i++;
            }
            if (i == end) {
                break;
            }
            // A marker for the number itself, so that "1.0.1" and "1..1" differ.
            h = 31 * h + 0x10000;
            while (i < end && isDigit(s.charAt(i))) {
                h = 31 * h + s.charAt(i);
                i++;
            }
        }
        return h;
    }

    /** The text exactly as parsed. */
    @Override
    public String toString() {
        return text;
    }

    private static int parseEpoch(String text, int colon) {
        if (colon == 0) {
            throw invalid(text, "digits for the epoch before ':'", "nothing");
        }
        int i = 0;
        for (int k = 0; k < colon; k++) {
            char c = text.charAt(k);
            if (!isDigit(c)) {
                throw invalid(text, "only digits for the epoch before ':'", describe(c, k));
            }
        }
        while (i < colon - 1 && text.charAt(i) == '0') {
            i++;
        }
        // More than 10 significant digits is past int even before multiplying; dpkg caps at INT_MAX.
        long value = 0;
        if (colon - i > 10) {
            value = Long.MAX_VALUE;
        } else {
            for (; i < colon; i++) {
                value = value * 10 + (text.charAt(i) - '0');
            }
        }
        if (value > Integer.MAX_VALUE) {
            throw invalid(text, "an epoch of at most " + Integer.MAX_VALUE, "'" + text.substring(0, colon) + "'");
        }
        return (int) value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return isDigit(c) || isAsciiLetter(c);
    }

    private static String describe(char c, int index) {
        String shown = c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        return shown + " at index " + index;
    }

    private static IllegalArgumentException invalid(String text, String expected, String found) {
        return new IllegalArgumentException("invalid Debian version \"" + text + "\": expected " + expected + ", found " + found);
    }
}
