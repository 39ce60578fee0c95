package dev.kiln.builder.source;

import dev.kiln.builder.RecipeException;
import dev.kiln.resolver.spec.SourceLine;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source's URL as a recipe writes it: only {@code ${NAME_MIRROR}} variables expand, as in image
 * specs' source lines, so a recipe cannot send other environment values to a server. A variable
 * holding several mirrors (spaces or commas) gives one URL per mirror, tried in order.
 */
public final class SourceUri {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern NAME_OF_MIRROR = Pattern.compile("[A-Z][A-Z0-9_]*_MIRROR");

    private SourceUri() {
    }

    /**
     * Every URL {@code written} stands for, given the mirror variables; {@code schemes} are those allowed
     * (fetch: http, https; git also file).
     *
     * @throws IllegalArgumentException saying what is wrong (the caller places it in the recipe)
     */
    public static List<URI> expand(String written, Map<String, String> mirrors, List<String> schemes) {
        List<String> texts = new ArrayList<>();
        texts.add("");
        Matcher m = VARIABLE.matcher(written);
        int at = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!NAME_OF_MIRROR.matcher(name).matches()) {
                throw new IllegalArgumentException("variable ${" + name + "} cannot be used: only variables named *_MIRROR are expanded,"
                        + " so that a recipe cannot send other environment values to a server");
            }
            String value = mirrors.get(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("${" + name + "} is not set (set now: "
                        + (mirrors.isEmpty() ? "no *_MIRROR variables" : String.join(", ", new java.util.TreeSet<>(mirrors.keySet()))) + ")");
            }
            String literal = written.substring(at, m.start());
            List<String> next = new ArrayList<>();
            for (String t : texts) {
                for (String one : SourceLine.mirrorList(value)) {
                    next.add(t + literal + one);
                }
            }
            texts = next;
            at = m.end();
        }
        String tail = written.substring(at);
        if (tail.contains("${") || tail.contains("$")) {
            throw new IllegalArgumentException("'" + written + "': write variables as ${NAME_MIRROR}, with braces");
        }
        List<URI> out = new ArrayList<>();
        for (String t : texts) {
            URI uri = toUri(t + tail, schemes);
            if (uri == null) {
                throw new IllegalArgumentException("'" + written + "'" + (at == 0 ? "" : " expands to '" + t + tail + "', which")
                        + " is not a " + String.join(" or ", schemes) + " URL");
            }
            if (!out.contains(uri)) {
                out.add(uri);
            }
        }
        return List.copyOf(out);
    }

    /** As {@link #expand}, the error a {@link RecipeException} of kind source naming {@code what}. */
    static List<URI> expandOrThrow(String what, String written, Map<String, String> mirrors, List<String> schemes) {
        try {
            return expand(written, mirrors, schemes);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, what + ": " + e.getMessage()
                    + "\n  fix: set the *_MIRROR variable it names, or write the URL in full");
        }
    }

    private static URI toUri(String text, List<String> schemes) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if (scheme == null || !schemes.contains(scheme)) {
                return null;
            }
            if (!scheme.equals("file") && uri.getHost() == null) {
                return null;
            }
            if (scheme.equals("file") && (uri.getPath() == null || !uri.getPath().startsWith("/"))) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
