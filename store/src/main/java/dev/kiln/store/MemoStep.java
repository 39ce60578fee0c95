package dev.kiln.store;

/**
 * Every memo step kiln keeps in a store, named once with its version. The name is the folder of
 * the step's records under {@code memo/}, and it is part of each key: a step whose output (or the
 * format of its records) changes gets a new version, so that no record of the old one is read as
 * one of the new. {@code MemoStepTest} pins the names, so that none moves by accident.
 */
public enum MemoStep {
    /** A verified {@code Packages} index, parsed into kiln's store form; keyed by the index's sha256. */
    DEBIAN_INDEX("debian-index-v2", true),
    /** A solve of a spec's requests over verified Releases; the record is a lock. */
    DEBIAN_SOLVE("debian-solve-v3", false),
    /** A good OpenPGP signature verdict on signed bytes under given keys. */
    PGP_VERIFY("pgp-verify-v1", false),
    /** A .deb unpacked into one blob, led to by a record naming the .deb and the index's sha256. */
    DEB_UNPACK("deb-unpack-v2", true),
    /** A file tree written as a deterministic gzip layer at an epoch; the record names its key. */
    LAYER("layer-v3", true),
    /**
     * What a build from a lock used (its unpack and layer records), so that gc keeps them while the
     * lock is a root; keyed by the sha256 of the lock's bytes, the record names that digest.
     */
    BUILD_USES("build-uses-v1", false),
    /** A .deb's {@code ./control} file, read without its data; keyed by the .deb's sha256. */
    DEB_CONTROL("deb-control-v1", true),
    /**
     * What a .deb's {@code changelog.Debian.gz} says (each entry's version, urgency, CVE ids), or
     * the package whose doc directory holds it; keyed by the .deb's sha256.
     */
    DEBIAN_CHANGELOG("debian-changelog-v1", false),
    /**
     * A build environment's root filesystem written out as a read-only directory, keyed by the
     * tree's digest; the record is a small blob naming the tree, and the directory is the store's
     * {@code dirs/<record hex>} (it goes with the record blob in gc).
     */
    BUILD_ROOT("build-root-v1", false),
    /** A recipe built: its build key to the record of the packages it made ({@code kiln-recipe-build-1}). */
    RECIPE_BUILD("recipe-build-v1", true);

    private final String id;
    private final boolean shared;

    MemoStep(String id, boolean shared) {
        this.id = id;
        this.shared = shared;
    }

    /**
     * Whether a {@link RemoteStore} is asked for this step's entries and sent them: the steps whose
     * value is a pure function of its key (a parsed index, an unpacked package, a control file, a
     * layer, a recipe build). Never signature verdicts on Releases (each machine checks its own),
     * solves (they rest on Releases this machine verified), the record of what a build used, a
     * build root (a directory), or changelog facts.
     */
    public boolean shared() {
        return shared;
    }

    /** The persisted name, e.g. {@code layer-v3}. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
