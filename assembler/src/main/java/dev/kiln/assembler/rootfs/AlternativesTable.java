package dev.kiln.assembler.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The alternatives of packages whose scripts {@link AlternativesScript} cannot read (loops,
 * variables, generated slaves), as dpkg recorded them after a real install: the resource
 * {@value #RESOURCE}, written by {@code scripts/alternatives-table} from the state files
 * update-alternatives keeps under {@code /var/lib/dpkg/alternatives} (of an mmdebstrap root, or
 * any Debian system). One line per registration: the package, the version it was recorded from,
 * then the {@code update-alternatives} arguments, with {@code ${arch}} for the Debian
 * architecture; or {@code none} for a package whose calls register nothing on a fresh install. A package in the table is taken from the table alone, whatever its version.
 */
final class AlternativesTable {
    static final String RESOURCE = "alternatives.table";

    /** A package's registrations and the version they were recorded from. */
    record Entry(String recordedVersion, List<AlternativeInstall> installs) {
        Entry {
            installs = List.copyOf(installs);
        }
    }

    private final Map<String, Entry> packages;

    private AlternativesTable(Map<String, Entry> packages) {
        this.packages = packages;
    }

    /** The table kiln ships, with {@code ${arch}} set to {@code arch}. */
    static AlternativesTable shipped(String arch) {
        try (InputStream in = AlternativesTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from kiln's assembler");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), arch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AlternativesTable parse(String text, String arch) {
        Map<String, String> versions = new TreeMap<>();
        Map<String, List<AlternativeInstall>> installs = new TreeMap<>();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            List<String> words = Arrays.asList(l.replace("${arch}", arch).split("\\s+"));
            if (words.size() == 3 && words.get(2).equals("none")) {
                versions.put(words.get(0), words.get(1));
                installs.computeIfAbsent(words.get(0), k -> new ArrayList<>());
                continue;
            }
            Optional<AlternativeInstall> install = words.size() < 3 ? Optional.empty()
                    : AlternativeInstall.parse(words.get(0), words.subList(2, words.size()));
            if (install.isEmpty()) {
                throw new IllegalStateException(RESOURCE + ":" + lineNumber + ": expected 'PACKAGE VERSION --install LINK NAME PATH PRIORITY"
                        + " [--slave LINK NAME PATH]...', found: " + l);
            }
            versions.put(words.get(0), words.get(1));
            installs.computeIfAbsent(words.get(0), k -> new ArrayList<>()).add(install.get());
        }
        Map<String, Entry> packages = new TreeMap<>();
        installs.forEach((pkg, list) -> packages.put(pkg, new Entry(versions.get(pkg), list)));
        return new AlternativesTable(packages);
    }

    Optional<Entry> get(String pkg) {
        return Optional.ofNullable(packages.get(pkg));
    }
}
