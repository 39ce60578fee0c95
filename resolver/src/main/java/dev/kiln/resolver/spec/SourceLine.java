package dev.kiln.resolver.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian repository as a spec declares it, in apt's one-line form:
 * {@code deb [signed-by=keys/debian.asc arch=amd64,arm64] ${DEBIAN_MIRROR} bookworm main contrib}.
 *
 * <p>{@link #written()} keeps the text exactly as written, with {@code ${VAR}} unexpanded: the
 * lockfile stores that, so it never names the host a build happened to use. {@link #expandUri}
 * gives the URL to fetch from.
 *
 * <p>Besides http and https, a repository may be a directory on this machine: {@code file:/srv/repo}
 * or {@code file:///srv/repo} (absolute), or {@code file:../repo} (relative to the spec's directory,
 * the {@code baseDir} of {@link #expandAll(Map, Path)}). A {@code ${X_MIRROR}} variable may hold a
 * {@code file:} URL too. A directory is not trusted more than a mirror: its InRelease is checked with
 * the line's keys and every file against the hashes it lists.
 *
 * @param written the line exactly as given to {@link #parse}
 * @param uriTemplate the repository URI, possibly holding {@code ${NAME}} variables
 * @param suite the suite or codename, e.g. {@code bookworm-security}
 * @param components at least one, e.g. {@code main}
 * @param signedBy key file paths from {@code signed-by=}, as written (relative ones are resolved
 *     later against the project directory); empty means every key in {@code keys/} is trusted
 * @param archs Debian architecture names from {@code arch=}; empty means the spec's archs
 */
public record SourceLine(
        String written,
        String uriTemplate,
        String suite,
        List<String> components,
        List<String> signedBy,
        List<String> archs) {

    // Only *_MIRROR variables: a spec from someone else must not be able to send, say, a token
    // from the builder's environment to a server of its choosing.
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern NAME_OF_MIRROR = Pattern.compile("[A-Z][A-Z0-9_]*_MIRROR");
    private static final Pattern SUITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+/-]*");
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+/-]*");
    private static final String FORM = "deb [signed-by=FILE arch=ARCH,...] URI SUITE COMPONENT...";

    public SourceLine {
        Objects.requireNonNull(written, "written");
        Objects.requireNonNull(uriTemplate, "uriTemplate");
        Objects.requireNonNull(suite, "suite");
        components = List.copyOf(components);
        signedBy = List.copyOf(signedBy);
        archs = List.copyOf(archs);
    }

    /** Parses one line; throws {@link SpecException} (without file or line) naming what is wrong. */
    public static SourceLine parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new SpecException("expected one source line, found several lines", "write each repository as its own list item");
        }
        String rest = text.strip();
        if (rest.isEmpty()) {
            throw new SpecException("expected a source line like '" + FORM + "', found an empty string", null);
        }
        String type = rest.split("\\s+", 2)[0];
        if (type.equals("deb-src")) {
            throw new SpecException("'deb-src' sources hold source packages, which kiln does not use", "write 'deb' for binary packages");
        }
        if (!type.equals("deb")) {
            throw new SpecException("expected a source line starting with 'deb', found '" + type + "'", "write '" + FORM + "'");
        }
        rest = rest.substring(type.length()).strip();

        List<String> signedBy = new ArrayList<>();
        List<String> archs = new ArrayList<>();
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new SpecException("the options '[' are not closed by ']' in '" + text + "'", "write '" + FORM + "'");
            }
            parseOptions(rest.substring(1, close), signedBy, archs);
            rest = rest.substring(close + 1).strip();
        }

        List<String> words = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
        if (words.size() < 2) {
            throw new SpecException("expected a URI and a suite after 'deb', found '" + rest + "'", "write '" + FORM + "'");
        }
        String uriTemplate = words.get(0);
        checkUriTemplate(uriTemplate);
        String suite = words.get(1);
        if (suite.endsWith("/")) {
            throw new SpecException(
                    "suite '" + suite + "' names a flat repository, which kiln does not support yet",
                    "use a repository with dists/SUITE/ (a suite like 'bookworm' and components)");
        }
        if (!SUITE.matcher(suite).matches()) {
            throw new SpecException("expected a suite like 'bookworm' or 'bookworm-security', found '" + suite + "'", null);
        }
        List<String> components = words.subList(2, words.size());
        if (components.isEmpty()) {
            throw new SpecException("expected at least one component after suite '" + suite + "'", "e.g. '" + "deb " + uriTemplate + " " + suite + " main'");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String c : components) {
            if (!COMPONENT.matcher(c).matches()) {
                throw new SpecException("expected a component like 'main', found '" + c + "'", null);
            }
            if (!seen.add(c)) {
                throw new SpecException("component '" + c + "' is listed twice", null);
            }
        }
        return new SourceLine(text, uriTemplate, suite, components, signedBy, archs);
    }

    /** The names of the {@code ${NAME}} variables in the URI, in order of appearance. */
    public List<String> variables() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(uriTemplate);
        while (m.find()) {
            names.add(m.group(1));
        }
        return List.copyOf(names);
    }

    /**
     * The repository URI with each {@code ${NAME}} replaced by {@code env.get(NAME)}. An unset or
     * empty variable is an error that says what to set. A relative {@code file:} URI is refused
     * here: {@link #expandUri(Map, Path)} says what it is relative to.
     */
    public URI expandUri(Map<String, String> env) {
        return expandUri(env, null);
    }

    /**
     * As {@link #expandUri(Map)}; a {@code file:} repository comes back as an absolute
     * {@code file:///...} URI ending in {@code /}, a relative one resolved against {@code baseDir}
     * (the spec's directory; null when there is none, which makes a relative one an error).
     */
    public URI expandUri(Map<String, String> env, Path baseDir) {
        Matcher m = VARIABLE.matcher(uriTemplate);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                throw unset(name, env);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        String expanded = sb.toString();
        if (isFileUri(expanded)) {
            return fileUri(expanded, baseDir);
        }
        URI uri = toHttpUri(expanded);
        if (uri == null) {
            throw new SpecException(
                    "'" + written + "': the URI expands to '" + expanded + "', which is not an http or https URL or a file: path",
                    variables().isEmpty() ? null : "set " + String.join(", ", variables()) + " to a URL like http://mirror.example/debian");
        }
        return uri;
    }

    /**
     * Every URI the line stands for when a variable holds several mirrors separated by spaces or
     * commas ({@code DEBIAN_MIRROR="http://a/debian http://b/debian"}), in the order given: the
     * first is used for metadata, all are tried in turn for packages. A relative {@code file:}
     * repository is refused; see {@link #expandAll(Map, Path)}.
     */
    public List<URI> expandAll(Map<String, String> env) {
        return expandAll(env, null);
    }

    /**
     * As {@link #expandAll(Map)}, a relative {@code file:} repository resolved against
     * {@code baseDir}, the spec's directory (see {@link #expandUri(Map, Path)}).
     */
    public List<URI> expandAll(Map<String, String> env, Path baseDir) {
        List<Map<String, String>> choices = new java.util.ArrayList<>();
        choices.add(new java.util.HashMap<>(env));
        for (String name : variables()) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                throw unset(name, env);
            }
            List<Map<String, String>> next = new java.util.ArrayList<>();
            for (Map<String, String> c : choices) {
                for (String one : mirrorList(value)) {
                    Map<String, String> m = new java.util.HashMap<>(c);
                    m.put(name, one);
                    next.add(m);
                }
            }
            choices = next;
        }
        List<URI> out = new java.util.ArrayList<>();
        for (Map<String, String> c : choices) {
            URI u = expandUri(c, baseDir);
            if (!out.contains(u)) {
                out.add(u);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether the line names a repository on this machine ({@code file:}) with these variables; a
     * line whose variables are unset is not (its expansion reports them).
     */
    public boolean isFile(Map<String, String> env) {
        Matcher m = VARIABLE.matcher(uriTemplate);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || value.isBlank()) {
                return false;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(mirrorList(value).get(0)));
        }
        m.appendTail(sb);
        return isFileUri(sb.toString());
    }

    /**
     * Whether the line names a {@code file:} repository relative to the spec's directory, as
     * written ({@code file:../repo}); a variable's value is not looked at.
     */
    public boolean isRelativeFile() {
        return isFileUri(uriTemplate) && uriTemplate.charAt("file:".length()) != '/';
    }

    /** Whether a repository URI is a {@code file:} one (case-insensitive scheme). */
    public static boolean isFileUri(String text) {
        return text.regionMatches(true, 0, "file:", 0, 5);
    }

    /** Whether a repository URI (as expanded) is a {@code file:} one. */
    public static boolean isFileUri(URI uri) {
        return "file".equalsIgnoreCase(uri.getScheme());
    }

    /** The directory a {@code file:} URI (absolute, as {@link #expandUri(Map, Path)} gives) names. */
    public static Path directoryOf(URI uri) {
        if (!isFileUri(uri)) {
            throw new IllegalArgumentException("not a file: URI: " + uri);
        }
        return Path.of(uri);
    }

    /** The mirrors a variable's value names, in order: separated by spaces or commas. */
    public static List<String> mirrorList(String value) {
        return List.of(value.trim().split("[\\s,]+"));
    }

    @Override
    public String toString() {
        return written;
    }

    private static void parseOptions(String options, List<String> signedBy, List<String> archs) {
        Set<String> seen = new TreeSet<>();
        for (String option : options.strip().split("\\s+")) {
            if (option.isEmpty()) {
                continue;
            }
            int eq = option.indexOf('=');
            String name = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? "" : option.substring(eq + 1);
            if (!name.equals("signed-by") && !name.equals("arch")) {
                String hint = name.equals("trusted")
                        ? "kiln always checks a repository's signature; give its key with signed-by="
                        : "kiln understands signed-by= and arch=";
                throw new SpecException("unknown source option '" + option + "'", hint);
            }
            if (!seen.add(name)) {
                throw new SpecException("option '" + name + "=' is given twice", "give several values comma-separated: " + name + "=a,b");
            }
            List<String> values = Arrays.asList(value.split(",", -1));
            if (value.isEmpty() || values.contains("")) {
                throw new SpecException("option '" + option + "' has an empty value", "write " + name + "=VALUE[,VALUE...]");
            }
            if (name.equals("signed-by")) {
                signedBy.addAll(values);
            } else {
                for (String arch : values) {
                    if (!Architectures.isDebian(arch)) {
                        throw new SpecException("unknown architecture '" + arch + "' in '" + option + "'", "use a Debian name: " + String.join(", ", Architectures.DEBIAN));
                    }
                    if (archs.contains(arch)) {
                        throw new SpecException("architecture '" + arch + "' is listed twice in '" + option + "'", null);
                    }
                    archs.add(arch);
                }
            }
        }
    }

    private static void checkUriTemplate(String template) {
        int at = 0;
        for (int i = template.indexOf('$'); i >= 0; i = template.indexOf('$', at)) {
            Matcher m = VARIABLE.matcher(template).region(i, template.length());
            if (!m.lookingAt()) {
                throw new SpecException("expected a variable like ${DEBIAN_MIRROR} in URI '" + template + "'", "write ${NAME}, with braces");
            }
            String name = m.group(1);
            if (!NAME_OF_MIRROR.matcher(name).matches()) {
                throw new SpecException(
                        "variable ${" + name + "} cannot be used: only variables named *_MIRROR are expanded, so that a spec cannot send other environment values to a server",
                        "rename it, e.g. ${" + name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_") + "_MIRROR}");
            }
            at = m.end();
        }
        if (at == 0 && isFileUri(template)) {
            fileUri(template, null, false); // its form; where a relative one lies is known when it is expanded
        } else if (at == 0 && toHttpUri(template) == null) {
            throw new SpecException("expected an http or https URL, a file: path or ${DEBIAN_MIRROR}, found '" + template + "'",
                    "write http://mirror.example/debian, file:../repo (relative to the spec's directory) or file:/srv/repo");
        }
    }

    private URI fileUri(String text, Path baseDir) {
        return fileUri(text, baseDir, true);
    }

    /**
     * A {@code file:} URI's directory as an absolute {@code file:///.../} URI: {@code file:/abs},
     * {@code file:///abs} or {@code file:rel} (against {@code baseDir}); with {@code resolve} false
     * only its form is checked (and null returned).
     */
    private static URI fileUri(String text, Path baseDir, boolean resolve) {
        String rest = text.substring("file:".length());
        String fix = "write file:/srv/repo or file:///srv/repo (absolute), or file:../repo (relative to the spec's directory)";
        String path;
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            if (!host.isEmpty()) {
                throw new SpecException("'" + text + "' names the host '" + host + "': a file: repository is a directory on this machine",
                        fix);
            }
            path = rest.substring(2);
        } else {
            path = rest;
        }
        if (path.isEmpty() || path.contains("?") || path.contains("#") || path.contains("%") || path.contains("\\")) {
            throw new SpecException("expected a directory after 'file:', found '" + text + "'", fix);
        }
        Path dir;
        try {
            dir = Path.of(path);
        } catch (InvalidPathException e) {
            throw new SpecException("'" + text + "' is not a path: " + e.getReason(), fix);
        }
        if (!resolve) {
            return null;
        }
        if (!dir.isAbsolute()) {
            if (baseDir == null) {
                throw new SpecException("'" + text + "' is relative to the spec's directory, and there is none here",
                        "write an absolute file: path, or give the directory the spec was in");
            }
            dir = baseDir.toAbsolutePath().resolve(dir);
        }
        String uri = dir.normalize().toUri().toString();
        return URI.create(uri.endsWith("/") ? uri : uri + "/");
    }

    private static URI toHttpUri(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private SpecException unset(String name, Map<String, String> env) {
        String problem = "'" + written + "': ${" + name + "} is not set";
        String hint;
        if (name.equals(MirrorEnvironment.DEBIAN_MIRROR)) {
            problem += " and the host has no Debian apt source to take it from";
            hint = "set DEBIAN_MIRROR to a Debian mirror URL (e.g. DEBIAN_MIRROR=http://mirror.example/debian)"
                    + " or add an apt source under /etc/apt/sources.list.d/";
        } else if (name.equals(MirrorEnvironment.DEBIAN_SECURITY_MIRROR)) {
            problem += " and the host has no apt source for a -security suite to take it from";
            hint = "set DEBIAN_SECURITY_MIRROR to a Debian security mirror URL (e.g. DEBIAN_SECURITY_MIRROR=http://mirror.example/debian-security)"
                    + " or add an apt source for bookworm-security (or your release's) under /etc/apt/sources.list.d/";
        } else {
            hint = "set " + name + " in the environment";
        }
        List<String> names = env.entrySet().stream()
                .filter(e -> NAME_OF_MIRROR.matcher(e.getKey()).matches() && e.getValue() != null && !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        hint += names.isEmpty() ? " (no *_MIRROR variables are set)" : " (set now: " + String.join(", ", names) + ")";
        return new SpecException(problem, hint);
    }
}
