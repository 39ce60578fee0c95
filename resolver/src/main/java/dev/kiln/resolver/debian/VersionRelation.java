package dev.kiln.resolver.debian;

import java.util.Objects;

/** The version relations of Debian dependency fields, as in {@code Depends: libc6 (>= 2.36)}. */
public enum VersionRelation {
    EARLIER("<<"),
    EARLIER_OR_EQUAL("<="),
    EQUAL("="),
    LATER_OR_EQUAL(">="),
    LATER(">>");

    private final String symbol;

    VersionRelation(String symbol) {
        this.symbol = symbol;
    }

    /** The relation as written in a control file: {@code <<}, {@code <=}, {@code =}, {@code >=} or {@code >>}. */
    public String symbol() {
        return symbol;
    }

    /**
     * Parses a relation symbol. Also takes the obsolete {@code <} and {@code >}, which old
     * packages still use and which mean {@code <=} and {@code >=} (not strict), as dpkg reads them.
     */
    public static VersionRelation parse(String symbol) {
        Objects.requireNonNull(symbol, "symbol");
        return switch (symbol) {
            case "<<" -> EARLIER;
            case "<=", "<" -> EARLIER_OR_EQUAL;
            case "=" -> EQUAL;
            case ">=", ">" -> LATER_OR_EQUAL;
            case ">>" -> LATER;
            default -> throw new IllegalArgumentException(
                    "expected a version relation <<, <=, =, >= or >> (or the obsolete < or >), found '" + symbol + "'");
        };
    }

    /** Whether {@code candidate} stands in this relation to {@code bound}: {@code candidate OP bound}. */
    public boolean holds(DebianVersion candidate, DebianVersion bound) {
        int c = candidate.compareTo(bound);
        return switch (this) {
            case EARLIER -> c < 0;
            case EARLIER_OR_EQUAL -> c <= 0;
            case EQUAL -> c == 0;
            case LATER_OR_EQUAL -> c >= 0;
            case LATER -> c > 0;
        };
    }
}
