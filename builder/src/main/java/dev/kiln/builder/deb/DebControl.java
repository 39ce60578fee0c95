package dev.kiln.builder.deb;

import dev.kiln.builder.RecipeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A binary package's control data as kiln writes it: the fields a recipe gives, without
 * {@code Installed-Size}, which {@link DebWriter} computes from the tree.
 *
 * @param packageName Debian package name ({@code [a-z0-9][a-z0-9+.-]+})
 * @param version the Debian version, e.g. {@code 2.10-0kiln1}
 * @param architecture a Debian architecture name ({@code amd64}, {@code all})
 * @param maintainer the {@code Maintainer} field
 * @param description a synopsis line, then optionally more lines: the long description, folded as
 *     deb-control(5) says (each line indented by one space, an empty line written {@code " ."})
 * @param depends the {@code Depends} relations, each as written ({@code libc6 (>= 2.34)}); empty: none
 * @param provides the {@code Provides} relations; empty: none
 * @param replaces the {@code Replaces} relations; empty: none
 * @param fields further fields by name ({@code Section}, {@code Priority}, {@code Homepage},
 *     {@code License}, {@code Kiln-Build-Key}, ...): single-line values
 */
public record DebControl(String packageName, String version, String architecture, String maintainer, String description,
        List<String> depends, List<String> provides, List<String> replaces, SortedMap<String, String> fields) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Pattern VERSION = Pattern.compile("([0-9]+:)?[0-9][A-Za-z0-9.+~:-]*");
    private static final Pattern ARCH = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9-]*");
    /** The fields kiln writes itself, or that a recipe may not set as extra fields. */
    private static final Set<String> RESERVED = Set.of("package", "version", "architecture", "maintainer", "description",
            "depends", "provides", "replaces", "installed-size", "pre-depends", "essential", "filename", "size", "sha256", "md5sum",
            "status", "conffiles");
    /** The optional fields written before the others, in this order (dpkg-deb's). */
    private static final List<String> FIRST = List.of("Section", "Priority", "Homepage");

    public DebControl {
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(maintainer, "maintainer");
        Objects.requireNonNull(description, "description");
        depends = List.copyOf(depends);
        provides = List.copyOf(provides);
        replaces = List.copyOf(replaces);
        fields = new TreeMap<>(fields);
        check(NAME.matcher(packageName).matches(), "Package", packageName, "lowercase letters, digits, '+', '-' and '.', at least two");
        check(VERSION.matcher(version).matches(), "Version", version, "a Debian version starting with a digit");
        check(ARCH.matcher(architecture).matches(), "Architecture", architecture, "a Debian architecture name");
        check(singleLine(maintainer) && !maintainer.isBlank(), "Maintainer", maintainer, "one non-empty line");
        check(!description.isBlank() && !description.startsWith(" ") && !description.startsWith("\n"), "Description", description,
                "a synopsis on the first line");
        for (String relation : depends) {
            check(singleLine(relation) && !relation.isBlank() && !relation.contains(","), "Depends", relation,
                    "one relation per entry, on one line");
        }
        for (String relation : provides) {
            check(singleLine(relation) && !relation.isBlank() && !relation.contains(","), "Provides", relation,
                    "one relation per entry, on one line");
        }
        for (String relation : replaces) {
            check(singleLine(relation) && !relation.isBlank() && !relation.contains(","), "Replaces", relation,
                    "one relation per entry, on one line");
        }
        for (Map.Entry<String, String> f : fields.entrySet()) {
            check(FIELD.matcher(f.getKey()).matches(), "field name", f.getKey(), "letters, digits and '-', starting with a letter");
            check(!RESERVED.contains(f.getKey().toLowerCase(java.util.Locale.ROOT)), "field name", f.getKey(),
                    "a field kiln does not write itself");
            check(singleLine(f.getValue()) && !f.getValue().isBlank(), f.getKey(), f.getValue(), "one non-empty line");
        }
    }

    /** The mandatory fields; no relations, no further fields. */
    public static DebControl of(String packageName, String version, String architecture, String maintainer, String description) {
        return new DebControl(packageName, version, architecture, maintainer, description, List.of(), List.of(), List.of(), new TreeMap<>());
    }

    public DebControl withDepends(List<String> relations) {
        return new DebControl(packageName, version, architecture, maintainer, description, relations, provides, replaces, fields);
    }

    public DebControl withProvides(List<String> relations) {
        return new DebControl(packageName, version, architecture, maintainer, description, depends, relations, replaces, fields);
    }

    public DebControl withReplaces(List<String> relations) {
        return new DebControl(packageName, version, architecture, maintainer, description, depends, provides, relations, fields);
    }

    /** A copy with one more field (or another value for it). */
    public DebControl withField(String name, String value) {
        SortedMap<String, String> more = new TreeMap<>(fields);
        more.put(name, value);
        return new DebControl(packageName, version, architecture, maintainer, description, depends, provides, replaces, more);
    }

    /**
     * The {@code control} file: Package, Version, Architecture, Maintainer, Installed-Size, Depends,
     * Provides, Replaces, Section, Priority, Homepage, the other fields by name, Description last.
     */
    public String render(long installedSizeKiB) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("Package", packageName);
        out.put("Version", version);
        out.put("Architecture", architecture);
        out.put("Maintainer", maintainer);
        out.put("Installed-Size", Long.toString(installedSizeKiB));
        if (!depends.isEmpty()) {
            out.put("Depends", String.join(", ", depends));
        }
        if (!provides.isEmpty()) {
            out.put("Provides", String.join(", ", provides));
        }
        if (!replaces.isEmpty()) {
            out.put("Replaces", String.join(", ", replaces));
        }
        List<String> names = new ArrayList<>();
        for (String first : FIRST) {
            if (fields.containsKey(first)) {
                names.add(first);
            }
        }
        for (String name : fields.keySet()) {
            if (!FIRST.contains(name)) {
                names.add(name);
            }
        }
        for (String name : names) {
            out.put(name, fields.get(name).strip());
        }
        StringBuilder text = new StringBuilder();
        out.forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        text.append("Description: ").append(foldedDescription()).append('\n');
        return text.toString();
    }

    /** The synopsis, then each further line indented by one space; an empty line becomes {@code " ."}. */
    String foldedDescription() {
        List<String> lines = List.of(description.strip().split("\n", -1));
        StringBuilder b = new StringBuilder(lines.get(0).strip());
        for (String line : lines.subList(1, lines.size())) {
            String l = line.stripTrailing();
            b.append('\n').append(' ').append(l.isBlank() ? "." : l);
        }
        return b.toString();
    }

    private static boolean singleLine(String s) {
        return s.chars().noneMatch(c -> c == '\n' || c == '\r');
    }

    private static void check(boolean ok, String field, String found, String expected) {
        if (!ok) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot write the control field " + field
                    + "\n  expected: " + expected + "\n  found:    '" + found.replace("\n", "\\n") + "'"
                    + "\n  fix: correct the value in the recipe");
        }
    }
}
