package dev.kiln.cli;

import dev.kiln.cli.TreeListing.Node;
import dev.kiln.resolver.spec.ImageSpec;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The differences between kiln's image and mmdebstrap's install of the same closure that kiln keeps
 * on purpose, each with its reason ({@link ScriptEffectsAgreeWithMmdebstrapTest}). A difference is
 * allowed only on the side named: a path mmdebstrap has and kiln lacks is a missing effect unless
 * an entry says why kiln leaves it out. Anything not listed fails the test.
 */
final class OracleAllowList {
    /** Which difference an entry allows. */
    enum Side {
        /** the path is only in mmdebstrap's tree */
        ONLY_MMDEBSTRAP,
        /** the path is only in kiln's image */
        ONLY_KILN,
        /** the path is in both, or in either, and may differ in any way */
        ANY
    }

    /**
     * A difference at the paths {@code glob} matches, on {@code side}; with a {@code linkGlob}, only
     * where mmdebstrap's node is a symlink to a target it matches.
     */
    record Allowed(String glob, Side side, String linkGlob, String reason) {
        Allowed(String glob, Side side, String reason) {
            this(glob, side, "", reason);
        }

        boolean covers(Difference d) {
            return (side == Side.ANY || side == d.side()) && matcher(glob).matches(Path.of(d.path()))
                    && (linkGlob.isEmpty() || d.mmdebstrap() != null && !d.mmdebstrap().link().isEmpty()
                            && matcher(linkGlob).matches(Path.of(d.mmdebstrap().link())));
        }
    }

    private static final String NO_INIT = "a service's enablement for an init system: a container runs its entrypoint, no init";

