package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The referrers of the images in an OCI image layout directory. An artifact is attached by
 * writing its blobs and manifest under {@code blobs/sha256/} and listing the manifest in
 * {@code index.json} (with its {@code artifactType}, without a reference name), as ORAS and
 * cosign keep referrers in a layout; its {@code subject} ties it to the image.
 *
 * <p>Blobs are written first, then {@code index.json} is replaced by a rename, so a reader sees
 * the old or the new index and an interruption leaves at most an unreferenced blob. Reading,
 * extending and replacing the index happen under a lock on the layout's {@code oci-layout} file
 * (and a monitor within this JVM), so signing one layout from several runs at once loses nothing. Because the
 * layout then lists several manifests, tools that read a layout without a reference name
 * ({@code skopeo inspect oci:DIR}) ask for one: name the image, {@code oci:DIR:latest}.
 */
public final class LayoutReferrers implements Referrers {
    /** The largest manifest or referrer blob read into memory; signatures and attestations are far smaller. */
    public static final long MAX_READ = 64L << 20;

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final Path dir;

    private LayoutReferrers(Path dir) {
        this.dir = dir;
    }

    /** Opens the layout at {@code dir}; refuses a directory that is not one. */
    public static LayoutReferrers open(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)
                || !Files.isRegularFile(absolute.resolve("index.json"), LinkOption.NOFOLLOW_LINKS)) {
            throw new OciException(OciException.Kind.NOT_A_LAYOUT, "not an OCI image layout: " + absolute
                    + (Files.isDirectory(absolute) ? " has no oci-layout or no index.json" : " is no directory")
                    + "\n  fix: name a directory that 'kiln build' wrote");
        }
        return new LayoutReferrers(absolute);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String location() {
        return dir.toString();
    }

    /** The image that {@code index.json} names {@code refName}, or without a name, as {@link LayoutReader#pickImage} finds it. */
    public Descriptor image(Optional<String> refName) {
        List<Descriptor> entries = new ArrayList<>();
        for (JsonNode entry : manifestsArray(readIndex())) {
            entries.add(descriptor(entry));
        }
        return dev.kiln.oci.LayoutReader.pickImage(entries, refName, this::manifest,
                dir.resolve("index.json").toString());
    }

    @Override
    public List<Referrer> referrers(Digest subject) {
        List<Referrer> found = new ArrayList<>();
        for (JsonNode entry : manifestsArray(readIndex())) {
            Descriptor d = descriptor(entry);
            if (!d.mediaType().equals(MediaTypes.MANIFEST)) {
                continue;
            }
            JsonNode manifest = parse(manifest(d), "manifest " + d.digest());
            if (subject.toString().equals(manifest.path("subject").path("digest").asText(null))) {
                String type = manifest.path("artifactType").asText(manifest.path("config").path("mediaType").asText(""));
                found.add(new Referrer(d, type));
            }
        }
        return found;
    }

    @Override
    public byte[] manifest(Descriptor manifest) {
        return blob(manifest);
    }

    @Override
    public byte[] blob(Descriptor blob) {
        Path file = dir.resolve("blobs").resolve("sha256").resolve(blob.digest().hex());
        try {
            long size = Files.size(file);
            if (size != blob.size() || size > MAX_READ) {
                throw new OciException(OciException.Kind.DAMAGED,
                        "blob " + blob.digest() + " in " + dir + " has " + size + " bytes, expected "
                        + (size > MAX_READ ? "at most " + MAX_READ : blob.size()) + "\n  fix: the layout is damaged; build it again");
            }
            byte[] bytes = Files.readAllBytes(file);
            Digest actual = Digest.of(bytes);
            if (!actual.equals(blob.digest())) {
                throw new OciException(OciException.Kind.DAMAGED,
                        "blob " + blob.digest() + " in " + dir + " is corrupt: its content has digest "
                        + actual + "\n  fix: the layout is damaged; build it again");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new OciException(OciException.Kind.DAMAGED, "blob " + blob.digest() + " is missing from " + dir
                    + "\n  fix: the layout is incomplete; build it again");
        } catch (IOException e) {
            throw new OciException("cannot read blob " + blob.digest() + " in " + dir + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    @Override
    public Descriptor attach(ArtifactManifest artifact, List<byte[]> layers) {
        artifact.checkContents(layers);
        byte[] manifestBytes = OciJson.artifactManifest(artifact);
        Descriptor manifest = Descriptor.of(MediaTypes.MANIFEST, Digest.of(manifestBytes), manifestBytes.length);
        try {
            writeBlob(OciJson.EMPTY_OBJECT);
            for (byte[] layer : layers) {
                writeBlob(layer);
            }
            writeBlob(manifestBytes);
            // read, add and replace index.json as one step: two kiln sign runs on one layout at once
            // (threads or processes) would otherwise each write back an index without the other's entry
            synchronized (monitor(dir)) {
                FileChannel channel = null;
                try {
                    channel = FileChannel.open(dir.resolve("oci-layout"), StandardOpenOption.WRITE);
                } catch (java.nio.file.AccessDeniedException readOnly) {
                    // a directory we may write but an oci-layout we may not: this JVM's monitor only
                }
                try (FileChannel lockFile = channel; FileLock held = lockFile == null ? null : lockFile.lock()) {
                    ObjectNode index = readIndex();
                    ArrayNode manifests = manifestsArray(index);
                    for (JsonNode entry : manifests) {
                        if (manifest.digest().toString().equals(entry.path("digest").asText())) {
                            return manifest;
                        }
                    }
                    manifests.addObject()
                            .put("artifactType", artifact.artifactType())
                            .put("digest", manifest.digest().toString())
                            .put("mediaType", manifest.mediaType())
                            .put("size", manifest.size());
                    writeIndex(index);
                    return manifest;
                }
            }
        } catch (IOException e) {
            throw new OciException("cannot attach an artifact to " + dir + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /** One monitor per layout directory in this JVM (a file lock is held per process, not per thread). */
    private static final Map<Path, Object> MONITORS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Object monitor(Path dir) {
        Path key;
        try {
            key = dir.toRealPath(); // one monitor however the directory is named
        } catch (IOException e) {
            key = dir;
        }
        return MONITORS.computeIfAbsent(key, d -> new Object());
    }

    private ObjectNode readIndex() {
        Path file = dir.resolve("index.json");
        try {
            if (Files.size(file) > MAX_READ) {
                throw new OciException(file + " is larger than " + MAX_READ + " bytes\n  fix: the layout is damaged; build it again");
            }
            JsonNode index = parse(Files.readAllBytes(file), file.toString());
            if (!(index instanceof ObjectNode o) || !o.path("manifests").isArray()) {
                throw new OciException(OciException.Kind.MALFORMED, file + ": expected an image index with a 'manifests' array"
                        + "\n  fix: the layout is damaged; build it again");
            }
            return o;
        } catch (IOException e) {
            throw new OciException("cannot read " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    private static ArrayNode manifestsArray(ObjectNode index) {
        return (ArrayNode) index.get("manifests");
    }

    /** Replaces index.json by a rename, durably; keys sorted and no whitespace, as kiln writes it. */
    private void writeIndex(ObjectNode index) throws IOException {
        Object canonical = StrictJson.MAPPER.treeToValue(index, Object.class);
        AtomicFile.write(dir.resolve("index.json"), StrictJson.write(canonical), FILE_MODE);
    }

    private void writeBlob(byte[] bytes) throws IOException {
        Path blobs = dir.resolve("blobs").resolve("sha256");
        Path target = blobs.resolve(Digest.of(bytes).hex());
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == bytes.length) {
            return;
        }
        AtomicFile.createDirectories(blobs);
        AtomicFile.write(target, bytes, FILE_MODE); // on disk before index.json names it
    }

    private static Descriptor descriptor(JsonNode entry) {
        try {
            Map<String, String> annotations = new TreeMap<>();
            entry.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
            return Descriptor.of(entry.path("mediaType").asText(""), Digest.parse(entry.path("digest").asText("")),
                    entry.path("size").asLong(-1)).withAnnotations(annotations);
        } catch (IllegalArgumentException e) {
            throw new OciException(OciException.Kind.MALFORMED,
                    "index.json lists a malformed descriptor " + entry + ": " + e.getMessage()
                    + "\n  fix: the layout is damaged; build it again");
        }
    }

    private JsonNode parse(byte[] json, String what) {
        try {
            return StrictJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new OciException(OciException.Kind.MALFORMED, what + " in " + dir + " is " + e.getMessage()
                    + "\n  fix: the layout is damaged; build it again");
        }
    }
}
