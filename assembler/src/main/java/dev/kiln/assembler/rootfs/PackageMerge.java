package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.debian.DebianFormatException;
import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Puts the packages' files into one tree, in package-name order so the result does not depend on
 * the order they were given in.
 *
 * <ul>
 * <li>The same path from two packages is fine when the entries agree on type, mode, owner, link
 *     target and content; the first package's entry (and mtime) is kept.</li>
 * <li>Directories always merge; when they disagree on mode or owner the first package in name
 *     order wins, as there is no dpkg "last unpacked" order to copy in a pure merge.</li>
 * <li>Otherwise it is an error, unless one package's {@code Replaces} names the other at the
 *     version being installed ({@code Replaces: foo (<< 2.0)} covers foo 1.9 and not foo 2.0, as
 *     for dpkg): then the replacing package's entry wins. Architecture qualifiers are ignored, as
 *     an image holds one architecture's packages.</li>
 * </ul>
 *
 * <p>With merged /usr, entries under {@code /bin}, {@code /sbin} and {@code /lib*} are placed under
 * {@code /usr}, where dpkg writes them on a merged system (through the top-level symlinks), and
 * the symlinks themselves are created by {@link MergedUsr}. Relative symlink targets are kept as
 * shipped, which is also what dpkg does.
 */
final class PackageMerge {
    private PackageMerge() {
    }

    /** The packages in the order they are merged: by name; the same name twice is an error. */
    static List<DebPackage> ordered(List<DebPackage> packages) {
        List<DebPackage> sorted = new ArrayList<>(packages);
        sorted.sort(Comparator.comparing(DebPackage::packageName, TreePath.ORDER));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).packageName().equals(sorted.get(i - 1).packageName())) {
                throw new AssembleException("package " + sorted.get(i).packageName() + " is given twice: "
                        + sorted.get(i - 1).version() + " and " + sorted.get(i).version());
            }
        }
        return sorted;
    }

    /** Merges the packages' data into {@code draft}; returns the /usr aliases that packages used. */
    static Set<String> merge(Draft draft, List<DebPackage> ordered, boolean mergedUsr) {
        Map<String, Replacing> replaces = new TreeMap<>();
        Map<String, String> versions = new TreeMap<>();
        for (DebPackage p : ordered) {
            versions.put(p.packageName(), p.version());
        }
        for (DebPackage p : ordered) {
            replaces.put(p.packageName(), new Replacing(p.packageName(), p.field("Replaces").orElse(""), versions));
        }
        Set<String> aliasesUsed = new LinkedHashSet<>();
        for (DebPackage p : ordered) {
            String name = p.packageName();
            for (Entry shipped : p.data()) {
                Entry e = shipped;
                if (mergedUsr) {
                    String alias = MergedUsr.aliasOf(shipped.path());
                    if (alias != null) {
                        aliasesUsed.add(alias);
                        if (shipped.path().equals("/" + alias)) {
                            if (MergedUsr.isAliasLink(shipped, alias) || shipped.type() == Entry.Type.DIR) {
                                continue; // the directory becomes /usr/<alias>, the link is made once for all
                            }
                            throw new AssembleException(AssembleException.Kind.FILE_CONFLICT,
                                    name + " ships /" + alias + " as a " + shipped.type()
                                    + "; merged /usr needs it to be a directory or a link to usr/" + alias);
                        }
                        e = MergedUsr.moved(shipped);
                    }
                }
                put(draft, e, name, replaces);
            }
        }
        return aliasesUsed;
    }

    private static void put(Draft draft, Entry e, String pkg, Map<String, Replacing> replaces) {
        for (String p = TreePath.parent(e.path()); p != null; p = TreePath.parent(p)) {
            Entry ancestor = draft.get(p).orElse(null);
            if (ancestor != null && ancestor.type() != Entry.Type.DIR) {
                throw new AssembleException(AssembleException.Kind.FILE_CONFLICT,
                        pkg + " ships " + e.path() + ", but " + p + " is a " + ancestor.type()
                        + " shipped by " + draft.owner(p));
            }
        }
        Entry existing = draft.get(e.path()).orElse(null);
        if (existing == null) {
            draft.put(e, pkg);
            return;
        }
        String other = draft.owner(e.path());
        if (existing.type() == Entry.Type.DIR && e.type() == Entry.Type.DIR) {
            return;
        }
        String differences = differences(existing, e);
        if (differences.isEmpty()) {
            return;
        }
        boolean newReplacesOld = replaces.get(pkg).covers(other);
        boolean oldReplacesNew = replaces.get(other).covers(pkg);
        if (newReplacesOld) {
            if (existing.type() == Entry.Type.DIR && !draft.below(e.path()).isEmpty()) {
                throw new AssembleException(AssembleException.Kind.FILE_CONFLICT,
                        pkg + " replaces " + other + " but ships " + e.path() + " as a " + e.type()
                        + " where there is a directory with files in it");
            }
            draft.put(e, pkg);
        } else if (!oldReplacesNew) {
            throw new AssembleException(AssembleException.Kind.FILE_CONFLICT,
                    "packages " + other + " and " + pkg + " both ship " + e.path()
                    + " and they differ in " + differences + " (" + existing + " vs " + e
                    + "); neither Replaces the other" + replaces.get(pkg).near(other) + replaces.get(other).near(pkg));
        }
    }

    /** What differs between two entries for the same path, or "" when they are the same file. */
    static String differences(Entry a, Entry b) {
        List<String> out = new ArrayList<>();
        if (a.type() != b.type()) {
            out.add("type");
        }
        if (a.mode() != b.mode()) {
            out.add("mode");
        }
        if (a.uid() != b.uid() || a.gid() != b.gid()) {
            out.add("owner");
        }
        if (a.linkTarget() == null ? b.linkTarget() != null : !a.linkTarget().equals(b.linkTarget())) {
            out.add("link target");
        }
        if (a.content() == null ? b.content() != null : !a.content().equals(b.content())) {
            out.add("content");
        }
        return String.join(", ", out);
    }

    /** One package's {@code Replaces}, held against the versions the image installs. */
    private static final class Replacing {
        private final String pkg;
        private final List<Relation> relations;
        private final Map<String, String> versions;

        Replacing(String pkg, String field, Map<String, String> versions) {
            this.pkg = pkg;
            this.versions = versions;
            try {
                this.relations = Relation.parseList(field, pkg + ": Replaces");
            } catch (DebianFormatException e) {
                throw new AssembleException(AssembleException.Kind.MALFORMED_PACKAGE,
                        e.getMessage() + "\n  expected: a Replaces field as Debian policy 7.1 writes it", e);
            }
        }

        /** Whether this package replaces {@code other} at the version being installed. */
        boolean covers(String other) {
            String version = versions.get(other);
            for (Relation r : relations) {
                if (r.name().equals(other) && version != null && r.versionMatches(DebianVersion.parse(version))) {
                    return true;
                }
            }
            return false;
        }

        /** For a message: a Replaces that names {@code other} but not at its version. */
        String near(String other) {
            for (Relation r : relations) {
                if (r.name().equals(other)) {
                    return " (" + pkg + " has Replaces: " + r + ", which does not cover " + other + " " + versions.get(other) + ")";
                }
            }
            return "";
        }
    }
}
