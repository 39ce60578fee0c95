package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * From unpacked packages to an image's root filesystem, without running a maintainer script: a
 * pure function of the packages and {@link Options}. The steps, in order:
 *
 * <ol>
 * <li>merge the packages' files in package-name order ({@link PackageMerge}), under /usr when
 *     /usr is merged, then make the /bin, /sbin, /lib* links ({@link MergedUsr});</li>
 * <li>{@code /etc/passwd}, {@code /etc/group} and home directories ({@link AccountFiles}): base-passwd's
 *     accounts, those of packages' scripts ({@link ScriptAccounts}) and the spec's;</li>
 * <li>runtime directories and links, {@code /etc/dpkg/origins/default} ({@link RuntimeDirs}), and
 *     the files and links some packages' scripts make ({@link ScriptFiles});</li>
 * <li>{@code /etc/os-release} ({@link OsRelease});</li>
 * <li>the CA bundle when {@code ca-certificates} is installed ({@link CaBundle});</li>
 * <li>the Java trust store from the same certificates when a JRE needs it ({@link JavaTrustStore});</li>
 * <li>the spec's path filter takes out package files ({@link PathFilter});</li>
 * <li>the alternatives the packages' scripts register, and the spec's ({@link Alternatives});</li>
 * <li>the dpkg records scanners read, for what stays ({@link DpkgStatus});</li>
 * <li>the spec's paths ({@link SpecPaths}), copying in local sources.</li>
 * </ol>
 *
 * Files kiln writes are 0644 root:root, and they and the directories it creates carry the image
 * epoch as mtime; package files keep theirs.
 */
public final class RootfsBuilder {
    private RootfsBuilder() {
    }

    /**
     * @param arch the Debian architecture, e.g. {@code amd64}: decides the {@code /lib64} link
     * @param epoch mtime (seconds) of everything kiln generates, e.g. from SOURCE_DATE_EPOCH
     * @param mergedUsr whether /bin, /sbin and /lib* are links into /usr (Debian bookworm and later)
     * @param accounts users and groups beyond the built-in root and nobody
     * @param paths the spec's paths; only directory modes for home directories are read here
     * @param pathFilter the spec's {@code contents.path-filter}: which package files stay
     * @param copies what the {@code paths} entries with a {@code source} copy in, by their {@code path}
     * @param distribution what the lock recorded from the signed Release, for {@code /etc/os-release}
     *     without base-files; empty for a lock from before kiln recorded it
     * @param alternatives the spec's {@code alternatives}, over what the packages' scripts register
     */
    public record Options(String arch, long epoch, boolean mergedUsr, ImageSpec.Accounts accounts,
            List<ImageSpec.PathEntry> paths, List<ImageSpec.PathRule> pathFilter, Map<String, Copy> copies,
            Optional<Lock.Distribution> distribution, List<ImageSpec.Alternative> alternatives) {
        public Options {
            Objects.requireNonNull(distribution, "distribution");
            Objects.requireNonNull(arch, "arch");
            Objects.requireNonNull(accounts, "accounts");
            paths = List.copyOf(paths);
            pathFilter = List.copyOf(pathFilter);
            copies = Map.copyOf(copies);
            alternatives = List.copyOf(alternatives);
            if (epoch < 0) {
                throw new IllegalArgumentException("epoch " + epoch + " is before 1970");
            }
        }

        /** Merged /usr, no accounts beyond the built-in ones, no paths. */
        public static Options of(String arch, long epoch) {
            return new Options(arch, epoch, true, ImageSpec.Accounts.NONE, List.of(), List.of(), Map.of(), Optional.empty(), List.of());
        }

        public Options withMergedUsr(boolean mergedUsr) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withAccounts(ImageSpec.Accounts accounts) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withPaths(List<ImageSpec.PathEntry> paths) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withPathFilter(List<ImageSpec.PathRule> pathFilter) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withCopies(Map<String, Copy> copies) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withDistribution(Optional<Lock.Distribution> distribution) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }

