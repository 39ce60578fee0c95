package dev.kiln.oci;

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
     * Opens {@code dir}, which must hold {@code oci-layout} and an {@code index.json}, at the image
     * {@link #pickImage} finds there without a name.
     */
    public static LayoutReader open(Path dir) {
        return open(dir, java.util.Optional.empty());
    }

    /** Opens {@code dir} at the image {@code index.json} names {@code ref} (or as {@link #open(Path)} when empty). */
    public static LayoutReader open(Path dir, java.util.Optional<String> ref) {
        if (!Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
            throw new OciException(OciException.Kind.NOT_A_LAYOUT,
                    dir + " is not an OCI image layout: expected an oci-layout file in it"
                    + "\n  fix: name a directory that 'kiln build' (or skopeo copy ... oci:DIR) wrote");
        }
        Path indexFile = dir.resolve("index.json");
        byte[] bytes;
        try {
            if (Files.size(indexFile) > MAX_DOCUMENT) {
                throw new OciException(indexFile + " is larger than " + MAX_DOCUMENT + " bytes");
            }
            bytes = Files.readAllBytes(indexFile);
        } catch (IOException e) {
            throw new OciException("cannot read " + indexFile + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        Index index = OciJsonReader.index(bytes, indexFile.toString());
        Descriptor top = pickImage(index.manifests(), ref, new LayoutReader(dir, null)::bytes, indexFile.toString());
        return new LayoutReader(dir, top);
    }

    /** A reader of {@code dir} at an image already chosen (one {@link #open} or a pull found). */
    public static LayoutReader at(Path dir, Descriptor top) {
        return new LayoutReader(dir, java.util.Objects.requireNonNull(top, "top"));
    }

    /**
     * Which entry of a layout's {@code index.json} is the image, for every command that reads one:
     * the entry named {@code ref} when a name is given; else the one named {@code latest} (kiln
     * build's name for the image, beside its per-arch {@code latest-<arch>}); else the only named
     * entry; else the only entry that refers to nothing (a signature or an attestation attached to
     * an image is an image manifest with a {@code subject}). Anything else is ambiguous, and
     * refused with the names.
     *
     * @param manifestBytes reads an entry's manifest (only an unnamed image manifest is read)
     * @param where the index.json, for messages
     */
    public static Descriptor pickImage(List<Descriptor> entries, java.util.Optional<String> ref,
            java.util.function.Function<Descriptor, byte[]> manifestBytes, String where) {
        List<String> names = new ArrayList<>();
        for (Descriptor d : entries) {
            String name = d.annotations().get(ImageLayout.REF_NAME);
            if (name != null) {
                names.add(name);
            }
        }
        String listed = names.isEmpty() ? "none" : String.join(", ", names);
        String wanted = ref.orElse(ImageLayout.IMAGE_REF);
        List<Descriptor> named = entries.stream().filter(d -> wanted.equals(d.annotations().get(ImageLayout.REF_NAME))).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        if (ref.isPresent() || named.size() > 1) {
            throw new OciException(where + ": expected one image named '" + wanted + "', found " + named.size()
                    + " (names: " + listed + ")\n  fix: name one of the images listed");
        }
        List<Descriptor> anyName = entries.stream().filter(d -> d.annotations().containsKey(ImageLayout.REF_NAME)).toList();
        if (anyName.size() == 1) {
            return anyName.get(0);
        }
        if (anyName.size() > 1) {
            throw new OciException(where + " holds several images and none is named 'latest' (names: " + listed + ")"
                    + "\n  fix: name the image wanted");
        }
        List<Descriptor> images = entries.stream().filter(d -> !(MediaTypes.MANIFEST.equals(d.mediaType())
                && OciJsonReader.tree(manifestBytes.apply(d), where + ": manifest " + d.digest()).has("subject"))).toList();
        if (images.size() != 1) {
            throw new OciException(where + ": expected one image, found " + images.size() + " entries that are no"
                    + " signature or attestation, and no names\n  fix: copy the image wanted into a layout of its own"
                    + " (skopeo copy ... oci:DIR:latest)");
        }
        return images.get(0);
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
            throw new OciException(OciException.Kind.DAMAGED, dir + " lacks the blob " + d.digest() + " (" + d.mediaType() + ")"
                    + "\n  fix: rebuild or re-copy the layout");
        }
        if (size != d.size()) {
            throw new OciException(OciException.Kind.DAMAGED,
                    dir + ": blob " + d.digest() + " has " + size + " bytes, its descriptor says "
                    + d.size() + "\n  fix: rebuild or re-copy the layout");
        }
        return file;
    }

    /** {@code d}'s bytes, checked against its digest. */
    public byte[] bytes(Descriptor d) {
        if (d.size() > MAX_DOCUMENT) {
            throw new OciException(dir + ": " + d.mediaType() + " " + d.digest() + " has " + d.size()
                    + " bytes, more than the " + MAX_DOCUMENT + " kiln reads into memory");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(blob(d))) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new OciException("cannot read blob " + d.digest() + " in " + dir + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        Digest actual = Digest.of(bytes);
        if (!actual.equals(d.digest())) {
            throw new OciException(OciException.Kind.DAMAGED,
                    dir + ": blob " + d.digest() + " does not match its digest (its bytes hash to "
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
            throw new OciException(dir + ": index.json names a " + top.mediaType() + ", expected an image manifest or index");
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
