package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.spec.ImageSpec.PathRule;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The spec's {@code contents.path-filter}: which of the packages' files stay in the image, by
 * dpkg's {@code --path-exclude} / {@code --path-include} rules (Debian's slim container images
 * and Ubuntu's minimal ones trim documentation the same way). For each path the last rule that
 * matches decides; a path no rule matches stays.
 *
 * <ul>
 * <li>Only what packages ship is filtered; what kiln derives from them (the CA bundle, accounts,
 *     {@code /etc/os-release}, the dpkg records) is made from the complete packages first, so
 *     excluding the certificates under {@code /usr/share/ca-certificates} keeps the bundle.</li>
 * <li>With merged /usr a rule for {@code /bin/sh} also matches {@code /usr/bin/sh}: the two
 *     are one file.</li>
 * <li>An excluded directory stays when anything below it stays, and an excluded symlink to a
 *     directory stays when the rules keep a path through it to something that stays (the
 *     {@code /usr/share/doc/libgomp1 -> gcc-12-base} link, for its copyright). dpkg instead keeps
 *     every excluded directory and symlink that starts like an include pattern, which leaves
 *     empty directories behind.</li>
 * <li>A hardlink that stays keeps the file it links to.</li>
 * </ul>
 *
 * What was dropped is recorded: the packages' {@code md5sums} in the dpkg records no longer list
 * it ({@link DpkgStatus}), and the rules are written to {@value #DPKG_CONFIG} in dpkg's own
 * syntax, so the image says why files are missing and dpkg applies the same rules to anything
 * installed on top.
 */
final class PathFilter {
    static final String DPKG_CONFIG = "/etc/dpkg/dpkg.cfg.d/kiln-path-filter";

    private PathFilter() {
    }

    /** Removes what {@code rules} exclude of the packages' entries; returns the removed paths. */
    static Set<String> apply(Draft draft, List<PathRule> rules, boolean mergedUsr) {
        Set<String> removed = new HashSet<>();
        if (rules.isEmpty()) {
            return removed;
        }
        List<Entry> all = draft.all();
        for (Entry e : all) {
            if (e.type() != Entry.Type.DIR && fromPackage(draft, e) && excluded(rules, e.path(), mergedUsr)) {
                removed.add(e.path());
            }
        }
        for (Entry e : all) {
            if (e.type() == Entry.Type.HARDLINK && !removed.contains(e.path())) {
                removed.remove(e.linkTarget());
            }
        }
        for (Entry e : all) {
            if (e.type() == Entry.Type.SYMLINK && removed.contains(e.path())
                    && leadsToKeptPath(draft, e.path(), rules, mergedUsr, removed)) {
                removed.remove(e.path());
            }
        }
        // children sort after their parent, so walking backwards sees what stays below a directory first
        Set<String> needed = new HashSet<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Entry e = all.get(i);
            if (e.type() == Entry.Type.DIR && !needed.contains(e.path()) && fromPackage(draft, e)
                    && excluded(rules, e.path(), mergedUsr)) {
                removed.add(e.path());
            } else if (!removed.contains(e.path()) && TreePath.parent(e.path()) != null) {
                needed.add(TreePath.parent(e.path()));
            }
        }
        all.stream().map(Entry::path).filter(removed::contains).forEach(draft::remove);
        return removed;
    }

    /** The rules as dpkg reads them from {@code /etc/dpkg/dpkg.cfg.d/}; nothing without rules. */
    static void record(Draft draft, List<PathRule> rules) {
        if (rules.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder("# Written by kiln from the image spec's contents.path-filter: the packages'\n"
                + "# files these rules exclude are not in this image. dpkg applies them to what it installs.\n");
        rules.forEach(r -> text.append(r.dpkgOption()).append('\n'));
        draft.putGenerated(DPKG_CONFIG, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the last rule matching {@code path} (or its path outside merged /usr) excludes it. */
    static boolean excluded(List<PathRule> rules, String path, boolean mergedUsr) {
        String unmerged = mergedUsr ? unmerged(path) : null;
        boolean out = false;
        for (PathRule r : rules) {
            if (r.pattern().matches(path) || (unmerged != null && r.pattern().matches(unmerged))) {
                out = !r.include();
            }
        }
        return out;
    }

    /** {@code /bin/sh} for {@code /usr/bin/sh}; null for a path that has no such twin. */
    private static String unmerged(String path) {
        return path.startsWith("/usr/") && MergedUsr.aliasOf(path.substring(4)) != null ? path.substring(4) : null;
    }

    private static boolean fromPackage(Draft draft, Entry e) {
        return !Draft.GENERATED.equals(draft.owner(e.path()));
    }

    /** Whether a symlink leads to a directory holding something that stays and that the rules keep when reached through the link. */
    private static boolean leadsToKeptPath(Draft draft, String link, List<PathRule> rules, boolean mergedUsr, Set<String> removed) {
        Optional<String> target = draft.resolve(link);
        if (target.isEmpty() || draft.get(target.get()).map(t -> t.type() != Entry.Type.DIR).orElse(true)) {
            return false;
        }
        for (Entry below : draft.below(target.get())) {
            if (below.path().equals(target.get()) || below.type() == Entry.Type.DIR || removed.contains(below.path())) {
                continue;
            }
            String through = link + below.path().substring(target.get().equals(TreePath.ROOT) ? 0 : target.get().length());
            if (!excluded(rules, through, mergedUsr)) {
                return true;
            }
        }
        return false;
    }
}