    // glob: PathMatcher's syntax ('*' within a name, '**' across names)
    static final List<Allowed> ALLOWED = List.of(
            // what mmdebstrap itself writes for a chroot, not what a package's script does
            new Allowed("/dev/*", Side.ONLY_MMDEBSTRAP, "device nodes: a container runtime mounts its own /dev"),
            new Allowed("/dev/*/**", Side.ONLY_MMDEBSTRAP, "device nodes: a container runtime mounts its own /dev"),
            new Allowed("/etc/hostname", Side.ONLY_MMDEBSTRAP, "mmdebstrap copies the host's; a container runtime sets it"),
            new Allowed("/etc/resolv.conf", Side.ONLY_MMDEBSTRAP, "mmdebstrap copies the host's; a container runtime sets it"),
            new Allowed("/etc/fstab", Side.ONLY_MMDEBSTRAP, "mmdebstrap's placeholder; a container mounts nothing from it"),
            new Allowed("/etc/apt/sources.list", Side.ONLY_MMDEBSTRAP, "mmdebstrap's mirror lines; kiln's are in /etc/kiln/image.yaml"),
            new Allowed("/etc/kiln", Side.ONLY_KILN, "kiln's own inputs (spec and lock), carried to rebuild the image"),
            new Allowed("/etc/kiln/**", Side.ONLY_KILN, "kiln's own inputs (spec and lock), carried to rebuild the image"),
            // dpkg's and apt's own state: kiln records packages as distroless does (status.d)
            new Allowed("/var/lib/dpkg/status", Side.ONLY_MMDEBSTRAP, "dpkg's database; kiln writes status.d records instead"),
            new Allowed("/var/lib/dpkg/status-old", Side.ONLY_MMDEBSTRAP, "dpkg's backup of its database"),
            new Allowed("/var/lib/dpkg/available", Side.ONLY_MMDEBSTRAP, "dpkg's record of available packages (dselect)"),
            new Allowed("/var/lib/dpkg/diversions*", Side.ONLY_MMDEBSTRAP, "dpkg's database of diversions (none in these sets)"),
            new Allowed("/var/lib/dpkg/statoverride*", Side.ONLY_MMDEBSTRAP, "dpkg's database of overrides"),
            new Allowed("/var/lib/dpkg/lock*", Side.ONLY_MMDEBSTRAP, "dpkg's locks"),
            new Allowed("/var/lib/dpkg/cmethopt", Side.ONLY_MMDEBSTRAP, "dselect's access method"),
            new Allowed("/var/lib/dpkg/arch", Side.ONLY_MMDEBSTRAP, "dpkg's list of foreign architectures"),
            new Allowed("/var/lib/dpkg/info/**", Side.ANY, "dpkg's per-package control files; kiln writes status.d records and md5sums"),
            new Allowed("/var/lib/dpkg/{triggers,updates,parts}", Side.ONLY_MMDEBSTRAP, "dpkg's trigger state, journal and partial packages"),
            new Allowed("/var/lib/dpkg/{triggers,updates,parts}/**", Side.ONLY_MMDEBSTRAP, "dpkg's trigger state, journal and partial packages"),
            new Allowed("/var/lib/dpkg/status.d", Side.ONLY_KILN, "kiln's package records, as distroless writes them"),
            new Allowed("/var/lib/dpkg/status.d/**", Side.ONLY_KILN, "kiln's package records, as distroless writes them"),
            new Allowed("/var/lib/apt/lists/**", Side.ONLY_MMDEBSTRAP, "apt's downloaded indexes: a cache of the mirror"),
            new Allowed("/var/lib/apt/extended_states", Side.ONLY_MMDEBSTRAP, "apt's record of what was installed automatically"),
            new Allowed("/var/cache/apt/**", Side.ONLY_MMDEBSTRAP, "apt's package cache"),
            new Allowed("/var/{cache/apt/archives,lib/apt/lists}/partial", Side.ANY, "apt makes its download directories 0700 when it downloads, not a script"),
            new Allowed("/var/cache/ldconfig/aux-cache", Side.ONLY_MMDEBSTRAP, "ldconfig's cache"),
            new Allowed("/etc/ld.so.cache", Side.ONLY_MMDEBSTRAP, "ldconfig's cache: the loader searches the directories without it"),
            new Allowed("/var/cache/debconf/**", Side.ONLY_MMDEBSTRAP, "debconf's databases: answers to install-time questions"),
            new Allowed("/var/log/*", Side.ONLY_MMDEBSTRAP, "logs of the installation (dpkg, apt, alternatives)"),
            new Allowed("/var/log/apt/**", Side.ONLY_MMDEBSTRAP, "logs of the installation (apt)"),
            new Allowed("/etc/*-", Side.ONLY_MMDEBSTRAP, "the shadow tools' backups of passwd, group, shadow and gshadow"),
            new Allowed("/etc/.pwd.lock", Side.ONLY_MMDEBSTRAP, "the shadow tools' lock file"),
            new Allowed("/etc/machine-id", Side.ONLY_MMDEBSTRAP, "a machine's identity: one per running system, never in an image"),
            new Allowed("/var/lib/dbus/machine-id", Side.ONLY_MMDEBSTRAP, "a machine's identity: one per running system, never in an image"),
            new Allowed("/**/__pycache__", Side.ONLY_MMDEBSTRAP, "Python's byte-compiled files: made again on first import"),
            new Allowed("/**/__pycache__/**", Side.ONLY_MMDEBSTRAP, "Python's byte-compiled files: made again on first import"),
            new Allowed("/usr/share/info/dir", Side.ONLY_MMDEBSTRAP, "install-info's index of info manuals: an image has no info reader"),
            new Allowed("/etc/hosts", Side.ONLY_MMDEBSTRAP, "netbase's postinst localhost lines: a container runtime mounts its own /etc/hosts"),
            // the path filter, as each side records it
            new Allowed("/etc/dpkg/dpkg.cfg.d/99mmdebstrap", Side.ONLY_MMDEBSTRAP, "mmdebstrap's copy of its --dpkgopt options (the path filter)"),
            new Allowed("/etc/dpkg/dpkg.cfg.d/kiln-path-filter", Side.ONLY_KILN, "kiln's copy of the spec's path filter, for a later dpkg"),
            new Allowed("/etc/ssl/certs/ca-certificates.crt", Side.ONLY_KILN,
                    "kiln makes the bundle before the path filter drops its sources; dpkg filters them first and update-ca-certificates finds none"),
            // script effects kiln leaves out on purpose (README, "What kiln does not reproduce")
            new Allowed("/etc/rc?.d/*", Side.ONLY_MMDEBSTRAP, NO_INIT),
            new Allowed("/etc/systemd/system/*.wants", Side.ONLY_MMDEBSTRAP, NO_INIT),
            new Allowed("/etc/systemd/system/*.wants/*", Side.ONLY_MMDEBSTRAP, NO_INIT),
            new Allowed("/var/lib/systemd/deb-systemd-helper-enabled", Side.ONLY_MMDEBSTRAP, NO_INIT),
            new Allowed("/var/lib/systemd/deb-systemd-helper-enabled/**", Side.ONLY_MMDEBSTRAP, NO_INIT));

    /**
     * Differences that are effects kiln should make and does not yet, each with who is making it
     * (issue 15's helpers: A alternatives, B certificate stores and the JRE, C accounts and runtime
     * directories; "open" for no one yet). Not an allow-list: the issue is done when this is empty.
     * An entry that no longer matches anything fails the run, so it shrinks as the effects land.
     */
    static final List<Allowed> PENDING = List.of();

    private static final Map<String, PathMatcher> MATCHERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static PathMatcher matcher(String glob) {
        return MATCHERS.computeIfAbsent(glob, g -> FileSystems.getDefault().getPathMatcher("glob:" + g));
    }

    private OracleAllowList() {
    }

