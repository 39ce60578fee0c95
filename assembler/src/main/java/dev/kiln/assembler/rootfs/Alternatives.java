package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.spec.ImageSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The alternatives the packages' {@code postinst} scripts register on a fresh install, made as
 * {@code update-alternatives} makes them (dpkg 1.21), without running a script.
 *
 * <p>Registrations come from {@link AlternativesTable} for the packages it lists, else from
 * reading the {@code postinst} ({@link AlternativesScript}); a call neither can take is reported
 * ({@link #write}'s result), never passed over in silence. Per alternative name, in auto mode the
 * choice of highest priority wins (on a tie the first path in byte order: dpkg keeps the first
 * one installed, and kiln has no install order); the spec's {@code alternatives} set a choice
 * (manual mode), or add one. Then, as update-alternatives does:
 *
 * <ul>
 * <li>{@code LINK -> /etc/alternatives/NAME -> PATH}, and the same for each slave of the chosen
 *     path; a slave whose path is not in the tree (a manual page the path filter took out) gets no
 *     link, and a choice whose path is missing is not registered (the tool refuses it);</li>
 * <li>a link path that holds a file or directory is left alone (the tool replaces only links,
 *     short of {@code --force}); links are placed through the tree's symlinks, so
 *     {@code /lib/cpp} lands in {@code /usr/lib} on merged /usr, and keep the path as written;</li>
 * <li>{@code /var/lib/dpkg/alternatives/NAME} in the tool's format: mode, master link, each slave's
 *     name and link (by name), an empty line, each choice (by path) with its priority and its
 *     slaves' paths, an empty line; so {@code update-alternatives --display} inside the image
 *     agrees.</li>
 * </ul>
 */
final class Alternatives {
    static final String ALTDIR = "/etc/alternatives";
    static final String ADMINDIR = "/var/lib/dpkg/alternatives";

    private Alternatives() {
    }

    /** One alternative name: its master link, its slaves' links by name, its choices by path. */
    private static final class Group {
        final String name;
        final String link;
        // update-alternatives keeps both sorted by strcmp: String order for ASCII names and paths
        final Map<String, String> slaveLinks = new TreeMap<>();
        final Map<String, Choice> choices = new TreeMap<>();
        String manual;

        Group(String name, String link) {
            this.name = name;
            this.link = link;
        }
    }

    private record Choice(String path, int priority, Map<String, String> slavePaths) {
    }

    /**
     * Registers what the packages' scripts (and the spec) ask, after the path filter; returns a
     * line for each package whose registrations could not be read, to report.
     *
     * @throws AssembleException when a spec entry chooses a path the tree lacks, or names an
     *     alternative no package registers without giving its link
     */
    static List<String> write(Draft draft, List<DebPackage> ordered, String arch, List<ImageSpec.Alternative> spec) {
        AlternativesTable table = AlternativesTable.shipped(arch);
        List<String> unread = new ArrayList<>();
        List<AlternativeInstall> installs = new ArrayList<>();
        for (DebPackage p : ordered) {
            Optional<AlternativesTable.Entry> listed = table.get(p.packageName());
            if (listed.isPresent()) {
                installs.addAll(listed.get().installs());
                continue;
            }
            Optional<String> script = p.controlMember("postinst").map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8));
            if (script.isEmpty()) {
                continue;
            }
            AlternativesScript.Reading r = AlternativesScript.read(p.packageName(), script.get());
            installs.addAll(r.installs());
            for (String call : r.unreadable()) {
                unread.add(p.packageName() + " " + p.version() + ": its postinst registers alternatives in a way kiln cannot read"
                        + " (" + call + "); they are not in the image: list the package in kiln's alternatives table"
                        + " (scripts/alternatives-table) or set them with the spec's alternatives");
            }
        }
        Map<String, Group> groups = new TreeMap<>();
        for (AlternativeInstall i : installs) {
            if (!exists(draft, i.path())) {
                continue; // update-alternatives: "alternative path ... doesn't exist"
            }
            Group g = groups.computeIfAbsent(i.name(), n -> new Group(n, i.link()));
            Map<String, String> slavePaths = new LinkedHashMap<>();
            for (AlternativeInstall.Slave s : i.slaves()) {
                g.slaveLinks.putIfAbsent(s.name(), s.link());
                slavePaths.put(s.name(), s.path());
            }
            g.choices.put(i.path(), new Choice(i.path(), i.priority(), slavePaths));
        }
        for (ImageSpec.Alternative a : spec) {
            choose(draft, groups, a);
        }
        for (Group g : groups.values()) {
            place(draft, g);
        }
        return unread;
    }

    private static void choose(Draft draft, Map<String, Group> groups, ImageSpec.Alternative a) {
        if (!exists(draft, a.path())) {
            throw new AssembleException(AssembleException.Kind.ALTERNATIVES, "alternatives: " + a.name() + " chooses " + a.path()
                    + ", which is not in the image\n  expected: a file the packages install (and the path filter keeps)"
                    + "\n  fix: choose a path in the image, e.g. one of " + choicesOf(groups.get(a.name())));
        }
        Group g = groups.get(a.name());
        if (g == null) {
            if (a.link().isEmpty()) {
                throw new AssembleException(AssembleException.Kind.ALTERNATIVES, "alternatives: no package registers " + a.name()
                        + "\n  expected: an alternative the packages' scripts register, or a link for a new one"
                        + "\n  fix: add link: (the path that leads to the choice, e.g. /usr/bin/" + a.name() + ")");
            }
            g = new Group(a.name(), a.link().get());
            groups.put(a.name(), g);
        } else if (a.link().isPresent() && !a.link().get().equals(g.link)) {
            throw new AssembleException(AssembleException.Kind.ALTERNATIVES, "alternatives: " + a.name() + " gives link "
                    + a.link().get() + ", but its packages register it at " + g.link
                    + "\n  expected: the registered link or none\n  fix: remove link: from the entry");
        }
        g.choices.putIfAbsent(a.path(), new Choice(a.path(), 0, Map.of()));
        g.manual = a.path();
    }

    private static String choicesOf(Group g) {
        return g == null || g.choices.isEmpty() ? "the files the packages install" : String.join(", ", g.choices.keySet());
    }

    /** The links and the state file of one group. */
    private static void place(Draft draft, Group g) {
        Choice chosen;
        if (g.manual != null) {
            chosen = g.choices.get(g.manual);
        } else {
            chosen = null;
            for (Choice c : g.choices.values()) {
                if (chosen == null || c.priority() > chosen.priority()) {
                    chosen = c;
                }
            }
        }
        link(draft, g.name, g.link, chosen.path());
        for (Map.Entry<String, String> s : g.slaveLinks.entrySet()) {
            String path = chosen.slavePaths().get(s.getKey());
            if (path != null && exists(draft, path)) {
                link(draft, s.getKey(), s.getValue(), path);
            }
        }
        draft.putGenerated(ADMINDIR + "/" + g.name, state(g).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code link -> /etc/alternatives/name -> path}, the first link only where no file or directory is. */
    private static void link(Draft draft, String name, String link, String path) {
        String alt = ALTDIR + "/" + name;
        draft.ensureParents(alt);
        draft.put(Entry.symlink(alt, path, 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        String parent = TreePath.parent(link);
        String base = link.substring(parent.length() + (parent.equals(TreePath.ROOT) ? 0 : 1));
        String placed = draft.resolve(parent).map(p -> TreePath.ROOT.equals(p) ? "/" + base : p + "/" + base).orElse(link);
        Optional<Entry> there = draft.get(placed);
        if (there.isPresent() && there.get().type() != Entry.Type.SYMLINK) {
            return;
        }
        draft.ensureParents(placed);
        draft.put(Entry.symlink(placed, alt, 0777, 0, 0, draft.epoch()), Draft.GENERATED);
    }

    /** The state file update-alternatives reads back. */
    static String state(Group g) {
        StringBuilder b = new StringBuilder();
        b.append(g.manual == null ? "auto" : "manual").append('\n').append(g.link).append('\n');
        g.slaveLinks.forEach((name, link) -> b.append(name).append('\n').append(link).append('\n'));
        b.append('\n');
        for (Choice c : g.choices.values()) {
            b.append(c.path()).append('\n').append(c.priority()).append('\n');
            for (String slave : g.slaveLinks.keySet()) {
                b.append(c.slavePaths().getOrDefault(slave, "")).append('\n');
            }
        }
        b.append('\n');
        return b.toString();
    }

    /** Whether {@code path} leads to something in the tree, following links as stat(2) does. */
    private static boolean exists(Draft draft, String path) {
        return draft.resolve(path).isPresent();
    }
}
