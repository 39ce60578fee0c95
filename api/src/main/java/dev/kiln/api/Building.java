package dev.kiln.api;

import dev.kiln.assembler.cache.BuildUses;
import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.cache.MemoUse;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.copy.BuildContext;
import dev.kiln.assembler.copy.Copies;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.image.ImageAssembler;
import dev.kiln.assembler.rootfs.RootfsBuilder;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.DockerArchive;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.OciException;
import dev.kiln.oci.Platform;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.Pushed;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.IoErrors;
import dev.kiln.store.MemoStep;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The build: from a spec and its lock to an image in a layout, and from there to an archive or a registry. */
final class Building {
    private Building() {
    }

    /**
     * What the build made: the layout, its top manifest (or index), each architecture's manifest,
     * the lock and epoch it was made from, the documents beside it.
     */
    record Built(Path layout, Descriptor top, List<BuildResult.PlatformManifest> manifests, Lock lock, long epoch,
            List<Path> documents) {
    }

    /** The names {@code lock} pins with other bytes than the recipes built ({@code NAME_ARCH} to sha256). */
    private static java.util.SortedSet<String> movedByRecipes(Lock lock, Map<String, String> fromRecipes) {
        java.util.SortedSet<String> moved = new java.util.TreeSet<>();
        for (Lock.Package p : lock.allPackages()) {
            String built = fromRecipes.get(p.name() + "_" + p.architecture());
            if (built != null && !built.equals(p.sha256().toString())) {
                moved.add(p.name());
            }
        }
        return moved;
    }

    private static String versions(Lock lock, String name) {
        return lock.allPackages().stream().filter(p -> p.name().equals(name)).map(Lock.Package::version).distinct().sorted()
                .collect(Collectors.joining(", "));
    }

    /** Each architecture's manifest, in the assembler's order, as the API names it. */
    private static List<BuildResult.PlatformManifest> manifests(Map<String, Descriptor> images) {
        return images.entrySet().stream().map(e -> new BuildResult.PlatformManifest(
                e.getValue().platform().orElseGet(() -> Platform.ofDebian(e.getKey())).toString(),
                e.getValue().digest().toString())).toList();
    }

    static BuildResult build(Session s, BuildRequest request) {
        return build(s, request, Map.of());
    }

    /**
     * As {@link #build(Session, BuildRequest)}, after recipes built {@code fromRecipes} (each package's
     * name and architecture, {@code NAME_ARCH}, to its sha256): a lock made from this spec that pins
     * one of those names with other bytes is locked again, moving only those names (as {@code kiln lock
     * --update NAME} would), so that the image takes what its recipes now make.
     */
    static BuildResult build(Session s, BuildRequest request, Map<String, String> fromRecipes) {
        Target.Layout layout = null;
        List<Target.Archive> archives = new ArrayList<>();
        List<Target.Registry> registries = new ArrayList<>();
        for (Target t : request.targets()) {
            if (t instanceof Target.Layout l) {
                layout = l;
            } else if (t instanceof Target.Archive a) {
                archives.add(a);
            } else {
                registries.add((Target.Registry) t);
            }
        }
        if (request.targets().isEmpty()) {
            throw new IllegalArgumentException("say where the image goes: BuildRequest.to(Target...)");
        }
        Path lockFile = request.lockFileOrDefault();
        Inputs in = Inputs.of(request.spec(), lockFile, s.context());
        // an archive that could not be written is refused before the build, not after it
        for (Target.Archive a : archives) {
            checkArchive(a, request.spec().architectures());
        }
        Path scratch = null;
        try {
            Path out;
            if (layout != null) {
                out = layout.dir();
            } else {
                scratch = Files.createTempDirectory("kiln-build-");
                out = scratch.resolve("oci");
            }
            Built built = build(s, in, out, request.mode(), request.epoch(), Copies.Origin.DISK, fromRecipes);
            List<BuildResult.Output> outputs = new ArrayList<>();
            if (layout != null) {
                outputs.add(new BuildResult.LayoutOutput(built.layout(), built.documents()));
            }
            for (Target.Archive a : archives) {
                Descriptor image = DockerArchive.write(built.layout(), a.file(), a.tag(), a.architecture(),
                        a.hostArchitecture().orElse(""));
                outputs.add(new BuildResult.ArchiveOutput(a.file(), a.tag(), image.platform().map(Platform::toString),
                        image.digest().toString()));
            }
            for (Target.Registry r : registries) {
                try (RegistryClient client = s.registryClient()) {
                    Pushed pushed = client.push(built.layout(), ImageReference.parse(r.reference()));
                    outputs.add(new BuildResult.RegistryOutput(pushed.reference().toString()));
                }
            }
            return new BuildResult(built.top().mediaType(), built.top().digest().toString(), lockFile, built.epoch(), outputs,
                    built.manifests());
        } catch (IOException e) {
            throw new StoreException("cannot make a temporary directory for the image: " + IoErrors.why(e), e);
        } finally {
            if (scratch != null) {
                ImageLayout.deleteRecursively(scratch);
            }
        }
    }

