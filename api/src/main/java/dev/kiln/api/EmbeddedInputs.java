package dev.kiln.api;

import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * What an image kiln built carries to rebuild it: the spec and the lock from its last layer
 * ({@code /etc/kiln/image.yaml}, {@code /etc/kiln/image.lock.json}) and its epoch (the config's
 * {@code created}). For an index, the first platform's image is read: every platform carries the
 * same spec layer.
 */
record EmbeddedInputs(byte[] spec, byte[] lock, long epoch) {
    /** The spec's path inside the image. */
    public static final String SPEC = "etc/kiln/image.yaml";
    /** The lock's path inside the image. */
    public static final String LOCK = "etc/kiln/image.lock.json";
    private static final long MAX_FILE = 16L << 20;

    public EmbeddedInputs {
        spec = spec.clone();
        lock = lock.clone();
    }

    @Override
    public byte[] spec() {
        return spec.clone();
    }

    @Override
    public byte[] lock() {
        return lock.clone();
    }

    /** Reads the inputs of the image {@code top} in {@code layout}. */
    public static EmbeddedInputs of(LayoutReader layout, Descriptor top) {
        Descriptor image = firstImage(layout, top);
        Manifest manifest = OciJsonReader.manifest(read(layout, image), image.digest().toString());
        long epoch = created(read(layout, manifest.config()), manifest.config());
        if (manifest.layers().isEmpty()) {
            throw notKiln(image, "it has no layers");
        }
        Descriptor last = manifest.layers().get(manifest.layers().size() - 1);
        byte[] spec = null;
        byte[] lock = null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(layout.blob(last)), 1 << 16);
             InputStream gz = last.mediaType().endsWith("gzip") ? new GzipCompressorInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (e.isFile() && (name.equals(SPEC) || name.equals(LOCK))) {
                    if (e.getSize() > MAX_FILE) {
                        throw notKiln(image, name + " is " + e.getSize() + " bytes, more than a spec or lock can be");
                    }
                    byte[] bytes = tar.readAllBytes();
                    if (name.equals(SPEC)) {
                        spec = bytes;
                    } else {
                        lock = bytes;
                    }
                }
            }
        } catch (IOException e) {
            throw new AssembleException("cannot read the last layer " + last.digest() + " of " + image.digest() + ": "
                    + dev.kiln.store.IoErrors.why(e) + "\n  fix: check the image, or verify it against its spec and lock given apart", e);
        }
        if (spec == null || lock == null) {
            throw notKiln(image, "its last layer holds no /" + (spec == null ? SPEC : LOCK));
        }
        return new EmbeddedInputs(spec, lock, epoch);
    }

    /** The image's epoch: its (first platform's) config's {@code created}, in seconds. */
    public static long epoch(LayoutReader layout, Descriptor top) {
        Descriptor image = firstImage(layout, top);
        Manifest manifest = OciJsonReader.manifest(read(layout, image), image.digest().toString());
        return created(read(layout, manifest.config()), manifest.config());
    }

    static Descriptor firstImage(LayoutReader layout, Descriptor top) {
        if (!MediaTypes.isIndex(top.mediaType())) {
            return top;
        }
        Index index = OciJsonReader.index(read(layout, top), top.digest().toString());
        if (index.manifests().isEmpty()) {
            throw new AssembleException("the image index " + top.digest() + " names no image");
        }
        return index.manifests().get(0);
    }

    static byte[] read(LayoutReader layout, Descriptor d) {
        try {
            if (d.size() > LayoutReader.MAX_DOCUMENT) {
                throw new AssembleException(d.digest() + " is " + d.size() + " bytes, larger than any manifest or config");
            }
            return Files.readAllBytes(layout.blob(d));
        } catch (IOException e) {
            throw new AssembleException("cannot read " + d.digest() + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    private static long created(byte[] config, Descriptor d) {
        var node = OciJsonReader.tree(config, "config " + d.digest()).path("created");
        if (!node.isTextual()) {
            throw new AssembleException("the config " + d.digest() + " has no 'created' time: expected the image epoch"
                    + "\n  fix: give the epoch with SOURCE_DATE_EPOCH");
        }
        try {
            return Instant.parse(node.asText()).getEpochSecond();
        } catch (DateTimeParseException e) {
            throw new AssembleException("the config " + d.digest() + " has 'created' " + node.asText()
                    + ": expected an RFC 3339 time", e);
        }
    }

    private static AssembleException notKiln(Descriptor image, String why) {
        return new AssembleException("the image " + image.digest() + " does not carry kiln's spec and lock: " + why
                + "\n  expected: an image built by kiln build (its last layer holds /" + SPEC + " and /" + LOCK + ")"
                + "\n  fix: verify it against the spec and lock it was built from, given apart");
    }
}
