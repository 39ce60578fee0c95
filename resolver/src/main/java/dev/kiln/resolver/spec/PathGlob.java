package dev.kiln.resolver.spec;

import java.util.regex.Pattern;

/**
 * A path pattern as dpkg's {@code --path-exclude} and {@code --path-include} take it (fnmatch(3)
 * without flags): {@code *} matches any run of characters, {@code /} included; {@code ?} any one
 * character; {@code [...]} one character of a set, with ranges like {@code a-z} and {@code !} or
 * {@code ^} first to negate; {@code \} makes the next character literal. Patterns are absolute
 * ({@code /usr/share/doc/*}), as dpkg matches them against {@code /}-rooted paths.
 *
 * <p>Where fnmatch would quietly take a malformed pattern literally (an unclosed {@code [}, a
 * trailing {@code \}), it is refused here: such a pattern is nearly always a typo.
 */
public final class PathGlob {
    private final String text;
    private final Pattern regex;

    private PathGlob(String text, Pattern regex) {
        this.text = text;
        this.regex = regex;
    }

    /**
     * The pattern in {@code text}.
     *
     * @throws IllegalArgumentException saying what is wrong: not absolute, an unclosed {@code [},
     *     a trailing {@code \}, a POSIX class such as {@code [:alpha:]}
     */
    public static PathGlob parse(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a pattern must be absolute (start with '/'), as dpkg matches it against /usr/...");
        }
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            switch (c) {
                case '*' -> {
                    re.append(".*");
                    i++;
                }
                case '?' -> {
                    re.append('.');
                    i++;
                }
                case '\\' -> {
                    if (i + 1 == text.length()) {
                        throw new IllegalArgumentException("a '\\' at the end escapes nothing");
                    }
                    int escaped = text.codePointAt(i + 1);
                    re.append(literal(escaped));
                    i += 1 + Character.charCount(escaped);
                }
                case '[' -> i = bracket(text, i, re);
                default -> {
                    re.append(literal(c));
                    i += Character.charCount(c);
                }
            }
        }
        return new PathGlob(text, Pattern.compile(re.toString(), Pattern.DOTALL));
    }

    /** Reads {@code [...]} starting at {@code open}; returns the index after its {@code ]}. */
    private static int bracket(String text, int open, StringBuilder re) {
        int i = open + 1;
        StringBuilder set = new StringBuilder("[");
        if (i < text.length() && (text.charAt(i) == '!' || text.charAt(i) == '^')) {
            set.append('^');
            i++;
        }
        boolean first = true;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (c == ']' && !first) {
                re.append(set).append(']');
                return i + 1;
            }
            if (c == '[' && i + 1 < text.length() && (text.charAt(i + 1) == ':' || text.charAt(i + 1) == '=' || text.charAt(i + 1) == '.')) {
                throw new IllegalArgumentException("character classes like [:alpha:] are not supported; list the characters, e.g. [a-z]");
            }
            if (c == '\\') {
                if (i + 1 == text.length()) {
                    break;
                }
                c = text.codePointAt(++i);
            }
            i += Character.charCount(c);
            set.append(literal(c));
            if (i + 1 < text.length() && text.charAt(i) == '-' && text.charAt(i + 1) != ']') {
                int to = text.codePointAt(i + 1);
                if (to < c) {
                    throw new IllegalArgumentException("the range " + Character.toString(c) + "-" + Character.toString(to)
                            + " runs backwards");
                }
                set.append('-').append(literal(to));
                i += 1 + Character.charCount(to);
            }
            first = false;
        }
        throw new IllegalArgumentException("the '[' at position " + (open + 1) + " is not closed by ']'");
    }

    /** A code point as a regex escape, so that no character of the pattern means anything to java.util.regex. */
    private static String literal(int c) {
        return "\\x{" + Integer.toHexString(c) + "}";
    }

    /** Whether the whole of {@code path} matches. */
    public boolean matches(String path) {
        return regex.matcher(path).matches();
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathGlob g && g.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
