package dev.kiln.api;

import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayerCompression;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The copies an image's lock pins (local files the spec copies in), found for its rebuild as
 * fixed inputs: what the store already has by digest is used; the rest is taken from the image itself — each source's listing
 * from {@code /etc/kiln/sources/<sha256>.json}, each file from its place in the image's layers —
 * and published into the store only if it has the digest the lock (through the listing) pins.
 * Content that does not is a {@link CopyMismatchException} naming each file and both digests.
 */
final class ImageCopies {
    private ImageCopies() {
    }

    /** What a path in the image must hold. */
    private record Expected(String source, Digest sha256, long size) {
    }

    /** What a layer held at a path instead. */
    private record Found(Digest sha256, long size) {
    }

    /** Puts the listing and every file of each source {@code lock} pins into {@code store}, from the image {@code top}. */
    public static void recover(LayoutReader layout, Descriptor top, Lock lock, ContentStore store) {
        if (lock.copies().isEmpty()) {
            return;
        }
        Descriptor image = EmbeddedInputs.firstImage(layout, top);
        Manifest manifest = OciJsonReader.manifest(EmbeddedInputs.read(layout, image), image.digest().toString());
        Map<String, Expected> listings = new LinkedHashMap<>();
        for (Lock.Copy s : lock.copies()) {
            if (!store.contains(s.sha256())) {
                listings.put("etc/kiln/sources/" + s.sha256().hex() + ".json", new Expected(s.source(), s.sha256(), -1));
            }
        }
        List<String> problems = new ArrayList<>();
        Map<String, Found> wrong = scan(layout, manifest, listings, store);
        listings.forEach((name, e) -> problems.add("the listing of " + e.source() + " (" + e.sha256().shortHex() + "): "
                + (wrong.containsKey(name) ? "/" + name + " in the image holds other bytes (" + wrong.get(name).sha256().shortHex() + ")"
                        : "the image has no /" + name)));
        if (!problems.isEmpty()) {
            throw mismatch(image, problems);
        }
        Map<String, Expected> files = new TreeMap<>();
        for (Lock.Copy s : lock.copies()) {
            CopyListing listing = CopyListing.parse(store.read(s.sha256()), "the listing of " + s.source());
            String dest = s.path().replaceAll("^/+|/+$", "");
            for (CopyListing.Item i : listing.entries()) {
                if (i.sha256() != null && !store.contains(i.sha256())) {
                    String name = i.path().equals(".") ? dest : dest.isEmpty() ? i.path() : dest + "/" + i.path();
                    files.put(name, new Expected(s.source() + (i.path().equals(".") ? "" : "/" + i.path()), i.sha256(), i.size()));
                }
            }
        }
        Map<String, Found> other = scan(layout, manifest, files, store);
        files.forEach((name, e) -> {
            Found f = other.get(name);
            problems.add("/" + name + " (from " + e.source() + "): " + (f == null ? "not in the image"
                    : "the image holds " + f.size() + " bytes " + f.sha256().shortHex() + ", the lock pins " + e.size() + " bytes "
                            + e.sha256().shortHex()));
        });
        if (!problems.isEmpty()) {
            throw mismatch(image, problems);
        }
    }

    private static CopyMismatchException mismatch(Descriptor image, List<String> problems) {
        return new CopyMismatchException("the image " + image.digest() + " does not hold the local sources its lock pins:\n  "
                + String.join("\n  ", problems)
                + "\n  fix: the image was changed after it was built, or built from other content than the lock pins;"
                + " rebuild it with the store that built it to see where it differs, or build it again");
    }

    /**
     * Streams every layer (bottom up); each regular file at a wanted path is published into the
     * store if it has the wanted digest, and the path is then removed from {@code wanted}. Returns,
     * for the paths still wanted, what the topmost layer held there instead.
     */
    private static Map<String, Found> scan(LayoutReader layout, Manifest manifest, Map<String, Expected> wanted, ContentStore store) {
        Map<String, Found> other = new TreeMap<>();
        for (Descriptor layer : manifest.layers()) {
            if (wanted.isEmpty()) {
                break;
            }
            Optional<LayerCompression> compression = LayerCompression.ofMediaType(layer.mediaType());
            if (compression.isEmpty()) {
                continue;
            }
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(layout.blob(layer)), 1 << 16);
                 InputStream tarBytes = compression.get().decompress(raw);
                 TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name())) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String name = e.getName().replaceAll("^(\\./|/)+", "");
                    Expected x = wanted.get(name);
                    if (x == null || !e.isFile()) {
                        continue;
                    }
                    MessageDigest md = Digest.newSha256();
                    DigestInputStream in = new DigestInputStream(tar, md);
                    try {
                        store.put(in, x.sha256(), x.size());
                        wanted.remove(name);
                        other.remove(name);
                    } catch (StoreException notPublished) {
                        in.transferTo(OutputStream.nullOutputStream());
                        Digest found = Digest.fromRaw(md.digest());
                        if (found.equals(x.sha256())) {
                            throw notPublished; // the bytes were right: the store could not take them
                        }
                        other.put(name, new Found(found, e.getSize()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof StoreException s) {
                    throw s;
                }
                throw new AssembleException("cannot read the layer " + layer.digest() + " for the local sources: " + e.getMessage()
                        + "\n  fix: check the image", e);
            }
        }
        return other;
    }
}
