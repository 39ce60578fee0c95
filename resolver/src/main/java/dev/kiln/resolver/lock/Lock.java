package dev.kiln.resolver.lock;

import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image's resolved inputs: every package of every architecture pinned by sha256, and the signed
 * Releases they were chosen from; and every local file or directory the spec copies in, pinned by
 * the digest of its {@link CopyListing}. It names no host, so it works with any mirror.
 *
 * @param copies the local files and directories the spec copies in, by destination path
 * @param fromRecipes by architecture, the packages of the closure that recipes locked together
 *     with this one will make ({@link FromRecipe}); empty in an image lock
 */
public record Lock(
        int lockVersion,
        Spec spec,
        List<Repository> repositories,
        Options options,
        SortedMap<String, List<Package>> archs,
        List<Copy> copies,
        SortedMap<String, List<FromRecipe>> fromRecipes) {

    public static final int VERSION = 1;

    public Lock {
        repositories = List.copyOf(repositories);
        archs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(archs));
        List<Copy> sorted = new ArrayList<>(copies);
        sorted.sort(java.util.Comparator.comparing(Copy::path));
        copies = List.copyOf(sorted);
        TreeMap<String, List<FromRecipe>> recipes = new TreeMap<>();
        fromRecipes.forEach((arch, ps) -> {
            if (!ps.isEmpty()) {
                List<FromRecipe> byName = new ArrayList<>(ps);
                byName.sort(java.util.Comparator.comparing(FromRecipe::name));
                recipes.put(arch, List.copyOf(byName));
            }
        });
        fromRecipes = java.util.Collections.unmodifiableSortedMap(recipes);
    }

    /** A lock of no package made by a recipe (every image lock). */
    public Lock(int lockVersion, Spec spec, List<Repository> repositories, Options options, SortedMap<String, List<Package>> archs,
                List<Copy> copies) {
        this(lockVersion, spec, repositories, options, archs, copies, new TreeMap<>());
    }

    /** A lock that copies no local sources (as every lock made before they existed). */
    public Lock(int lockVersion, Spec spec, List<Repository> repositories, Options options, SortedMap<String, List<Package>> archs) {
        this(lockVersion, spec, repositories, options, archs, List.of());
    }

    public Lock withCopies(List<Copy> copies) {
        return new Lock(lockVersion, spec, repositories, options, archs, copies, fromRecipes);
    }

    public Lock withFromRecipes(SortedMap<String, List<FromRecipe>> fromRecipes) {
        return new Lock(lockVersion, spec, repositories, options, archs, copies, fromRecipes);
    }

    /**
     * A package pinned as coming from a recipe locked together with this lock's recipe: it has no
     * sha256 before that recipe is built, so the pin names the recipe (its package name and
     * canonical digest) and what it makes (name, Debian version, architecture). When the recipe is
     * built, {@code built} holds the {@code .deb}'s sha256 and size, and that digest, not the
     * recipe, is what a build from the lock depends on.
     *
     * @param recipe the package name of the recipe that makes it (the package itself or a subpackage's parent)
     * @param recipeDigest the recipe's canonical digest when it was locked
     * @param built the package the recipe made, once it is built; empty in a lock as written by locking
     */
    public record FromRecipe(String name, String version, String architecture, String recipe, Digest recipeDigest,
                             Optional<Built> built) {
        public FromRecipe {
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(version, "version");
            java.util.Objects.requireNonNull(architecture, "architecture");
            java.util.Objects.requireNonNull(recipe, "recipe");
            java.util.Objects.requireNonNull(recipeDigest, "recipeDigest");
            java.util.Objects.requireNonNull(built, "built");
        }

        /** The package's bytes: its sha256 and size. */
        public record Built(Digest sha256, long size) {
            public Built {
                java.util.Objects.requireNonNull(sha256, "sha256");
            }
        }

        public FromRecipe withBuilt(Digest sha256, long size) {
            return new FromRecipe(name, version, architecture, recipe, recipeDigest, Optional.of(new Built(sha256, size)));
        }

        /** "base 1.0-0kiln1 (amd64, from recipe base)", for messages. */
        public String describe() {
            return name + " " + version + " (" + architecture + ", from recipe " + recipe + ")";
        }
    }

    /** The packages recipes will make for {@code arch} (built or not). */
    public List<FromRecipe> fromRecipes(String arch) {
        return fromRecipes.getOrDefault(arch, List.of());
    }

    /**
     * What is installed for {@code arch}: the pinned packages, then each package from a recipe as
     * the package its recipe built ({@code file} its {@code .deb}'s name, from no repository: index -1).
     *
     * @throws IllegalStateException when a package from a recipe is not built yet
     */
    public List<Package> installed(String arch) {
        List<Package> out = new ArrayList<>(packages(arch));
        for (FromRecipe r : fromRecipes(arch)) {
            FromRecipe.Built b = r.built().orElseThrow(() -> new IllegalStateException(r.describe() + " is not built yet"));
            out.add(new Package(r.name(), r.version(), r.architecture(), r.recipe(),
                    r.name() + "_" + r.version() + "_" + r.architecture() + ".deb", b.size(), b.sha256(), -1));
        }
        return out;
    }

    /** The spec the lock was made from: its path relative to the lock, and its digest. */
    public record Spec(String path, Digest digest) {
    }

    /**
     * A repository as the spec writes it, with what its verified Release said when the lock was made.
     *
     * @param release sha256 of the InRelease (or Release) bytes
     * @param signedBy primary-key fingerprints of its good signatures
     */
    public record Repository(String line, Digest release, Instant date, Optional<Instant> validUntil, List<String> signedBy,
            Optional<Distribution> distribution) {
        public Repository {
            signedBy = List.copyOf(signedBy);
            java.util.Objects.requireNonNull(distribution, "distribution");
        }

        /** A repository pinned by a lock made before locks recorded the distribution. */
        public Repository(String line, Digest release, Instant date, Optional<Instant> validUntil, List<String> signedBy) {
            this(line, release, date, validUntil, signedBy, Optional.empty());
        }
    }

    /**
     * What a signed Release says about the distribution it belongs to, kept so that a build from
     * the lock (which reads no Release) can write {@code /etc/os-release}.
     *
     * @param origin the Release's {@code Origin} ({@code Debian})
     * @param codename its {@code Codename} ({@code bookworm}, {@code bookworm-security})
     * @param version its {@code Version} ({@code 12.8}), empty for testing and unstable
     */
    public record Distribution(String origin, String codename, String version) {
        public Distribution {
            java.util.Objects.requireNonNull(origin, "origin");
            java.util.Objects.requireNonNull(codename, "codename");
            java.util.Objects.requireNonNull(version, "version");
        }

        /** What a Release says, or empty when it names neither its origin nor its codename. */
        public static Optional<Distribution> of(String origin, String codename, String version) {
            return origin.isEmpty() && codename.isEmpty() ? Optional.empty() : Optional.of(new Distribution(origin, codename, version));
        }
    }

    /** How far the closure reached: what the spec excluded or chose not to follow. */
    public record Options(Set<String> exclude, Map<String, Set<String>> skipDependencies, boolean recommends) {
        public Options {
            exclude = Set.copyOf(exclude);
            skipDependencies = Map.copyOf(skipDependencies);
        }
    }

    /**
     * One pinned package.
     *
     * @param path the pool path relative to the repository root ({@code pool/main/...deb})
     * @param repository the index in {@link Lock#repositories()} of the repository it comes from
     */
    public record Package(String name, String version, String architecture, String source, String path,
                          long size, Digest sha256, int repository) {
    }

    /**
     * A local file or directory the spec copies into the image ({@code paths} with a
     * {@code source}), pinned by content.
     *
     * @param path where it goes in the image, as the spec writes it
     * @param source the local path as the spec writes it (relative to the spec's directory)
     * @param sha256 the digest of its {@link CopyListing}
     * @param files how many regular files it holds, for people reading the lock
     * @param size their bytes together, for people reading the lock
     */
    public record Copy(String path, String source, Digest sha256, int files, long size) {
        public Copy {
            java.util.Objects.requireNonNull(path, "path");
            java.util.Objects.requireNonNull(source, "source");
            java.util.Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * The distribution the image belongs to, for {@code /etc/os-release}: that of the first
     * repository whose Release gives a Version (a stable release's main suite, not its updates),
     * else of the first that recorded one; empty for a lock made before kiln recorded them.
     */
    public Optional<Distribution> distribution() {
        Optional<Distribution> first = Optional.empty();
        for (Repository r : repositories) {
            if (r.distribution().isPresent() && !r.distribution().get().version().isEmpty()) {
                return r.distribution();
            }
            first = first.or(r::distribution);
        }
        return first;
    }

    /**
     * The newest Release date among its repositories, in seconds since 1970 (0 for none): what an
     * image or a recipe build takes as its epoch when none is given, never the clock.
     */
    public long newestRelease() {
        long newest = 0;
        for (Repository r : repositories) {
            newest = Math.max(newest, r.date().getEpochSecond());
        }
        return newest;
    }

    public List<Package> packages(String arch) {
        return archs.getOrDefault(arch, List.of());
    }

    /** Every package of every architecture, each distinct file once. */
    public List<Package> allPackages() {
        Map<Digest, Package> byDigest = new TreeMap<>();
        for (List<Package> ps : archs.values()) {
            for (Package p : ps) {
                byDigest.putIfAbsent(p.sha256(), p);
            }
        }
        return new ArrayList<>(byDigest.values());
    }
}
