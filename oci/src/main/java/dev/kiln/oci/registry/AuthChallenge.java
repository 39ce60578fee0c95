package dev.kiln.oci.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme ({@code bearer}, {@code basic},
 * lowercased) and its parameters, e.g. {@code Bearer realm="https://auth.example/token",service="registry"}.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    AuthChallenge {
        params = Map.copyOf(params);
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** Every challenge in the given header values, in order; what cannot be parsed is skipped. */
    static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).challenges(out);
        }
        return out;
    }

    /** The first challenge of {@code scheme} (lowercase) among {@code challenges}. */
    static Optional<AuthChallenge> first(List<AuthChallenge> challenges, String scheme) {
        return challenges.stream().filter(c -> c.scheme().equals(scheme)).findFirst();
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void challenges(List<AuthChallenge> out) {
            skip();
            while (i < s.length()) {
                String scheme = token();
                if (scheme.isEmpty()) {
                    return; // not a header we understand: what was parsed stands
                }
                Map<String, String> params = new LinkedHashMap<>();
                skip();
                while (i < s.length()) {
                    int mark = i;
                    String name = token();
                    skip();
                    if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
                        i = mark; // the next challenge's scheme
                        break;
                    }
                    i++;
                    skip();
                    params.put(name.toLowerCase(Locale.ROOT), i < s.length() && s.charAt(i) == '"' ? quoted() : bare());
                    skip();
                }
                out.add(new AuthChallenge(scheme.toLowerCase(Locale.ROOT), params));
            }
        }

        /** Skips white space and commas, which separate parameters and challenges alike. */
        private void skip() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
                i++;
            }
        }

        private String token() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "!#$%&'*+-.^_`|~".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            return s.substring(start, i);
        }

        /** An unquoted value: up to the next comma (servers write URLs here too, which are no tokens). */
        private String bare() {
            int start = i;
            while (i < s.length() && s.charAt(i) != ',') {
                i++;
            }
            return s.substring(start, i).trim();
        }

        private String quoted() {
            StringBuilder b = new StringBuilder();
            i++; // the opening quote
            while (i < s.length() && s.charAt(i) != '"') {
                if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                    i++;
                }
                b.append(s.charAt(i++));
            }
            i++; // the closing quote
            return b.toString();
        }
    }
}
