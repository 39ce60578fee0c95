package dev.kiln.api;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The first check of {@code verify}: every blob an image reaches (its index, manifests, configs
 * and layers) holds the bytes its digest names. Nothing else of the image is read before it
 * passes, so a changed layer is named as such, whichever layer it is and whether or not the image
 * carries local sources, rather than failing whatever first reads it.
 */
final class ImageBlobs {
    private ImageBlobs() {
    }

    /**
     * Hashes every blob {@code top} reaches in the layout at {@code dir}.
     *
     * @throws CheckFailedException naming each blob that is missing, of another size, or of other
     *     bytes, by its role ({@code layer layers[1]}, {@code config}, ...) and both digests
     */
    public static void check(Path dir, Descriptor top, String described) {
        List<String> problems = new ArrayList<>();
        if (MediaTypes.isIndex(top.mediaType())) {
            byte[] bytes = read(dir, top, "index", problems);
            if (bytes != null) {
                Index index = OciJsonReader.index(bytes, dir + " index " + top.digest());
                for (Descriptor m : index.manifests()) {
                    if (MediaTypes.isManifest(m.mediaType())) {
                        manifest(dir, m, m.platform().map(p -> p + " ").orElse(""), problems);
                    }
                }
            }
        } else {
            manifest(dir, top, "", problems);
        }
        if (!problems.isEmpty()) {
            throw new CheckFailedException(described + " does not hold the bytes its digests name (" + problems.size()
                    + (problems.size() == 1 ? " blob differs" : " blobs differ") + "):\n  " + String.join("\n  ", problems)
                    + "\n  fix: the image was changed or damaged after it was built; copy or pull it again from where it was published");
        }
    }

    private static void manifest(Path dir, Descriptor d, String platform, List<String> problems) {
        byte[] bytes = read(dir, d, platform + "manifest", problems);
        if (bytes == null) {
            return;
        }
        Manifest m = OciJsonReader.manifest(bytes, dir + " manifest " + d.digest());
        read(dir, m.config(), platform + "config", problems);
        for (int i = 0; i < m.layers().size(); i++) {
            read(dir, m.layers().get(i), platform + "layer layers[" + i + "]", problems);
        }
    }

    /**
     * The blob's bytes when it is a small document that is whole, else null; a blob that is not
     * what {@code d} names adds a line to {@code problems}. Layers are hashed as they stream.
     */
    private static byte[] read(Path dir, Descriptor d, String role, List<String> problems) {
        Path file = dir.resolve("blobs").resolve("sha256").resolve(d.digest().hex());
        boolean keep = !role.contains("layer");
        MessageDigest md = Digest.newSha256();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                size += n;
                if (keep && size <= LayoutReader.MAX_DOCUMENT) {
                    kept.write(buf, 0, n);
                }
            }
        } catch (NoSuchFileException e) {
            problems.add(role + " (" + d.digest() + "): missing from the layout");
            return null;
        } catch (IOException e) {
            problems.add(role + " (" + d.digest() + "): unreadable: " + IoErrors.why(e));
            return null;
        }
        Digest found = Digest.fromRaw(md.digest());
        if (!found.equals(d.digest()) || size != d.size()) {
            problems.add(role + " (" + d.digest() + "): its bytes hash to " + found
                    + (size != d.size() ? " and are " + size + " bytes, not " + d.size() : ""));
            return null;
        }
        return keep && size <= LayoutReader.MAX_DOCUMENT ? kept.toByteArray() : null;
    }
}
