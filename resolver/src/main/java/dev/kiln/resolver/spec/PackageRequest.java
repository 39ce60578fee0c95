package dev.kiln.resolver.spec;

import java.util.Objects;
import dev.kiln.resolver.debian.VersionRelation;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A package a spec asks for: a name, and optionally a version constraint. Written
 * {@code libc6}, {@code libc6 (>= 2.36)} (any of {@code << <= = >= >>}) or
 * {@code libc6=2.36-9+deb12u14} (exactly that version).
 */
public record PackageRequest(String name, Optional<VersionConstraint> constraint) {
    /** Debian policy 5.6.1: at least two characters, lowercase letters, digits, + - and . */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Pattern WITH_RELATION =
            Pattern.compile("(\\S+?)\\s*\\(\\s*([<>=]+)\\s*(\\S+?)\\s*\\)");
    private static final Pattern WITH_EQUALS = Pattern.compile("([^=\\s]+)=(\\S+)");
    static final String FORMS = "'libc6', 'libc6 (>= 2.36)' or 'libc6=2.36-9+deb12u14'";

    public PackageRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(constraint, "constraint");
        if (!isName(name)) {
            throw new IllegalArgumentException("not a Debian package name: '" + name + "'");
        }
    }

    public static PackageRequest of(String name) {
        return new PackageRequest(name, Optional.empty());
    }

    /** Parses one of the three forms; throws {@link SpecException} (without file or line) otherwise. */
    public static PackageRequest parse(String text) {
        String s = text.strip();
        Matcher m = WITH_RELATION.matcher(s);
        if (m.matches()) {
            String symbol = m.group(2);
            VersionRelation relation = ofSymbol(symbol);
            if (relation == null) {
                String hint = symbol.equals("<") ? "write '<<' for strictly earlier or '<=' for earlier or equal"
                        : symbol.equals(">") ? "write '>>' for strictly later or '>=' for later or equal"
                        : "use one of << <= = >= >>";
                throw new SpecException("'" + symbol + "' in '" + text + "' is not a version relation", hint);
            }
            return build(text, m.group(1), relation, m.group(3));
        }
        m = WITH_EQUALS.matcher(s);
        if (m.matches()) {
            return build(text, m.group(1), VersionRelation.EQUAL, m.group(2));
        }
        checkName(text, s);
        return of(s);
    }

    /** True if {@code name} follows Debian's rules for package names. */
    public static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Written back in the Depends-field form, e.g. {@code libc6 (>= 2.36)}. */
    @Override
    public String toString() {
        return constraint.map(c -> name + " (" + c + ")").orElse(name);
    }

    private static PackageRequest build(String text, String name, VersionRelation relation, String version) {
        checkName(text, name);
        if (!VersionConstraint.isVersion(version)) {
            throw new SpecException("'" + version + "' in '" + text + "' is not a Debian version",
                    "a version looks like 2.36, 2.36-9+deb12u14 or 1:2.36-9");
        }
        return new PackageRequest(name, Optional.of(new VersionConstraint(relation, version)));
    }

    private static void checkName(String text, String name) {
        if (isName(name)) {
            return;
        }
        String hint = null;
        if (name.indexOf(':') > 0 && isName(name.substring(0, name.indexOf(':')))) {
            hint = "architecture qualifiers are not supported; 'archs' chooses the architectures";
        } else if (isName(name.toLowerCase(java.util.Locale.ROOT))) {
            hint = "Debian package names are lowercase";
        }
        throw new SpecException("expected a package name like " + FORMS + ", found '" + text + "'", hint);
    }

    /** The relation written exactly {@code symbol} (the obsolete '<' and '>' are not accepted in specs), or null. */
    private static VersionRelation ofSymbol(String symbol) {
        for (VersionRelation r : VersionRelation.values()) {
            if (r.symbol().equals(symbol)) {
                return r;
            }
        }
        return null;
    }
}
