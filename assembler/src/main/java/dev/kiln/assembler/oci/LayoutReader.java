package dev.kiln.assembler.oci;

import dev.kiln.assembler.AssembleException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OCI image layout directory (the ones {@link ImageLayout} writes, or skopeo's): the one image
 * {@code index.json} names, and its blobs. Every document read is checked against its descriptor's
 * size and digest before it is parsed; large blobs are checked for size and left for the consumer to
 * stream (a registry checks their digest on upload, a tarball reader on load).
 */
public final class LayoutReader {
    /** Manifests and configs larger than this are refused (the distribution spec's limit is 4 MiB). */
    public static final long MAX_DOCUMENT = 16L << 20;

    private final Path dir;
    private final Descriptor top;

    private LayoutReader(Path dir, Descriptor top) {
        this.dir = dir;
        this.top = top;
    }

    /**
     * Opens {@code dir}, which must hold {@code oci-layout} and an {@code index.json}: its only image,
     * else the one named {@code latest} (as {@code kiln build} names the image beside its per-arch
     * {@code latest-<arch>} names and any attached signatures).
     */
    public static LayoutReader open(Path dir) {
        return open(dir, java.util.Optional.empty());
    }

    /** Opens {@code dir} at the image {@code index.json} names {@code ref} (or as {@link #open(Path)} when empty). */
    public static LayoutReader open(Path dir, java.util.Optional<String> ref) {
        if (!Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
            throw new AssembleException(dir + " is not an OCI image layout: expected an oci-layout file in it"
                    + "\n  fix: name a directory that 'kiln build -o' (or skopeo copy ... oci:DIR) wrote");
        }
        Path indexFile = dir.resolve("index.json");
        byte[] bytes;
        try {
            if (Files.size(indexFile) > MAX_DOCUMENT) {
                throw new AssembleException(indexFile + " is larger than " + MAX_DOCUMENT + " bytes");
            }
            bytes = Files.readAllBytes(indexFile);
        } catch (IOException e) {
            throw new AssembleException("cannot read " + indexFile + ": " + e.getMessage(), e);
        }
        Index index = OciJsonReader.index(bytes, indexFile.toString());
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Descriptor d : index.manifests()) {
            String name = d.annotations().get(ImageLayout.REF_NAME);
            if (name != null) {
                names.add(name);
            }
            if (name != null && name.equals(ref.orElse(ImageLayout.IMAGE_REF))) {
                return new LayoutReader(dir, d);
            }
        }
        if (ref.isEmpty() && index.manifests().size() == 1) {
            return new LayoutReader(dir, index.manifests().get(0));
        }
        throw new AssembleException(indexFile + " names no image " + ref.map(r -> "'" + r + "'").orElse("'latest' (and holds "
                + index.manifests().size() + ")") + "; its names: " + names
                + "\n  fix: name the image wanted (e.g. LAYOUT:NAME), or copy it into a layout of its own");
    }

    public Path dir() {
        return dir;
    }

    /** The image {@code index.json} names: a manifest or an index. */
    public Descriptor top() {
        return top;
    }

    /** Where {@code d}'s blob is, after checking that it is there with {@code d}'s size. */
    public Path blob(Descriptor d) {
        Path file = dir.resolve("blobs").resolve("sha256").resolve(d.digest().hex());
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new AssembleException(dir + " lacks the blob " + d.digest() + " (" + d.mediaType() + ")"
                    + "\n  fix: rebuild or re-copy the layout");
        }
        if (size != d.size()) {
            throw new AssembleException(dir + ": blob " + d.digest() + " has " + size + " bytes, its descriptor says "
                    + d.size() + "\n  fix: rebuild or re-copy the layout");
        }
        return file;
    }

    /** {@code d}'s bytes, checked against its digest. */
    public byte[] bytes(Descriptor d) {
        if (d.size() > MAX_DOCUMENT) {
            throw new AssembleException(dir + ": " + d.mediaType() + " " + d.digest() + " has " + d.size()
                    + " bytes, more than the " + MAX_DOCUMENT + " kiln reads into memory");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(blob(d))) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new AssembleException("cannot read blob " + d.digest() + " in " + dir + ": " + e.getMessage(), e);
        }
        Digest actual = Digest.of(bytes);
        if (!actual.equals(d.digest())) {
            throw new AssembleException(dir + ": blob " + d.digest() + " does not match its digest (its bytes hash to "
                    + actual + ")\n  fix: rebuild or re-copy the layout");
        }
        return bytes;
    }

    public Manifest manifest(Descriptor d) {
        return OciJsonReader.manifest(bytes(d), dir + " manifest " + d.digest());
    }

    public Index index(Descriptor d) {
        return OciJsonReader.index(bytes(d), dir + " index " + d.digest());
    }

    /** The images the top names: itself if it is a manifest, else its index's manifests. */
    public List<Descriptor> images() {
        if (MediaTypes.isManifest(top.mediaType())) {
            return List.of(top);
        }
        if (!MediaTypes.isIndex(top.mediaType())) {
            throw new AssembleException(dir + ": index.json names a " + top.mediaType() + ", expected an image manifest or index");
        }
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : index(top).manifests()) {
            if (MediaTypes.isManifest(d.mediaType())) {
                out.add(d);
            }
        }
        return out;
    }
}
