package dev.kiln.assembler.image;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.cache.MemoUse;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.rootfs.OriginLayers;
import dev.kiln.assembler.rootfs.RootfsBuilder;
import dev.kiln.assembler.rootfs.SourceLayer;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.DamagedContentException;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayerDigests;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.PhaseListener;
import dev.kiln.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * From a spec, its lock and the packages in the store to the images in a layout, every step
 * memoized in the store: packages are unpacked once ({@link UnpackCache}), layers are written
 * and compressed once per tree ({@link LayerCache}); only the small config and manifest are made
 * each time. Per architecture the image has the package layers (one, or several with origin
 * layering), then, when the spec copies local sources, a layer with what they add or change
 * ({@link SourceLayer}), and then a small layer holding the spec and the lock ({@link #SPEC_PATH},
 * {@link #LOCK_PATH}), so that the image alone is enough to rebuild it, a change to the runtime
 * keys alone leaves every package layer as it was, and so does a change to a local source: the
 * package layers are those of the spec without its sources.
 */
public final class ImageAssembler {
    /** Where the spec travels inside the image. */
    static final String SPEC_PATH = "/etc/kiln/image.yaml";
    /** Where the lock travels inside the image. */
    static final String LOCK_PATH = "/etc/kiln/image.lock.json";
    /** Where the listing of each local source travels, as {@code <sha256 hex>.json}, so that a rebuild finds its files in the image. */
    static final String SOURCES_DIR = "/etc/kiln/sources";

    private final ContentStore store;
    private final ImageSpec spec;
    private final byte[] specBytes;
    private final Lock lock;
    private final long epoch;
    private final java.util.Map<String, dev.kiln.assembler.copy.Copy> copies;
    private final java.util.Map<String, Descriptor> images = new java.util.LinkedHashMap<>();
    private final java.util.Map<dev.kiln.store.Digest, String> maintainers = new java.util.HashMap<>();
    private final java.util.SortedMap<String, List<Lock.Package>> installed = new java.util.TreeMap<>();
    private final java.util.Set<String> warnings = new java.util.LinkedHashSet<>();
    private PhaseListener phases = PhaseListener.NONE;
    private final UnpackCache unpacker;
    private final LayerCache layers;

    ImageAssembler(ContentStore store, ImageSpec spec, byte[] specBytes, Lock lock, long epoch) {
        this(store, spec, specBytes, lock, epoch, java.util.Map.of());
    }

    /** @param copies what the spec's {@code paths} with a {@code source} copy in, by their path */
    public ImageAssembler(ContentStore store, ImageSpec spec, byte[] specBytes, Lock lock, long epoch,
            java.util.Map<String, dev.kiln.assembler.copy.Copy> copies) {
        this.store = store;
        this.spec = spec;
        this.specBytes = specBytes.clone();
        this.lock = lock;
        this.epoch = epoch;
        this.copies = java.util.Map.copyOf(copies);
        this.unpacker = new UnpackCache(store, UnpackLimits.DEFAULT);
        this.layers = new LayerCache(store);
    }

    /** Tells {@code listener} as each architecture's packages are unpacked and its layers written. */
    public ImageAssembler withPhases(PhaseListener listener) {
        this.phases = java.util.Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Writes every architecture's image into {@code layout}; returns the top manifest or index. */
    public Descriptor write(ImageLayout layout) {
        List<Descriptor> images = new ArrayList<>();
        for (String arch : lock.archs().keySet()) {
            Descriptor image;
            try {
                image = image(arch, layers, layout);
            } catch (DamagedContentException e) {
                // an unpacked package an earlier run left was changed since: without it the memo
                // misses, so the package is unpacked again from its (hashed) .deb, once
                Digest file = Digest.parse("sha256:" + e.file().getFileName());
                store.recheck(file);
                if (isCopy(file)) {
                    throw new AssembleException(StoreException.Kind.DAMAGED, e.getMessage().lines().findFirst().orElse("")
                            + "\n  it was removed from the store\n  fix: build again (the source is read from disk again)", e);
                }
                image = image(arch, layers, layout);
            }
            this.images.put(arch, image);
            images.add(image);
        }
        return images.size() == 1 ? images.get(0) : layout.writeIndex(new Index(images, SpecConfig.annotations(spec)));
    }

    /** Whether a store file holds a local source's file (those are put in the store from disk, not made by a memo step). */
    private boolean isCopy(Digest file) {
        return copies.values().stream().anyMatch(c -> c.contents().containsKey(file));
    }

    /** One architecture's image: its packages unpacked and checked, its layers written or found, its config and manifest. */
    private Descriptor image(String arch, LayerCache layers, ImageLayout layout) {
        List<Lock.Package> locked = lock.packages(arch);
        List<DebPackage> debs = unpacker.unpackAll(locked);
        List<Lock.Package> held = new ArrayList<>();
        for (int i = 0; i < locked.size(); i++) {
            Lock.Package p = locked.get(i);
            DebPackage deb = debs.get(i);
            deb.field("Maintainer").ifPresent(m -> maintainers.put(p.sha256(), m));
            // what the unpacked control data says (checked against the lock), not the lock's text
            held.add(new Lock.Package(deb.packageName(), deb.version(), deb.architecture().orElseThrow(), p.source(), p.path(),
                    p.size(), p.sha256(), p.repository()));
        }
        installed.put(arch, List.copyOf(held));
        phases.phase("unpacked " + arch);
        RootfsBuilder.Options options = RootfsBuilder.Options.of(arch, epoch).withAccounts(spec.accounts())
                .withPaths(spec.paths()).withPathFilter(spec.contents().pathFilter()).withCopies(copies)
                .withDistribution(lock.distribution()).withAlternatives(spec.alternatives());
        RootfsBuilder.Layered trees = copies.isEmpty() ? null : RootfsBuilder.assembleLayered(debs, options);
        RootfsBuilder.Rootfs rootfs = trees == null ? RootfsBuilder.assemble(debs, options) : trees.whole();
        RootfsBuilder.Rootfs packages = trees == null ? rootfs : trees.withoutSources();
        warnings.addAll(rootfs.warnings());
        List<OriginLayers.Layer> plan = new ArrayList<>(spec.layering().strategy() == ImageSpec.Layering.Strategy.ORIGIN
                ? OriginLayers.split(packages, spec.layering().budget())
                : List.of(new OriginLayers.Layer("packages", packages.tree())));
        if (trees != null) {
            SourceLayer.over(packages.tree(), rootfs.tree()).ifPresent(t -> plan.add(new OriginLayers.Layer(
                    SourceLayer.label(spec.copies().stream().map(ImageSpec.PathEntry::path).toList()), t)));
        }
        plan.add(new OriginLayers.Layer("spec and lock", metadata(rootfs.tree())));
        List<LayerDigests> written = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (OriginLayers.Layer l : plan) {
            written.add(copyLayer(layers, l.tree(), layout));
            comments.add(l.label());
        }
        phases.phase("layers " + arch);
        var config = SpecConfig.configFile(spec, arch, written.stream().map(LayerDigests::uncompressed).toList(),
                comments, epoch);
        return layout.writeImage(config, written, SpecConfig.annotations(spec));
    }

    /**
     * The layer of {@code tree}, from the store's memo or written now, copied into {@code layout}. A
     * remembered layer whose blob is not the bytes it is named by (a damaged or tampered store) is
     * removed from the store and written again from the tree.
     */
    private LayerDigests copyLayer(LayerCache layers, FileTree tree, ImageLayout layout) {
        LayerCache.Cached c = layers.layer(tree, epoch);
        if (layout.copyLayer(c.digests(), c.blob())) {
            return c.digests();
        }
        store.recheck(c.digests().compressed());
        LayerCache.Cached again = layers.layer(tree, epoch);
        if (!layout.copyLayer(again.digests(), again.blob())) {
            throw new AssembleException(StoreException.Kind.DAMAGED, "the store's layer " + c.digests().compressed()
                    + " holds other bytes than its name, even written again\n  fix: repair the store, then build again");
        }
        return again.digests();
    }

    /**
     * Every memo entry {@link #write} used, unpacked packages first, then layers: what it found in
     * the store ({@link MemoUse#reused}) and what it made; what gc keeps for the lock
     * ({@link dev.kiln.assembler.cache.BuildUses}).
     */
    public List<MemoUse> memoUses() {
        List<MemoUse> out = new ArrayList<>(unpacker.uses());
        out.addAll(layers.uses());
        return out;
    }

    /**
     * What the build could not reproduce of a Debian install (a package's script effects kiln
     * cannot read), after {@link #write}: each once, in the order met.
     */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Each architecture's image manifest, after {@link #write}. */
    public java.util.Map<String, Descriptor> images() {
        return java.util.Collections.unmodifiableMap(images);
    }

    /**
     * The lock with each package as its .deb's control data names it (held to the lock's entry
     * before it was unpacked), after {@link #write}: what the SBOM lists.
     */
    public Lock installed() {
        return new Lock(lock.lockVersion(), lock.spec(), lock.repositories(), lock.options(), installed)
                .withCopies(lock.copies());
    }

    /** The Maintainer of each package by its .deb's sha256, after {@link #write}. */
    public java.util.Map<dev.kiln.store.Digest, String> maintainers() {
        return java.util.Collections.unmodifiableMap(maintainers);
    }

    /** The spec and lock layer: {@code /etc} as the root filesystem has it, then kiln's two files. */
    private FileTree metadata(FileTree rootfs) {
        FileTree.Builder b = FileTree.builder("the spec and lock layer");
        b.add(rootfs.get("/etc").orElse(Entry.dir("/etc", 0755, 0, 0, epoch)));
        b.add(Entry.dir("/etc/kiln", 0755, 0, 0, epoch));
        b.add(Entry.file(SPEC_PATH, 0644, 0, 0, epoch, Content.of(specBytes)));
        b.add(Entry.file(LOCK_PATH, 0644, 0, 0, epoch, Content.of(LockJson.write(lock))));
        if (!copies.isEmpty()) {
            b.add(Entry.dir(SOURCES_DIR, 0755, 0, 0, epoch));
            java.util.TreeMap<String, byte[]> listings = new java.util.TreeMap<>(); // two copies of one content share one
            copies.values().forEach(c -> listings.put(c.listing().digest().hex(), c.listing().json()));
            listings.forEach((hex, listing) -> b.add(Entry.file(SOURCES_DIR + "/" + hex + ".json", 0644, 0, 0, epoch, Content.of(listing))));
        }
        return b.build();
    }
}
