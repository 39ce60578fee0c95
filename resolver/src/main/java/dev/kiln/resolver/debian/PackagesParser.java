package dev.kiln.resolver.debian;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a Debian {@code Packages} index (deb822 stanzas) into {@link PackageRecord}s. Works on bytes
 * and decodes only the fields kiln keeps, because a full index is ~45 MB of text and this sits on
 * the cold path of every lock.
 */
public final class PackagesParser {
    private PackagesParser() {
    }

    public static List<PackageRecord> parse(byte[] text, String what) {
        List<PackageRecord> out = new ArrayList<>(65536);
        parse(text, 0, text.length, what, out::add);
        return out;
    }

    private static final int F_NONE = -1, F_PACKAGE = 0, F_VERSION = 1, F_ARCH = 2, F_MA = 3, F_ESSENTIAL = 4,
            F_IMPORTANT = 5, F_PROTECTED = 6, F_PRIORITY = 7, F_SOURCE = 8, F_PREDEP = 9, F_DEP = 10,
            F_REC = 11, F_CONF = 12, F_BREAKS = 13, F_PROV = 14, F_REPL = 15, F_FILE = 16, F_SIZE = 17,
            F_SHA256 = 18, F_COUNT = 19;

    private static final String[] NAMES = {
        "package", "version", "architecture", "multi-arch", "essential", "important", "protected", "priority",
        "source", "pre-depends", "depends", "recommends", "conflicts", "breaks", "provides", "replaces",
        "filename", "size", "sha256",
    };

    public static void parse(byte[] b, int from, int to, String what, Consumer<PackageRecord> sink) {
        String[] f = new String[F_COUNT];
        int field = F_NONE;
        int valueStart = -1;
        StringBuilder cont = null;
        int line = 1;
        int stanzaLine = 1;
        int i = from;
        boolean inStanza = false;
        while (i < to) {
            int eol = i;
            while (eol < to && b[eol] != '\n') {
                eol++;
            }
            int end = eol;
            if (end > i && b[end - 1] == '\r') {
                end--;
            }
            if (end == i || isBlank(b, i, end)) {
                if (inStanza) {
                    finishField(f, field, b, valueStart, to, cont);
                    field = F_NONE;
                    cont = null;
                    emit(f, what, stanzaLine, sink);
                    inStanza = false;
                }
            } else if (b[i] == ' ' || b[i] == '\t') {
                if (!inStanza) {
                    throw new DebianFormatException(what + ":" + line + ": a continuation line outside a stanza");
                }
                if (field != F_NONE) {
                    if (cont == null) {
                        cont = new StringBuilder();
                        cont.append(latin(b, valueStart, valueEndOf(b, valueStart, to)));
                    }
                    cont.append(' ').append(latin(b, i, end).trim());
                }
            } else if (b[i] == '#') {
                // comment lines are allowed in deb822 files
            } else {
                if (inStanza) {
                    finishField(f, field, b, valueStart, to, cont);
                } else {
                    inStanza = true;
                    stanzaLine = line;
                    java.util.Arrays.fill(f, null);
                }
                cont = null;
                int colon = i;
                while (colon < end && b[colon] != ':') {
                    colon++;
                }
                if (colon == end) {
                    throw new DebianFormatException(what + ":" + line + ": expected 'Field: value', found '"
                            + latin(b, i, Math.min(end, i + 60)) + "'");
                }
                field = lookup(b, i, colon);
                int v = colon + 1;
                while (v < end && (b[v] == ' ' || b[v] == '\t')) {
                    v++;
                }
                valueStart = v;
            }
            i = eol + 1;
            line++;
        }
        if (inStanza) {
            finishField(f, field, b, valueStart, to, cont);
            emit(f, what, stanzaLine, sink);
        }
    }

    private static int valueEndOf(byte[] b, int start, int to) {
        int e = start;
        while (e < to && b[e] != '\n') {
            e++;
        }
        while (e > start && (b[e - 1] == '\r' || b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        return e;
    }

    private static void finishField(String[] f, int field, byte[] b, int valueStart, int to, StringBuilder cont) {
        if (field == F_NONE) {
            return;
        }
        f[field] = cont != null ? cont.toString().trim() : latin(b, valueStart, valueEndOf(b, valueStart, to));
    }

    private static void emit(String[] f, String what, int line, Consumer<PackageRecord> sink) {
        if (f[F_PACKAGE] == null) {
            throw new DebianFormatException(what + ":" + line + ": a stanza without a Package field");
        }
        if (f[F_VERSION] == null) {
            throw new DebianFormatException(what + ":" + line + ": package " + f[F_PACKAGE] + " has no Version");
        }
        long size = -1;
        if (f[F_SIZE] != null) {
            try {
                size = Long.parseLong(f[F_SIZE]);
            } catch (NumberFormatException e) {
                throw new DebianFormatException(what + ":" + line + ": package " + f[F_PACKAGE]
                        + ": expected a number in Size, found '" + f[F_SIZE] + "'");
            }
        }
        sink.accept(new PackageRecord(
                f[F_PACKAGE], f[F_VERSION], f[F_ARCH] == null ? "all" : f[F_ARCH], f[F_MA],
                "yes".equals(f[F_ESSENTIAL]),
                "yes".equals(f[F_IMPORTANT]) || "yes".equals(f[F_PROTECTED]),
                PackageRecord.priorityNumber(f[F_PRIORITY]),
                f[F_SOURCE], f[F_PREDEP], f[F_DEP], f[F_REC], f[F_CONF], f[F_BREAKS], f[F_PROV], f[F_REPL],
                f[F_FILE], size, f[F_SHA256]));
    }

    private static int lookup(byte[] b, int from, int to) {
        int len = to - from;
        outer:
        for (int k = 0; k < NAMES.length; k++) {
            String n = NAMES[k];
            if (n.length() != len) {
                continue;
            }
            for (int j = 0; j < len; j++) {
                int c = b[from + j];
                if (c >= 'A' && c <= 'Z') {
                    c += 32;
                }
                if (c != n.charAt(j)) {
                    continue outer;
                }
            }
            return k;
        }
        return F_NONE;
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int j = from; j < to; j++) {
            if (b[j] != ' ' && b[j] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String latin(byte[] b, int from, int to) {
        // the fields kiln keeps are ASCII; ISO-8859-1 decoding is the cheapest exact one for ASCII
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