    /** A path where the trees part: its node on each side (null where absent). */
    record Difference(String path, Node kiln, Node mmdebstrap) {
        Side side() {
            return kiln == null ? Side.ONLY_MMDEBSTRAP : mmdebstrap == null ? Side.ONLY_KILN : Side.ANY;
        }

        Optional<Allowed> firstIn(List<Allowed> list) {
            return list.stream().filter(a -> a.covers(this)).findFirst();
        }
    }

    record Comparison(List<Difference> unexplained, Map<Allowed, Integer> allowed, Map<Allowed, Integer> pending) {
        /** The differences not allowed, by kind, then how many each allow-list entry took. */
        String report(String title) {
            StringBuilder out = new StringBuilder(title).append(": ").append(unexplained.size())
                    .append(" differences not on the allow-list\n");
            section(out, "only in mmdebstrap (a script's effect kiln lacks?)", Side.ONLY_MMDEBSTRAP);
            section(out, "only in kiln", Side.ONLY_KILN);
            section(out, "in both, different (kiln | mmdebstrap)", Side.ANY);
            out.append("pending (effects kiln does not make yet):\n");
            pending.forEach((a, n) -> out.append("  ").append(n).append(" x ").append(a.glob())
                    .append(a.linkGlob().isEmpty() ? "" : " -> " + a.linkGlob()).append(": ").append(a.reason()).append('\n'));
            out.append("allowed:\n");
            allowed.forEach((a, n) -> out.append("  ").append(n).append(" x ").append(a.glob()).append(": ").append(a.reason()).append('\n'));
            return out.toString();
        }

        private void section(StringBuilder out, String heading, Side side) {
            List<Difference> some = unexplained.stream().filter(d -> d.side() == side).toList();
            if (some.isEmpty()) {
                return;
            }
            out.append(heading).append(" (").append(some.size()).append("):\n");
            for (Difference d : some) {
                out.append("  ").append(d.path()).append("  ");
                out.append(side == Side.ANY ? d.kiln() + " | " + d.mmdebstrap() : side == Side.ONLY_KILN ? d.kiln() : d.mmdebstrap());
                out.append('\n');
            }
        }
    }

    /**
     * dpkg keeps a directory or symlink a {@code path-exclude} matches when a {@code path-include}
     * pattern's literal prefix (up to its first wildcard) is a prefix of its path, as what it
     * includes might lie beneath (dpkg's src/main/filters.c), leaving such paths empty or dangling;
     * kiln's path filter keeps only the directories that hold what stays.
     */
    static final String DPKG_KEEPS = "dpkg keeps excluded directories and links a path-include's literal prefix reaches; kiln drops them";

    static boolean dpkgKeeps(Difference d, List<ImageSpec.PathRule> filter) {
        if (d.side() != Side.ONLY_MMDEBSTRAP || (d.mmdebstrap().type() != 'd' && d.mmdebstrap().type() != 'l')) {
            return false;
        }
        boolean excluded = false;
        for (ImageSpec.PathRule rule : filter) {
            if (rule.pattern().matches(d.path())) {
                excluded = !rule.include();
            }
        }
        return excluded && filter.stream().filter(ImageSpec.PathRule::include).anyMatch(rule -> {
            String text = rule.pattern().text();
            int wildcard = 0;
            while (wildcard < text.length() && "*?[\\".indexOf(text.charAt(wildcard)) < 0) {
                wildcard++;
            }
            return d.path().startsWith(text.substring(0, wildcard).replaceAll("/+$", ""));
        });
    }

    static Comparison compare(SortedMap<String, Node> kiln, SortedMap<String, Node> mmdebstrap, List<ImageSpec.PathRule> filter) {
        TreeSet<String> paths = new TreeSet<>(kiln.keySet());
        paths.addAll(mmdebstrap.keySet());
        List<Difference> unexplained = new ArrayList<>();
        Map<Allowed, Integer> allowed = new LinkedHashMap<>();
        Map<Allowed, Integer> pending = new LinkedHashMap<>();
        for (String path : paths) {
            Node k = kiln.get(path);
            Node m = mmdebstrap.get(path);
            if (k != null && k.equals(m)) {
                continue;
            }
            Difference d = new Difference(path, k, m);
            Optional<Allowed> a = d.firstIn(ALLOWED);
            Optional<Allowed> p = d.firstIn(PENDING);
            if (dpkgKeeps(d, filter)) {
                allowed.merge(new Allowed("(path filter)", Side.ONLY_MMDEBSTRAP, DPKG_KEEPS), 1, Integer::sum);
            } else if (a.isPresent()) {
                allowed.merge(a.get(), 1, Integer::sum);
            } else if (p.isPresent()) {
                pending.merge(p.get(), 1, Integer::sum);
            } else {
                unexplained.add(d);
            }
        }
        return new Comparison(List.copyOf(unexplained), allowed, pending);
    }
}