    /** Fails now if the archive could not be written, or would find no image for its platform among the spec's. */
    private static void checkArchive(Target.Archive a, List<String> archs) {
        DockerArchive.checkTarget(a.file());
        if (a.architecture().isEmpty() && a.hostArchitecture().isEmpty() && archs.size() > 1) {
            throw new OciException(OciException.Kind.PLATFORM, "a docker archive holds one platform, and the spec builds " + archs.stream()
                    .map(Platform::ofDebian).map(Platform::toString).collect(Collectors.joining(", "))
                    + "\n  fix: name the architecture to write");
        }
        DockerArchive.checkArchitecture(archs, a.architecture(), a.hostArchitecture().orElse(""));
    }

    /**
     * Builds the spec's image into an OCI image layout at {@code out}: the lock is used when it was
     * made from this spec (else the spec is resolved and the lock written; {@link LockMode#FROZEN}
     * refuses that), every locked package is fetched and verified, unpacked without running any
     * maintainer script (once: unpacked packages and written layers are memo entries in the store),
     * and laid out per architecture as deterministic layers. Copies come from {@code origin}: the
     * disk (read again, put into the store and held to the lock: pinned anew when they changed,
     * unless frozen), or the store by the lock's digests (a rebuild).
     */
    static Built build(Session s, Inputs in, Path out, LockMode mode, Epoch epoch, Copies.Origin origin) {
        return build(s, in, out, mode, epoch, origin, Map.of());
    }

