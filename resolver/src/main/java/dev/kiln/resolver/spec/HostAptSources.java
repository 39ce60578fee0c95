package dev.kiln.resolver.spec;

import dev.kiln.resolver.ResolveException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The binary ({@code deb}) repositories the host's apt is configured with, read from
 * {@code sources.list}, {@code sources.list.d/*.list} (one-line form) and
 * {@code sources.list.d/*.sources} (deb822 form). kiln only takes the mirrors' URLs from here, as
 * defaults for {@code ${DEBIAN_MIRROR}} and {@code ${DEBIAN_SECURITY_MIRROR}}; it never uses the
 * host's keys or options.
 *
 * <p>Reading is lenient: lines and stanzas kiln does not understand are skipped, as are sources
 * that are not http or https. apt itself is the judge of the host's configuration.
 */
public final class HostAptSources {
    /** Where apt keeps its configuration on every Debian and Ubuntu system. */
    public static final Path ETC_APT = Path.of("/etc/apt");

    public static final HostAptSources EMPTY = new HostAptSources(List.of());

    // apt ignores files in sources.list.d whose names hold other characters.
    private static final Pattern PART_NAME = Pattern.compile("[A-Za-z0-9_.-]+\\.(list|sources)");
    private static final Set<String> FALSE = Set.of("no", "false", "off", "0", "disable", "without");

    /**
     * One repository: one URI and one suite.
     *
     * @param origin the file and line it was read from, for messages
     */
    public record Entry(URI uri, String suite, List<String> components, String origin) {
        public Entry {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(suite, "suite");
            components = List.copyOf(components);
            Objects.requireNonNull(origin, "origin");
        }

        boolean isSecurity() {
            return suite.endsWith("-security");
        }
    }

    private final List<Entry> entries;

    private HostAptSources(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static HostAptSources of(List<Entry> entries) {
        return new HostAptSources(entries);
    }

    /** Reads the host's {@code /etc/apt}. */
    public static HostAptSources readHost() {
        return read(ETC_APT);
    }

    /** Reads an apt configuration directory laid out like {@code /etc/apt}; a missing one has no entries. */
    public static HostAptSources read(Path etcApt) {
        List<Entry> entries = new ArrayList<>();
        readOneLineFile(etcApt.resolve("sources.list"), entries);
        Path parts = etcApt.resolve("sources.list.d");
        if (Files.isDirectory(parts)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(parts)) {
                // apt reads the parts in name order; so do we, so the first entry is the same.
                files = list.filter(p -> PART_NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
            } catch (IOException e) {
                throw new ResolveException("cannot list " + parts + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
            for (Path file : files) {
                if (file.getFileName().toString().endsWith(".list")) {
                    readOneLineFile(file, entries);
                } else {
                    readDeb822File(file, entries);
                }
            }
        }
        return new HostAptSources(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * The first non-security mirror, preferring one whose path ends in {@code /debian} over, say,
     * a vendor's repository listed before it.
     */
    public Optional<URI> debianMirror() {
        List<Entry> main = entries.stream().filter(e -> !e.isSecurity()).toList();
        return main.stream()
                .filter(e -> trimSlashes(e.uri()).getPath().endsWith("/debian"))
                .findFirst()
                .or(() -> main.stream().findFirst())
                .map(e -> trimSlashes(e.uri()));
    }

    /** The first mirror of a suite ending in {@code -security}. */
    public Optional<URI> debianSecurityMirror() {
        return entries.stream().filter(Entry::isSecurity).findFirst().map(e -> trimSlashes(e.uri()));
    }

    /** Where the mirror for {@code uri} was configured, for messages. */
    public Optional<String> originOf(URI uri) {
        return entries.stream().filter(e -> trimSlashes(e.uri()).equals(uri)).findFirst().map(Entry::origin);
    }

    private static void readOneLineFile(Path file, List<Entry> entries) {
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (!line.startsWith("deb") || line.startsWith("deb-src")) {
                continue;
            }
            String rest = line.substring(3);
            if (!rest.isEmpty() && !Character.isWhitespace(rest.charAt(0))) {
                continue;
            }
            rest = rest.strip();
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1).strip();
            }
            List<String> words = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
            if (words.size() < 2) {
                continue;
            }
            add(entries, words.get(0), words.get(1), words.subList(2, words.size()), file + ":" + (i + 1));
        }
    }

    private static void readDeb822File(Path file, List<Entry> entries) {
        List<String> lines = readLines(file);
        Map<String, String> stanza = new LinkedHashMap<>();
        String last = null;
        int start = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : "";
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!stanza.isEmpty()) {
                    addStanza(stanza, file + ":" + (start + 1), entries);
                    stanza.clear();
                }
                last = null;
                continue;
            }
            if (stanza.isEmpty()) {
                start = i;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                // a continuation line, e.g. an inline Signed-By key block
                if (last != null) {
                    stanza.merge(last, " " + line.strip(), String::concat);
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            stanza.put(last, line.substring(colon + 1).strip());
        }
    }

    private static void addStanza(Map<String, String> stanza, String origin, List<Entry> entries) {
        if (FALSE.contains(stanza.getOrDefault("enabled", "yes").toLowerCase(Locale.ROOT))) {
            return;
        }
        if (!words(stanza.get("types")).contains("deb")) {
            return;
        }
        List<String> components = words(stanza.get("components"));
        for (String uri : words(stanza.get("uris"))) {
            for (String suite : words(stanza.get("suites"))) {
                add(entries, uri, suite, components, origin);
            }
        }
    }

    private static void add(List<Entry> entries, String uriText, String suite, List<String> components, String origin) {
        if (suite.endsWith("/")) {
            return; // a flat repository is not a Debian mirror
        }
        try {
            URI uri = new URI(uriText);
            String scheme = uri.getScheme();
            if (uri.getHost() != null && ("http".equals(scheme) || "https".equals(scheme))) {
                entries.add(new Entry(uri, suite, components, origin));
            }
        } catch (URISyntaxException e) {
            // not a URL kiln can fetch from; apt will complain about it if it matters
        }
    }

    private static List<String> words(String value) {
        return value == null || value.isBlank() ? List.of() : Arrays.asList(value.strip().split("\\s+"));
    }

    private static List<String> readLines(Path file) {
        try {
            return Arrays.asList(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\\R", -1));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new ResolveException("cannot read the host's apt sources " + file + ": " + dev.kiln.store.IoErrors.why(e)
                    + "; set DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR so kiln need not read them", e);
        }
    }

    private static URI trimSlashes(URI uri) {
        String text = uri.toString();
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '/' && end > text.indexOf("://") + 3) {
            end--;
        }
        return end == text.length() ? uri : URI.create(text.substring(0, end));
    }
}
