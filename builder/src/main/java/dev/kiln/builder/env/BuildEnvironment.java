package dev.kiln.builder.env;

import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.rootfs.RootfsBuilder;
import dev.kiln.assembler.tree.DamagedContentException;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreeDigest;
import dev.kiln.builder.RecipeException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build environment's root directory: the root filesystem an image built from a lock would
 * have (its packages unpacked through the store's memo, merged /usr, accounts, the alternatives
 * links such as {@code cc} and {@code awk}, {@code /etc/dpkg/origins/default}: what
 * {@link RootfsBuilder} makes in place of maintainer scripts, none of which runs), written out as
 * a directory that a {@link dev.kiln.builder.sandbox.Sandbox} binds read-only.
 *
 * <p>Each tree is written once per store: memo {@link MemoStep#BUILD_ROOT} leads from the tree's
 * digest to a small record blob, and the directory is the store's
 * {@link ContentStore#directory directory} of that blob, filled in {@code tmp/} and published by
 * one rename, with the record file {@value #COMPLETE} written last inside it; a directory without
 * it, or naming another tree, is never used (it is deleted and written again); its files are not
 * synced one by one (thousands of fsyncs would cost more than writing), so a process killed
 * mid-write leaves only a staging directory, which gc removes. Files are 0444
 * (0555 when executable), directories 0555, so a build cannot change it; identical files are hard
 * links of one another. Owners are not kept (a rootless kiln cannot set them): inside the sandbox
 * everything belongs to uid 0. gc deletes the directory with its record blob, which no gc root
 * keeps: an environment unused since is written again by the next build that needs it.
 */
public final class BuildEnvironment {
    /** The memo step of written roots. */
    public static final MemoStep STEP = MemoStep.BUILD_ROOT;
    /** Inside the published directory, beside {@value #ROOT}: the record, written last. */
    public static final String COMPLETE = "complete";
    /** Inside the published directory: the root filesystem. */
    public static final String ROOT = "root";
    private static final String FORMAT = "kiln-build-root-1";

    private final ContentStore store;
    private final UnpackCache unpacker;

    public BuildEnvironment(ContentStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.unpacker = new UnpackCache(store, UnpackLimits.DEFAULT);
    }

    /**
     * What to build an environment from: a lock (its packages must be in the store: fetched),
     * the architecture, the epoch of what kiln generates, and the spec's settings that shape the
     * root beyond its packages.
     *
     * @param epoch mtime of the files kiln writes (accounts, links); {@link #of} takes the lock's
     *     newest Release date, as an image build does
     * @param accounts users and groups beyond root and nobody (the environment spec's {@code accounts})
     * @param pathFilter which package files stay (its {@code contents.path-filter})
     * @param alternatives its {@code alternatives}, over what the packages' scripts register
     */
    public record Request(Lock lock, String arch, long epoch, ImageSpec.Accounts accounts,
            List<ImageSpec.PathRule> pathFilter, List<ImageSpec.Alternative> alternatives) {
        public Request {
            Objects.requireNonNull(lock, "lock");
            Objects.requireNonNull(arch, "arch");
            Objects.requireNonNull(accounts, "accounts");
            pathFilter = List.copyOf(pathFilter);
            alternatives = List.copyOf(alternatives);
            if (!lock.archs().containsKey(arch)) {
                throw new RecipeException(RecipeException.Kind.ARCHITECTURE, "the environment's lock has no packages for "
                        + arch + "\n  expected: one of " + lock.archs().keySet()
                        + "\n  fix: lock the environment for " + arch + " (recipes build for the host's architecture)");
            }
        }

        /** The root of {@code lock}'s packages for {@code arch}, at the lock's newest Release date, nothing else. */
        public static Request of(Lock lock, String arch) {
            return new Request(lock, arch, lock.newestRelease(), ImageSpec.Accounts.NONE, List.of(), List.of());
        }

        /** The same, with the settings of the spec the lock was made for. */
        public Request withSpec(ImageSpec spec) {
            return new Request(lock, arch, epoch, spec.accounts(), spec.contents().pathFilter(), spec.alternatives());
        }

        public Request withEpoch(long epoch) {
            return new Request(lock, arch, epoch, accounts, pathFilter, alternatives);
        }
    }

    /**
     * A written environment.
     *
     * @param directory the root filesystem's directory, read-only: what {@code Step.root} takes
     * @param tree the digest of the tree written there ({@link TreeDigest})
     * @param written whether this call wrote it (false: it was in the store)
     * @param warnings what the root could not reproduce of the packages' scripts, each once
     */
    public record Root(Path directory, Digest tree, boolean written, List<String> warnings) {
        public Root {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The environment's root directory, written now or found in the store.
     *
     * @throws RecipeException when a package is missing from the store or its files cannot be
     *     assembled, or the directory cannot be written
     */
    public Root root(Request request) {
        RootfsBuilder.Rootfs rootfs;
        try {
            rootfs = assemble(request);
        } catch (DamagedContentException e) {
            // an unpacked package changed since it was written: without it the memo misses and it is unpacked again
            store.recheck(Digest.parse("sha256:" + e.file().getFileName()));
            rootfs = assemble(request);
        }
        FileTree tree = rootfs.tree();
        Digest digest = TreeDigest.of(tree);
        Digest key = Digest.of((STEP.id() + "\n" + digest + "\n").getBytes(StandardCharsets.UTF_8));
        Optional<Digest> record = store.memo(STEP, key);
        if (record.isPresent()) {
            Optional<Path> found = complete(record.get(), digest);
            if (found.isPresent()) {
                return new Root(found.get(), digest, false, rootfs.warnings());
            }
        }
        Digest blob = store.put(recordBytes(digest));
        Optional<Path> there = complete(blob, digest);
        boolean written = there.isEmpty();
        if (written) {
            store.deleteDirectory(blob); // a damaged or partial directory is never used: written again
            Path staged = store.stageDirectory();
            try {
                RootWriter.write(tree, staged.resolve(ROOT));
                Files.write(staged.resolve(COMPLETE), recordBytes(digest));
                // a staging directory is its owner's alone (0700): the published one is for anyone who may read the
                // store, and for a sandbox whose user namespace does not map the store's owner (root building in a
                // store another user made) it must be searchable by others
                Files.setPosixFilePermissions(staged, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new RecipeException(RecipeException.Kind.OTHER, "cannot write the build environment into " + staged + ": "
                        + e.getMessage() + "\n  fix: check the space and permissions of the store at " + store.root(), e);
            }
            store.publishDirectory(staged, blob);
            there = complete(blob, digest);
            if (there.isEmpty()) {
                throw new RecipeException(RecipeException.Kind.OTHER, "the build environment published at "
                        + store.directory(blob) + " is not complete\n  fix: check the store at " + store.root());
            }
        }
        store.putMemo(STEP, key, blob);
        return new Root(there.get(), digest, written, rootfs.warnings());
    }

    /** The root filesystem of the request, its packages unpacked (or found unpacked) through the store. */
    private RootfsBuilder.Rootfs assemble(Request request) {
        List<Lock.Package> packages = request.lock().installed(request.arch()); // with what recipes built, filled in
        for (Lock.Package p : packages) {
            if (!store.contains(p.sha256())) {
                throw new RecipeException(RecipeException.Kind.LOCK, "the environment's package " + p.name() + " " + p.version()
                        + " (" + p.sha256() + ") is not in the store\n  fix: fetch the environment's lock first");
            }
        }
        List<DebPackage> debs = unpacker.unpackAll(packages);
        RootfsBuilder.Options options = RootfsBuilder.Options.of(request.arch(), request.epoch())
                .withAccounts(request.accounts()).withPathFilter(request.pathFilter())
                .withDistribution(request.lock().distribution()).withAlternatives(request.alternatives());
        return RootfsBuilder.assemble(debs, options);
    }

    /** The published directory of {@code blob} when it is whole and holds {@code tree}. */
    private Optional<Path> complete(Digest blob, Digest tree) {
        Path dir = store.directory(blob);
        try {
            Path complete = dir.resolve(COMPLETE);
            if (Files.isRegularFile(complete) && java.util.Arrays.equals(Files.readAllBytes(complete), recordBytes(tree))
                    && Files.isDirectory(dir.resolve(ROOT))) {
                return Optional.of(dir.resolve(ROOT));
            }
        } catch (IOException e) {
            // unreadable: not complete
        }
        return Optional.empty();
    }

    private static byte[] recordBytes(Digest tree) {
        return (FORMAT + "\ntree " + tree + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
