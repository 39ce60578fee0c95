package dev.kiln.resolver.debian;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One alternative of a Debian relation field: {@code name[:qualifier] [(op version)]}.
 *
 * @param archQualifier null, {@code any}, {@code native} or an architecture name
 * @param relation null when unversioned
 */
public record Relation(String name, String archQualifier, VersionRelation relation, String version) {

    public boolean versioned() {
        return relation != null;
    }

    /** Whether a package or provision of version {@code candidate} meets this relation's version part. */
    public boolean versionMatches(DebianVersion candidate) {
        return relation == null || relation.holds(candidate, DebianVersion.parse(version));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name);
        if (archQualifier != null) {
            s.append(':').append(archQualifier);
        }
        if (relation != null) {
            s.append(" (").append(relation.symbol()).append(' ').append(version).append(')');
        }
        return s.toString();
    }

    /** Parses a field such as Depends into groups of alternatives ({@code a | b, c}). */
    public static List<List<Relation>> parseGroups(String field, String what) {
        return parseGroups(field, () -> what);
    }

    /** As {@link #parseGroups(String, String)}, with the context for messages built only on an error. */
    public static List<List<Relation>> parseGroups(String field, Supplier<String> what) {
        List<List<Relation>> groups = new ArrayList<>();
        if (field == null || field.isBlank()) {
            return groups;
        }
        for (String group : split(field, ',')) {
            if (group.isBlank()) {
                continue;
            }
            List<Relation> alts = new ArrayList<>(2);
            for (String alt : split(group, '|')) {
                alts.add(parseOne(alt.trim(), field, what));
            }
            groups.add(List.copyOf(alts));
        }
        return List.copyOf(groups);
    }

    /** Parses a field without alternatives (Conflicts, Breaks, Provides, Replaces). */
    public static List<Relation> parseList(String field, String what) {
        return parseList(field, () -> what);
    }

    public static List<Relation> parseList(String field, Supplier<String> what) {
        List<Relation> out = new ArrayList<>();
        for (List<Relation> g : parseGroups(field, what)) {
            if (g.size() != 1) {
                throw new DebianFormatException(what.get() + ": alternatives ('|') are not allowed here: '" + field + "'");
            }
            out.add(g.get(0));
        }
        return List.copyOf(out);
    }

    static Relation parseOne(String text, String field, String what) {
        return parseOne(text, field, () -> what);
    }

    static Relation parseOne(String text, String field, Supplier<String> what) {
        int i = 0;
        int n = text.length();
        int nameStart = i;
        while (i < n && !isSpace(text.charAt(i)) && text.charAt(i) != '(' && text.charAt(i) != ':'
                && text.charAt(i) != '[' && text.charAt(i) != '<') {
            i++;
        }
        String name = text.substring(nameStart, i);
        if (name.isEmpty()) {
            throw new DebianFormatException(what.get() + ": expected a package name in '" + field + "'");
        }
        String qual = null;
        if (i < n && text.charAt(i) == ':') {
            int q = ++i;
            while (i < n && !isSpace(text.charAt(i)) && text.charAt(i) != '(' && text.charAt(i) != '[') {
                i++;
            }
            qual = text.substring(q, i);
        }
        while (i < n && isSpace(text.charAt(i))) {
            i++;
        }
        VersionRelation rel = null;
        String version = null;
        if (i < n && text.charAt(i) == '(') {
            int close = text.indexOf(')', i);
            if (close < 0) {
                throw new DebianFormatException(what.get() + ": unclosed '(' in '" + field + "'");
            }
            String inner = text.substring(i + 1, close).trim();
            int j = 0;
            while (j < inner.length() && "<>=".indexOf(inner.charAt(j)) >= 0) {
                j++;
            }
            String op = inner.substring(0, j);
            version = inner.substring(j).trim();
            if (op.isEmpty() || version.isEmpty()) {
                throw new DebianFormatException(what.get() + ": expected '(op version)' in '" + field + "', found '(" + inner + ")'");
            }
            try {
                rel = VersionRelation.parse(op);
            } catch (IllegalArgumentException e) {
                throw new DebianFormatException(what.get() + ": unknown version relation '" + op + "' in '" + field + "'");
            }
            i = close + 1;
        }
        // architecture restrictions and build profiles belong to source packages; binary indexes
        // do not carry them, and kiln has nothing to evaluate them against, so they are skipped.
        return new Relation(name, qual, rel, version);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == sep) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