        public Options withAlternatives(List<ImageSpec.Alternative> alternatives) {
            return new Options(arch, epoch, mergedUsr, accounts, paths, pathFilter, copies, distribution, alternatives);
        }
    }

    /**
     * The root filesystem of {@code packages}; their order does not matter.
     *
     * @throws AssembleException when two packages ship different files at one path and neither
     *     Replaces the other, a package is given twice, accounts clash, {@code /etc/os-release}
     *     leads nowhere, or the spec's alternatives choose what the image lacks
     */
    public static FileTree build(List<DebPackage> packages, Options options) {
        return assemble(packages, options).tree();
    }

    /**
     * A root filesystem and, for each of its paths, the package that put it there ({@link
     * #GENERATED} for what kiln wrote): what origin layering splits by; and what a build reports
     * about it ({@code warnings}: a package's script effects kiln could not reproduce).
     */
    public record Rootfs(FileTree tree, Map<String, String> owners, List<String> warnings) {
        public Rootfs {
            owners = Collections.unmodifiableMap(owners);
            warnings = List.copyOf(warnings);
        }

        public Rootfs(FileTree tree, Map<String, String> owners) {
            this(tree, owners, List.of());
        }
    }

    /** The owner of what kiln writes itself (accounts, dpkg records, links). */
    public static final String GENERATED = Draft.GENERATED;

    /**
     * Checks what of a spec can be checked without its packages: the accounts (names and ids that
     * /etc/passwd and /etc/group can hold, none twice) and that {@code run-as} names an account the
     * image will have. A build calls this before it resolves or fetches anything.
     */
    public static void checkSpec(dev.kiln.resolver.spec.ImageSpec spec) {
        AccountFiles.check(spec.accounts(), spec.paths(),
                spec.contents().packages().stream().anyMatch(p -> p.name().equals("base-passwd")));
    }

    /** As {@link #build}, keeping who owns each path. */
    public static Rootfs assemble(List<DebPackage> packages, Options options) {
        Draft draft = beforePaths(packages, options);
        SpecPaths.apply(draft, options.paths(), options.copies());
        return new Rootfs(draft.toFileTree(), draft.owners(), draft.warnings());
    }

    /**
     * The root filesystem, and the one its local sources' layer goes over.
     *
     * @param whole what {@link #assemble} gives: the image's files
     * @param withoutSources the same without the {@code paths} entries that copy a local source
     *     (and without an entry that only applies to what they copied): a function of the packages
     *     and the rest of the spec alone, so images with other sources share its layers
     */
    public record Layered(Rootfs whole, Rootfs withoutSources) {
    }

    /** Both trees of {@link Layered}, merging the packages once. */
    public static Layered assembleLayered(List<DebPackage> packages, Options options) {
        Draft draft = beforePaths(packages, options);
        Draft without = draft.copy();
        var placed = SpecPaths.apply(draft, options.paths(), options.copies());
        SpecPaths.applyWithoutSources(without, options.paths(), placed);
        return new Layered(new Rootfs(draft.toFileTree(), draft.owners(), draft.warnings()),
                new Rootfs(without.toFileTree(), without.owners(), without.warnings()));
    }

    /** Every step but the spec's paths. */
    private static Draft beforePaths(List<DebPackage> packages, Options options) {
        List<DebPackage> ordered = PackageMerge.ordered(packages);
        Draft draft = new Draft(options.epoch());
        draft.put(Entry.dir(TreePath.ROOT, 0755, 0, 0, options.epoch()), Draft.GENERATED);
        Set<String> aliases = PackageMerge.merge(draft, ordered, options.mergedUsr());
        if (options.mergedUsr()) {
            MergedUsr.link(draft, options.arch(), aliases);
        }
        // homes take their mode from a directory entry without a source, so that both trees of Layered
        // start alike; an entry with one sets the mode itself when the paths are applied
        AccountFiles.write(draft, ordered, options.accounts(), options.paths().stream().filter(p -> !p.copiesSource()).toList());
        for (String unknown : ScriptAccounts.unknown(ordered)) {
            draft.warn(unknown + "'s maintainer scripts create accounts kiln does not know: they are not in the image;"
                    + " declare them under accounts if the image needs them");
        }
        RuntimeDirs.make(draft);
        ScriptFiles.apply(draft, ordered);
        Shells.write(draft, ordered);
        ShadowFiles.write(draft, ordered);
        OsRelease.ensure(draft, options.distribution());
        if (ordered.stream().anyMatch(p -> p.packageName().equals(CaBundle.PACKAGE))) {
            CaBundle.write(draft);
        }
        if (JavaTrustStore.wanted(ordered)) {
            JavaTrustStore.write(draft);
        }
        Set<String> removed = PathFilter.apply(draft, options.pathFilter(), options.mergedUsr());
        if (ordered.stream().anyMatch(p -> p.packageName().equals(CaBundle.PACKAGE))) {
            CaCertificates.configure(draft); // after the filter: its links follow what dpkg would leave
        }
        if (PamAuthUpdate.wanted(ordered)) {
            PamAuthUpdate.write(draft);
        }
        Alternatives.write(draft, ordered, options.arch(), options.alternatives()).forEach(draft::warn);
        DpkgStatus.write(draft, ordered, removed, options.mergedUsr());
        PathFilter.record(draft, options.pathFilter());
        return draft;
    }
}
