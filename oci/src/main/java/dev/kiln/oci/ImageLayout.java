package dev.kiln.oci;

import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StagingLock;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Writes an OCI image layout directory: {@code oci-layout}, {@code index.json} and
 * {@code blobs/sha256/<hex>}. {@code index.json} names the image by
 * {@code org.opencontainers.image.ref.name}: {@code latest} is the top manifest or image index,
 * and {@code latest-<arch>} each architecture's manifest (Debian's name: {@code latest-amd64},
 * {@code latest-armhf}), as distroless tags its per-architecture images. The spec lets a ref
 * name an index, and skopeo, podman and docker pick a platform from it; umoci cannot (it calls
 * a ref that reaches more than one manifest ambiguous and has no platform option), so the
 * per-architecture refs are what it unpacks.
 *
 * <p>Everything is staged in a directory beside the target ({@code .NAME.kiln-TOKEN}, marked by a
 * {@link StagingLock}), fsynced and renamed into place by {@link #commit}, so a reader (or a machine
 * that lost power) never sees half a layout; staging left by a killed kiln is removed by the next
 * layout staged for the same target. The target may be absent, an empty
 * directory, or an earlier OCI layout (replaced whole); anything else is refused. Each blob is
 * written once however often it is added, so layers shared between architectures are stored once.
 * Files are 0644 and directories 0755 whatever the umask: the layout's bytes and modes depend only
 * on its content.
 *
 * <pre>{@code
 * try (ImageLayout layout = ImageLayout.stage(dir)) {
 *     LayerDigests layer = layout.writeLayer(out -> writer.writeGzip(tree, out));
 *     Descriptor image = layout.writeImage(configFile, List.of(layer), annotations);
 *     layout.commit(image, "latest");
 * }
 * }</pre>
 */
public final class ImageLayout implements AutoCloseable {
    /** The annotation that names an image in {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** The name {@code kiln build} gives its image in {@code index.json} (beside {@code latest-<arch>}). */
    public static final String IMAGE_REF = "latest";

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path target;
    private final StagingLock mark;
    private final Path staging;
    private final Path blobs;
    private final Map<Digest, Long> written = new HashMap<>();
    private final Map<Digest, Index> indexes = new HashMap<>();
    private int temps;
    private boolean committed;
    private boolean prepared;

    private ImageLayout(Path target, StagingLock mark) {
        this.target = target;
        this.mark = mark;
        this.staging = mark.path("");
        this.blobs = staging.resolve("blobs").resolve("sha256");
    }

    /**
     * Starts a layout that {@link #commit} will put at {@code target}; fails early if it may not.
     * Removes what killed kilns left staged for the same target first.
     */
    public static ImageLayout stage(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        checkReplaceable(absolute);
        Path parent = absolute.getParent();
        StagingLock mark = null;
        try {
            AtomicFile.createDirectories(parent);
            StagingLock.sweep(absolute);
            mark = StagingLock.beside(absolute);
            ImageLayout layout = new ImageLayout(absolute, mark);
            Files.createDirectory(layout.staging);
            ExitCleanup.add(layout.staging); // a build stopped by a signal leaves no staging directory
            Files.createDirectories(layout.blobs);
            for (Path d : List.of(layout.staging, layout.staging.resolve("blobs"), layout.blobs)) {
                Files.setPosixFilePermissions(d, DIR_MODE);
            }
            return layout;
        } catch (IOException e) {
            if (mark != null) {
                try {
                    ExitCleanup.discard(mark.path(""));
                } catch (IOException ignored) {
                    // unmarked once the mark goes: the next sweep removes it
                }
                mark.close();
            }
            throw new OciException("cannot stage an image layout beside " + absolute + ": " + IoErrors.why(e), e);
        }
    }

