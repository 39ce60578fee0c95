package dev.kiln.assembler.deb;

import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Debian binary package, unpacked in memory: its control paragraph, the members of
 * control.tar (control, md5sums, conffiles, maintainer scripts: kept as bytes, never run) and
 * its data as a {@link FileTree}.
 *
 * @param name what the package was called when read (a file name), for messages
 * @param control the fields of {@code ./control} in file order; continuation lines follow a newline
 * @param controlMembers the files of control.tar by name ({@code control}, {@code md5sums},
 *     {@code postinst}, ...), in {@link TreePath#ORDER}
 * @param data the files the package installs
 * @param skipped entries of data.tar left out of {@code data}, and why (device nodes, FIFOs)
 */
public record DebPackage(String name, Map<String, String> control, SortedMap<String, Content> controlMembers,
        FileTree data, List<Skipped> skipped) {

    /** An entry of data.tar that is not in the tree. {@code kind} says what it was, e.g. {@code character device 1:3}. */
    public record Skipped(String path, String kind, String reason) {
    }

    public DebPackage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        control = Collections.unmodifiableMap(new LinkedHashMap<>(control));
        TreeMap<String, Content> members = new TreeMap<>(TreePath.ORDER);
        members.putAll(controlMembers);
        if (!members.containsKey(DebReader.CONTROL)) {
            throw new IllegalArgumentException(name + ": a package has a control file; found only " + members.keySet());
        }
        controlMembers = Collections.unmodifiableSortedMap(members);
        skipped = List.copyOf(skipped);
    }

    /** Reads a .deb with {@link UnpackLimits#DEFAULT}; its file name names it in messages. */
    public static DebPackage read(Path file) {
        return read(file, file.getFileName().toString());
    }

    public static DebPackage read(Path file, String name) {
        return new DebReader(UnpackLimits.DEFAULT).read(file, name);
    }

    /** Reads a .deb from {@code in}, which is left open. */
    public static DebPackage read(InputStream in, String name) {
        return new DebReader(UnpackLimits.DEFAULT).read(in, name);
    }

    public static DebPackage read(InputStream in, String name, UnpackLimits limits) {
        return new DebReader(limits).read(in, name);
    }

    /** A control field by name, ignoring case as deb822 does. */
    public Optional<String> field(String fieldName) {
        for (Map.Entry<String, String> f : control.entrySet()) {
            if (f.getKey().equalsIgnoreCase(fieldName)) {
                return Optional.of(f.getValue());
            }
        }
        return Optional.empty();
    }

    public String packageName() {
        return field("Package").orElseThrow();
    }

    public String version() {
        return field("Version").orElseThrow();
    }

    /** {@code Architecture}, or empty in the rare package without one. */
    public Optional<String> architecture() {
        return field("Architecture");
    }

    /** The control file exactly as packaged: the basis of a dpkg status record. */
    public byte[] controlFile() {
        return controlMembers.get(DebReader.CONTROL).readAllBytes();
    }

    /** A control.tar member by name: {@code postinst}, {@code triggers}, {@code shlibs}, ... */
    public Optional<Content> controlMember(String memberName) {
        return Optional.ofNullable(controlMembers.get(memberName));
    }

    /** The {@code md5sums} member as text, if the package has one. */
    public Optional<String> md5sums() {
        return controlMember("md5sums").map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The paths listed in {@code conffiles} (dpkg may prefix a flag such as {@code remove-on-upgrade}). */
    public List<String> conffiles() {
        List<String> out = new ArrayList<>();
        controlMember("conffiles").ifPresent(c -> {
            for (String line : new String(c.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
        });
        return List.copyOf(out);
    }
}
