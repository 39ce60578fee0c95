package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds {@link DebPackage} values for tests, with the messiness of real ones: real-looking
 * mtimes that differ per package, odd modes, parents shipped by several packages.
 */
final class Pkg {
    private final String name;
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private String md5sums;
    private final Map<String, String> scripts = new TreeMap<>();
    private final long mtime;

    private Pkg(String name) {
        this.name = name;
        this.mtime = 1_600_000_000L + Math.abs(name.hashCode() % 100_000);
        fields.put("Package", name);
        fields.put("Version", "1.0-1");
        fields.put("Architecture", "amd64");
        fields.put("Maintainer", "Kiln Tests <tests@example.invalid>");
        fields.put("Installed-Size", "12");
        fields.put("Description", "test package " + name + "\n Longer text.\n .\n More.");
        dir("/");
    }

    static Pkg named(String name) {
        return new Pkg(name);
    }

    Pkg field(String key, String value) {
        fields.put(key, value);
        return this;
    }

    Pkg md5sums(String text) {
        md5sums = text;
        return this;
    }

    /** A maintainer script ({@code postinst}, ...) in control.tar. */
    Pkg script(String member, String text) {
        return member(member, text);
    }

    /** A control.tar member beside control, e.g. {@code postinst}. */
    Pkg member(String memberName, String text) {
        scripts.put(memberName, text);
        return this;
    }

    /** A directory and its missing parents, as dpkg-deb lists them. */
    Pkg dir(String path) {
        return dir(path, 0755);
    }

    Pkg dir(String path, int mode) {
        List<String> chain = new ArrayList<>();
        for (String p = path; p != null; p = TreePath.parent(p)) {
            chain.add(0, p);
        }
        for (String p : chain) {
            if (entries.stream().noneMatch(e -> e.path().equals(p))) {
                entries.add(Entry.dir(p, p.equals(path) ? mode : 0755, 0, 0, mtime));
            }
        }
        return this;
    }

    Pkg file(String path, String text) {
        return file(path, 0644, text);
    }

    Pkg file(String path, int mode, String text) {
        dir(TreePath.parent(path));
        entries.add(Entry.file(path, mode, 0, 0, mtime, Content.of(text.getBytes(StandardCharsets.UTF_8))));
        return this;
    }

    Pkg symlink(String path, String target) {
        dir(TreePath.parent(path));
        entries.add(Entry.symlink(path, target, 0777, 0, 0, mtime));
        return this;
    }

    Pkg hardlink(String path, String target) {
        dir(TreePath.parent(path));
        entries.add(Entry.hardlink(path, target, 0755, 0, 0, mtime));
        return this;
    }

    String controlText() {
        StringBuilder s = new StringBuilder();
        fields.forEach((k, v) -> s.append(k).append(": ").append(v).append('\n'));
        return s.toString();
    }

    DebPackage build() {
        FileTree.Builder data = FileTree.builder(name);
        entries.forEach(data::add);
        TreeMap<String, Content> members = new TreeMap<>();
        members.put("control", Content.of(controlText().getBytes(StandardCharsets.UTF_8)));
        if (md5sums != null) {
            members.put("md5sums", Content.of(md5sums.getBytes(StandardCharsets.UTF_8)));
        }
        scripts.forEach((m, text) -> members.put(m, Content.of(text.getBytes(StandardCharsets.UTF_8))));
        Map<String, String> control = new LinkedHashMap<>(fields);
        return new DebPackage(name + "_1.0-1_amd64.deb", control, members, data.build(), List.of());
    }
}
