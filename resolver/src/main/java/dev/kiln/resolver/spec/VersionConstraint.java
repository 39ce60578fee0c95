package dev.kiln.resolver.spec;

import dev.kiln.resolver.debian.VersionRelation;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Debian version relation on a requested package, e.g. {@code >= 2.36}. The version stays a
 * string here; the resolver parses and compares it.
 */
public record VersionConstraint(VersionRelation relation, String version) {
    // epoch:upstream-revision, loosely: dpkg itself only warns about most oddities.
    private static final Pattern VERSION = Pattern.compile("(?:[0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~:-]*");

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
        return relation.symbol() + " " + version;
    }
}