    /**
     * A layer that writes its compressed blob to a stream and says what it wrote, hashing as it
     * writes (one pass: the blob is never read back to be hashed).
     */
    @FunctionalInterface
    public interface LayerBlob {
        LayerDigests writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code layer}'s blob into the layout; returns what the manifest and config need. */
    public LayerDigests writeLayer(LayerBlob layer) {
        Objects.requireNonNull(layer, "layer");
        Path temp = blobs.resolve(".layer-" + temps++);
        LayerDigests digests;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
            digests = layer.writeTo(out);
        } catch (IOException e) {
            throw new OciException("cannot write a layer into " + staging + ": " + IoErrors.why(e), e);
        }
        publish(temp, digests.compressed(), digests.compressedSize());
        return digests;
    }

    /**
     * Copies a layer blob that a store holds into the layout, hashing it on the way: a name in a
     * store is not a proof. Returns false, and copies nothing, when the blob is not the bytes
     * {@code layer} names (its size or its sha256 differ).
     */
    public boolean copyLayer(LayerDigests layer, Path blob) {
        if (written.containsKey(layer.compressed())) {
            return true;
        }
        Path temp = blobs.resolve(".layer-" + temps++);
        try {
            MessageDigest md = Digest.newSha256();
            long size;
            try (InputStream in = Files.newInputStream(blob);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), md)) {
                size = in.transferTo(out);
            }
            if (size != layer.compressedSize() || !Digest.fromRaw(md.digest()).equals(layer.compressed())) {
                Files.delete(temp);
                return false;
            }
        } catch (IOException e) {
            throw new OciException("cannot copy layer " + layer.compressed() + " from " + blob + ": " + IoErrors.why(e), e);
        }
        publish(temp, layer.compressed(), layer.compressedSize());
        return true;
    }

    /** Writes {@code bytes} as a blob of {@code mediaType}. */
    public Descriptor writeBlob(String mediaType, byte[] bytes) {
        Digest digest = Digest.of(bytes);
        if (!written.containsKey(digest)) {
            Path temp = blobs.resolve(".blob-" + temps++);
            try {
                Files.write(temp, bytes);
            } catch (IOException e) {
                throw new OciException("cannot write a blob into " + staging + ": " + IoErrors.why(e), e);
            }
            publish(temp, digest, bytes.length);
        }
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    /**
     * Copies a blob that must be {@code size} bytes hashing to {@code digest} from {@code in} (a download),
     * hashing as it goes. Bytes that do not match are never published: the staged copy is deleted and
     * an {@link OciException} says what came instead. A failure to read {@code in} is passed on as
     * the {@link IOException} it is (the caller may retry); nothing of it is kept either.
     */
    public Descriptor writeBlob(String mediaType, Digest digest, long size, InputStream in) throws IOException {
        if (written.containsKey(digest)) {
            return Descriptor.of(mediaType, digest, size);
        }
        Path temp = blobs.resolve(".blob-" + temps++);
        boolean kept = false;
        try (OutputStream out = Files.newOutputStream(temp)) {
            VerifiedCopy.copy(in, out, digest, size, "blob " + digest + " (" + mediaType + ")");
            kept = true;
        } finally {
            if (!kept) {
                Files.deleteIfExists(temp);
            }
        }
        publish(temp, digest, size);
        return Descriptor.of(mediaType, digest, size);
    }

    /** True if a blob with {@code digest} was written here. */
    public boolean contains(Digest digest) {
        return written.containsKey(digest);
    }

    /**
     * Writes the config and the manifest of one image whose layers were written here. Returns the
     * manifest's descriptor with the config's platform, ready for an index or {@link #commit}.
     */
    public Descriptor writeImage(ImageConfigFile config, List<LayerDigests> layers, Map<String, String> annotations) {
        List<Digest> diffIds = layers.stream().map(LayerDigests::uncompressed).toList();
        if (!config.diffIds().equals(diffIds)) {
            throw new OciException("the config's diff_ids do not match the layers: expected " + diffIds
                    + ", found " + config.diffIds());
        }
        List<Descriptor> layerDescriptors = new ArrayList<>();
        for (LayerDigests layer : layers) {
            if (!written.containsKey(layer.compressed())) {
                throw new OciException("layer " + layer.compressed() + " was not written into this layout");
            }
            layerDescriptors.add(Descriptor.layer(layer));
        }
        Descriptor configBlob = writeBlob(MediaTypes.CONFIG, OciJson.config(config));
        Manifest manifest = new Manifest(configBlob, layerDescriptors, annotations);
        return writeBlob(MediaTypes.MANIFEST, OciJson.manifest(manifest)).withPlatform(config.platform());
    }

    /** Writes an index over manifests written here (one per platform). */
    public Descriptor writeIndex(Index index) {
        for (Descriptor d : index.manifests()) {
            if (!written.containsKey(d.digest())) {
                throw new OciException("manifest " + d.digest() + " was not written into this layout");
            }
        }
        Descriptor d = writeBlob(MediaTypes.INDEX, OciJson.index(index));
        indexes.put(d.digest(), index);
        return d;
    }

    /**
     * Names {@code top} (a manifest or an index written here) {@code refName} in {@code index.json},
     * and each image manifest it is or holds {@code refName-<Debian arch>}; writes
     * {@code oci-layout} and moves the layout into place. Returns the target.
     */
    public Path commit(Descriptor top, String refName) {
        prepare(top, refName);
        return publish();
    }

    /**
     * The first half of {@link #commit}: writes {@code index.json} and {@code oci-layout} into the
     * staging directory, which is then a complete layout that is not yet in place; returns it (to
     * read from before {@link #publish}).
     */
    public Path prepare(Descriptor top, String refName) {
        if (committed || prepared) {
            throw new IllegalStateException(committed ? "already committed to " + target : "already prepared");
        }
        if (refName.isEmpty()) {
            throw new IllegalArgumentException("an empty reference name");
        }
        if (!written.containsKey(top.digest())) {
            throw new OciException(top.digest() + " was not written into this layout");
        }
        List<Descriptor> named = new ArrayList<>();
        named.add(named(top, refName));
        Index nested = indexes.get(top.digest());
        for (Descriptor image : nested != null ? nested.manifests() : List.of(top)) {
            // an image without a platform (not one kiln built) only gets the one name
            image.platform().ifPresent(platform -> named.add(named(image, refName + "-" + platform.debianArchitecture())));
        }
        Index root = new Index(named, Map.of());
        try {
            writeFile(staging.resolve("oci-layout"), OciJson.LAYOUT_MARKER);
            writeFile(staging.resolve("index.json"), OciJson.index(root));
        } catch (IOException e) {
            throw new OciException("cannot put the image layout at " + target + ": " + IoErrors.why(e), e);
        }
        prepared = true;
        return staging;
    }

    /**
     * The second half of {@link #commit}: fsyncs every file and directory of the prepared layout, then
     * moves it into place; returns the target.
     */
    public Path publish() {
        if (!prepared || committed) {
            throw new IllegalStateException(committed ? "already committed to " + target : "publish before prepare");
        }
        try {
            AtomicFile.syncTree(staging);
            moveIntoPlace();
            ExitCleanup.remove(staging);
        } catch (IOException e) {
            throw new OciException("cannot put the image layout at " + target + ": " + IoErrors.why(e), e);
        }
        committed = true;
        mark.close();
        return target;
    }

    private static Descriptor named(Descriptor d, String refName) {
        Map<String, String> annotations = new HashMap<>(d.annotations());
        annotations.put(REF_NAME, refName);
        return d.withAnnotations(annotations);
    }

    /** Removes the staging directory unless the layout was committed. */
    @Override
    public void close() {
        try {
            if (!committed) {
                deleteRecursively(staging);
            }
        } finally {
            mark.close();
        }
    }

    private void publish(Path temp, Digest digest, long size) {
        try {
            if (written.containsKey(digest)) {
                Files.delete(temp);
                return;
            }
            Files.setPosixFilePermissions(temp, FILE_MODE);
            Files.move(temp, blobs.resolve(digest.hex()), StandardCopyOption.ATOMIC_MOVE);
            written.put(digest, size);
        } catch (IOException e) {
            throw new OciException("cannot publish blob " + digest + " in " + staging + ": " + IoErrors.why(e), e);
        }
    }

    private static void writeFile(Path path, byte[] bytes) throws IOException {
        Files.write(path, bytes);
        Files.setPosixFilePermissions(path, FILE_MODE);
    }

    private void moveIntoPlace() throws IOException {
        checkReplaceable(target);
        Path old = null;
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            if (isEmptyDirectory(target)) {
                Files.delete(target);
            } else {
                old = mark.path(".old"); // marked as the staging is: a kill before it is deleted leaves no orphan
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        AtomicFile.syncDirectory(target.getParent());
        if (old != null) {
            ExitCleanup.add(old); // the new layout is in place: the old one goes, even on a signal
            deleteRecursively(old);
        }
    }

    /**
     * Fails now if a layout could not later be put at {@code target}: a file there, a directory of
     * something else, or a directory above it where this user cannot stage one (not a directory,
     * read-only, no permission; probed by making and removing a marked file there).
     */
    public static void checkTarget(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        checkReplaceable(absolute);
        Optional<String> why = StagingLock.whyUnwritable(absolute);
        if (why.isPresent()) {
            throw new OciException(OciException.Kind.TARGET_REFUSED,
                    "cannot write an image layout at " + absolute + ": " + why.get()
                    + "\n  fix: name a directory this user can write");
        }
    }

    /** Absent, an empty directory, or a directory holding an {@code oci-layout} file. */
    private static void checkReplaceable(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new OciException(OciException.Kind.TARGET_REFUSED, "refusing to write an image layout at " + target
                    + ": expected a directory or nothing there, found "
                    + (Files.isSymbolicLink(target) ? "a symbolic link" : "a file") + "\n  fix: name another directory");
        }
        try {
            if (!isEmptyDirectory(target) && !Files.isRegularFile(target.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
                throw new OciException(OciException.Kind.TARGET_REFUSED, "refusing to overwrite " + target
                        + ": expected an empty directory or an OCI image layout, found a non-empty directory"
                        + " without an oci-layout file\n  fix: name a new or empty directory");
            }
        } catch (IOException e) {
            throw new OciException("cannot read " + target + ": " + IoErrors.why(e), e);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** Removes a directory tree (a layout, or a scratch directory holding one); absent is fine. */
    public static void deleteRecursively(Path root) {
        try {
            ExitCleanup.discard(root);
        } catch (IOException e) {
            throw new OciException("cannot remove " + root + ": " + IoErrors.why(e), e);
        }
    }
}
