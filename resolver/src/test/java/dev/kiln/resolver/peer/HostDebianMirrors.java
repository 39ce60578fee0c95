package dev.kiln.resolver.peer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian mirror URIs for live tests, read at run time: {@code DEBIAN_MIRROR} and
 * {@code DEBIAN_SECURITY_MIRROR} when set, else the host's own apt sources (deb822
 * {@code /etc/apt/sources.list.d/*.sources}, one-line {@code /etc/apt/sources.list} and
 * {@code sources.list.d/*.list}). A stand-in until kiln's own host-sources reader exists.
 */
public final class HostDebianMirrors {

    /** One {@code deb} entry of the host's sources: a URI and one suite. */
    record Entry(String uri, String suite) {}

    private final List<Entry> entries;
    private final Map<String, String> env;

    HostDebianMirrors(List<Entry> entries, Map<String, String> env) {
        this.entries = List.copyOf(entries);
        this.env = env;
    }

    /** Reads this host's apt sources and environment. */
    public static HostDebianMirrors ofHost() {
        return of(Path.of("/etc/apt"), System.getenv());
    }

    static HostDebianMirrors of(Path etcApt, Map<String, String> env) {
        List<Entry> entries = new ArrayList<>();
        try {
            Path list = etcApt.resolve("sources.list");
            if (Files.isRegularFile(list)) {
                entries.addAll(parseOneLine(Files.readString(list, StandardCharsets.UTF_8)));
            }
            Path parts = etcApt.resolve("sources.list.d");
            if (Files.isDirectory(parts)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(parts)) {
                    files = s.sorted().toList();
                }
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".list")) {
                        entries.addAll(parseOneLine(Files.readString(f, StandardCharsets.UTF_8)));
                    } else if (name.endsWith(".sources")) {
                        entries.addAll(parseDeb822(Files.readString(f, StandardCharsets.UTF_8)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HostDebianMirrors(entries, env);
    }

    /** The Debian archive URI (no trailing slash): {@code DEBIAN_MIRROR} or the host's. */
    public Optional<String> debian() {
        String e = env.get("DEBIAN_MIRROR");
        if (e != null && !e.isBlank()) {
            return Optional.of(trim(e));
        }
        // prefer a URI whose path ends in /debian, then any non-security entry
        Optional<String> named = entries.stream().filter(x -> !isSecurity(x.suite()))
                .map(Entry::uri).filter(u -> u.endsWith("/debian")).findFirst();
        return named.isPresent() ? named
                : entries.stream().filter(x -> !isSecurity(x.suite())).map(Entry::uri).findFirst();
    }

    /**
     * The Debian security archive URI: {@code DEBIAN_SECURITY_MIRROR}, else the host's entry for a
     * {@code *-security} suite, else the Debian mirror with {@code -security} appended (the layout
     * of the Debian mirror network: {@code .../debian} and {@code .../debian-security}).
     */
    public Optional<String> security() {
        String e = env.get("DEBIAN_SECURITY_MIRROR");
        if (e != null && !e.isBlank()) {
            return Optional.of(trim(e));
        }
        Optional<String> host = entries.stream().filter(x -> isSecurity(x.suite())).map(Entry::uri).findFirst();
        return host.isPresent() ? host
                : debian().filter(u -> u.endsWith("/debian")).map(u -> u + "-security");
    }

    List<Entry> entries() {
        return entries;
    }

    private static boolean isSecurity(String suite) {
        return suite.endsWith("-security") || suite.endsWith("/updates");
    }

    static List<Entry> parseOneLine(String text) {
        List<Entry> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            // deb [opt=val ...] uri suite [component...]
            String rest = line;
            if (!rest.startsWith("deb ") && !rest.startsWith("deb\t")) {
                continue; // deb-src and anything else
            }
            rest = rest.substring(4).strip();
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1).strip();
            }
            String[] words = rest.split("\\s+");
            if (words.length >= 2 && usable(words[0])) {
                out.add(new Entry(trim(words[0]), words[1]));
            }
        }
        return out;
    }

    static List<Entry> parseDeb822(String text) {
        List<Entry> out = new ArrayList<>();
        for (Map<String, String> stanza : stanzas(text)) {
            String enabled = stanza.getOrDefault("enabled", "yes").strip().toLowerCase(Locale.ROOT);
            if (enabled.equals("no") || enabled.equals("false")) {
                continue;
            }
            List<String> types = List.of(stanza.getOrDefault("types", "").strip().split("\\s+"));
            if (!types.contains("deb")) {
                continue;
            }
            for (String uri : stanza.getOrDefault("uris", "").strip().split("\\s+")) {
                if (!usable(uri)) {
                    continue;
                }
                for (String suite : stanza.getOrDefault("suites", "").strip().split("\\s+")) {
                    if (!suite.isEmpty()) {
                        out.add(new Entry(trim(uri), suite));
                    }
                }
            }
        }
        return out;
    }

    private static List<Map<String, String>> stanzas(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String lastKey = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!cur.isEmpty()) {
                    out.add(cur);
                    cur = new LinkedHashMap<>();
                }
                lastKey = null;
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (lastKey != null) {
                    cur.merge(lastKey, "\n" + line.strip(), String::concat);
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            lastKey = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            cur.put(lastKey, line.substring(colon + 1).strip());
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private static boolean usable(String uri) {
        return uri.startsWith("http://") || uri.startsWith("https://") || uri.startsWith("file:");
    }

    private static String trim(String uri) {
        String u = uri.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
