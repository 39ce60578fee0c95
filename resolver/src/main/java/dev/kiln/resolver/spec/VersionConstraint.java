package dev.kiln.resolver.spec;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Debian version relation on a requested package, e.g. {@code >= 2.36}. The version stays a
 * string here; the resolver parses and compares it.
 */
public record VersionConstraint(Relation relation, String version) {
    // epoch:upstream-revision, loosely: dpkg itself only warns about most oddities.
    private static final Pattern VERSION = Pattern.compile("(?:[0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~:-]*");

    /** Debian's five relations, written as in a Depends field. */
    public enum Relation {
        EARLIER("<<"),
        EARLIER_OR_EQUAL("<="),
        EQUAL("="),
        LATER_OR_EQUAL(">="),
        LATER(">>");

        private final String symbol;

        Relation(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** The relation written {@code symbol}, or null. */
        static Relation ofSymbol(String symbol) {
            for (Relation r : values()) {
                if (r.symbol.equals(symbol)) {
                    return r;
                }
            }
            return null;
        }
    }

    public VersionConstraint {
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(version, "version");
        if (!isVersion(version)) {
            throw new IllegalArgumentException("not a Debian version: '" + version + "'");
        }
    }

    static boolean isVersion(String text) {
        return VERSION.matcher(text).matches();
    }

    @Override
    public String toString() {
        return relation.symbol + " " + version;
    }
}
