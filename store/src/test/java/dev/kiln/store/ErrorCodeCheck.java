package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What every module's error-code test holds its codes to. The codes are a published interface
 * (exception trackers and CI scripts group by them), so each module pins its list, finds every
 * {@link KilnException} class it has (a new one must be looked at), and the README's table of
 * error codes must list each code.
 */
public final class ErrorCodeCheck {
    private static final Pattern CODE = Pattern.compile("[a-z]+(\\.[a-z]+(-[a-z]+)*)*");
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (.+) \\|$");
    private static final String SECTION = "## Errors";

    private ErrorCodeCheck() {}

    /** The names of the KilnException classes in the module (classes directory) that holds {@code anyClass}, sorted. */
    public static List<String> exceptionClasses(Class<?> anyClass) {
        Path classes;
        try {
            classes = Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, anyClass.getClassLoader());
                if (KilnException.class.isAssignableFrom(c)) {
                    out.add(c.getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** The codes the README's table under "## Errors" lists, each with what it means, in table order. */
    public static Map<String, String> readmeTable() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no README.md above " + Path.of("").toAbsolutePath());
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> table = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith(SECTION);
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inSection && m.matches()) {
                assertTrue(table.put(m.group(1), m.group(2)) == null, "the README lists " + m.group(1) + " twice");
            }
        }
        assertTrue(!table.isEmpty(), "the README has no table of error codes under '" + SECTION + "'");
        return table;
    }

    /**
     * Asserts that {@code codes} is exactly {@code pinned}, that each is a dotted lowercase name in
     * one of the module's {@code families} (so no two modules can name the same code), and that the
     * README's table lists each with what it means.
     */
    public static void assertPublished(List<String> pinned, List<String> codes, String... families) {
        assertEquals(pinned, codes.stream().sorted().toList(),
                "a code is a published name: change this list (and the README's table) only on purpose");
        Map<String, String> readme = readmeTable();
        for (String code : codes) {
            assertTrue(CODE.matcher(code).matches(), "not a dotted lowercase name: " + code);
            assertTrue(Arrays.stream(families).anyMatch(f -> code.equals(f) || code.startsWith(f + ".")),
                    code + " is not in this module's families " + Arrays.toString(families));
            assertTrue(readme.containsKey(code), "the README's table of error codes lacks " + code);
        }
    }
}