    private static Built build(Session s, Inputs in, Path out, LockMode mode, Epoch epoch, Copies.Origin origin,
            Map<String, String> fromRecipes) {
        ImageSpec spec = in.parsed();
        Path lockFile = in.lockFile();
        boolean frozen = mode == LockMode.FROZEN;
        // where copies come from is checked before anything is written, resolved or fetched
        BuildContext buildContext = null;
        if (origin == Copies.Origin.DISK) {
            buildContext = in.buildContext(s.context());
            buildContext.check(spec);
        }
        ImageLayout.checkTarget(out); // before anything is resolved or fetched
        RootfsBuilder.checkSpec(spec); // accounts and run-as, too
        Lock lock = null;
        Lock existing = null;
        if (Files.exists(lockFile)) {
            existing = Locking.read(lockFile);
            if (existing.spec().digest().equals(spec.digest())) {
                lock = existing;
                java.util.SortedSet<String> moved = movedByRecipes(existing, fromRecipes);
                if (!moved.isEmpty() && !frozen) {
                    Locking.checkLockTarget(lockFile);
                    lock = Locking.write(s, Locking.resolve(s, in, mode, true, existing, moved).lock(), lockFile);
                    for (String name : moved) {
                        s.events.emit(new BuildWarningEvent("the lock's pin of " + name + " moved: "
                                + versions(existing, name) + " -> " + versions(lock, name)
                                + " (its recipe built other bytes than the lock pinned)"));
                    }
                    s.events.phase("locked");
                }
            } else if (frozen) {
                throw new ResolveException(ResolveException.Kind.LOCK_MISMATCH, lockFile + " was made from another version of "
                        + in.specPath()
                        + " (spec " + existing.spec().digest().shortHex() + ", now " + spec.digest().shortHex() + ")"
                        + "\n  fix: lock the spec again, or build without freezing the lock");
            }
        } else if (frozen) {
            throw new ResolveException(ResolveException.Kind.LOCK_INVALID, "the lock is frozen, but there is no lock at " + lockFile
                    + "\n  fix: lock " + in.specPath() + " first");
        }
        if (lock == null) {
            Locking.checkLockTarget(lockFile);
            // the parsed indexes go into the store while the build goes on; it waits for them
            // before it publishes the image (a failed write fails the build, the lock stays)
            // as kiln lock does: the pins of the lock there stay where the spec's change allows
            lock = Locking.write(s, Locking.resolve(s, in, mode, true, existing, java.util.Set.of()).lock(), lockFile);
            s.events.phase("locked");
        }
        Map<String, Copy> copies;
        if (origin == Copies.Origin.DISK) {
            copies = Copies.load(spec, buildContext, s.store());
            Lock pinned = Copies.reconcile(lock, copies, in.specPath(), lockFile, frozen, s.store());
            if (pinned != lock) {
                lock = pinned;
                Locking.writeAtomically(lockFile, LockJson.write(lock));
            }
        } else {
            copies = Copies.fromStore(spec, lock, s.store());
        }
        // with a shared cache, the unpacked packages come from it while the .debs are fetched
        try (UnpackCache.Prefetch prefetch = UnpackCache.prefetch(s.store(), UnpackLimits.DEFAULT,
                lock.allPackages().stream().map(Lock.Package::sha256).toList())) {
            Fetching.fetch(s, lockFile, lock, mode == LockMode.OFFLINE, in.baseDir());
            prefetch.await();
        }
        s.events.phase("fetched");
        long seconds = epoch.seconds().orElse(lock.newestRelease());
        try (ImageLayout layout = ImageLayout.stage(out)) {
            ImageAssembler assembler = new ImageAssembler(s.store(), spec, in.spec().yaml(), lock, seconds, copies)
                    .withPhases(s.events.phases());
            Descriptor top = assembler.write(layout);
            assembler.warnings().forEach(w -> s.events.emit(new BuildWarningEvent(w)));
            s.awaitBackground();
            recordUses(s, lockFile, lock, assembler.memoUses());
            // the SBOMs and the provenance are written (beside the target, under temporary names)
            // before the layout is put in place, so that a full disk leaves neither behind
            Path staged = layout.prepare(top, ImageLayout.IMAGE_REF);
            Path target = out.toAbsolutePath().normalize();
            List<AtomicFile.Staged> documents = Documents.stage(staged, target, assembler, lock, seconds);
            try {
                Path written = layout.publish();
                s.events.phase("image written");
                for (AtomicFile.Staged d : documents) {
                    d.commit();
                }
                s.events.phase("sbom and provenance written");
                s.store().addRoot(lockFile.toAbsolutePath());
                return new Built(written, top, manifests(assembler.images()), lock, seconds,
                        documents.stream().map(AtomicFile.Staged::target).toList());
            } catch (IOException e) {
                throw new StoreException("cannot put the SBOM and provenance beside " + target + ": " + IoErrors.why(e), e);
            } finally {
                Documents.discard(documents);
            }
        }
    }

    /**
     * Tells what the build took from the memo and made, and records what it used under the lock's
     * bytes, so that gc keeps it while the lock is a root. Lock bytes that are not this lock (the
     * file changed meanwhile) record nothing.
     */
    private static void recordUses(Session s, Path lockFile, Lock lock, List<MemoUse> uses) {
        for (String step : List.of("unpack", "layer")) {
            MemoStep id = step.equals("unpack") ? UnpackCache.STEP : LayerCache.STEP;
            int reused = (int) uses.stream().filter(u -> u.step() == id && u.reused()).count();
            int made = (int) uses.stream().filter(u -> u.step() == id && !u.reused()).count();
            s.events.emit(new StoreEvent.MemoUsed(step, reused, made));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(lockFile);
        } catch (IOException e) {
            return; // the lock is gone: nothing is a root to keep these for
        }
        try {
            if (!LockJson.read(bytes, lockFile.toString()).equals(lock)) {
                return;
            }
        } catch (RuntimeException changed) {
            return;
        }
        BuildUses.record(s.store(), bytes, uses);
    }
}
