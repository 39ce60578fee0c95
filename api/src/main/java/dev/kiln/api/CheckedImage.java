package dev.kiln.api;

import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.Referrers;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryReferrers;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The image {@link Kiln#verify} is given, as an OCI image layout to read: a layout directory
 * itself, the OCI layout inside a docker archive ({@code kiln build} to an archive, {@code docker
 * save} since Docker 25), or a registry reference pulled (every blob checked against its digest).
 *
 * @param layout the layout directory
 * @param top the image: a manifest or an index
 * @param described how the request named it, for messages
 * @param pulledFrom the registry reference it was pulled from; empty for a local image
 * @param registry the client a registry image's signatures are read with
 */
record CheckedImage(Path layout, Descriptor top, String described, Optional<ImageReference> pulledFrom,
        Supplier<RegistryClient> registry) {
    private static final Pattern ARCHIVE_NAME = Pattern.compile("oci-layout|index\\.json|blobs/sha256/[0-9a-f]{64}");

    /** A local image: a layout directory, or the layout of an archive. */
    CheckedImage(Path layout, Descriptor top, String described) {
        this(layout, top, described, Optional.empty(), () -> {
            throw new IllegalStateException("a local image has no registry");
        });
    }

    /** Opens {@code image}; a copy (an archive's layout, a pull) goes under {@code scratch}. */
    static CheckedImage open(ImageRef image, Path scratch, Supplier<RegistryClient> registry) {
        if (image instanceof ImageRef.Layout l) {
            return new CheckedImage(l.dir(), LayoutReader.open(l.dir(), l.name()).top(), l.describe());
        }
        if (image instanceof ImageRef.Archive a) {
            Path layout = scratch.resolve("archive");
            extract(a.file(), layout);
            if (!Files.exists(layout.resolve("index.json"))) {
                throw new AssembleException(a.file() + " holds no OCI layout (index.json): expected a docker archive as kiln"
                        + " or 'docker save' (Docker 25 and later) write them\n  fix: copy it into a layout first: skopeo copy "
                        + "docker-archive:" + a.file() + " oci:DIR:latest, then verify DIR");
            }
            return new CheckedImage(layout, LayoutReader.open(layout).top(), a.describe());
        }
        ImageReference ref = ImageReference.parse(((ImageRef.Registry) image).reference());
        Path layout = scratch.resolve("pulled");
        Descriptor top;
        try (RegistryClient client = registry.get()) {
            top = client.pull(ref, layout);
        }
        return new CheckedImage(layout, top, image.describe(), Optional.of(ref), registry);
    }

    /**
     * Runs {@code use} on where the image's signatures and attestations are: the registry
     * repository it was pulled from (a pull copies no referrers), else its layout.
     */
    <T> T withReferrers(Function<Referrers, T> use) {
        if (pulledFrom.isEmpty()) {
            return use.apply(LayoutReferrers.open(layout));
        }
        try (RegistryClient client = registry.get()) {
            return use.apply(RegistryReferrers.of(client, pulledFrom.get()));
        }
    }

    /** Unpacks the layout files of a docker archive: only those names, only regular files, nothing else. */
    private static void extract(Path archive, Path into) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            Files.createDirectories(into.resolve("blobs/sha256"));
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (!e.isFile() || !ARCHIVE_NAME.matcher(name).matches()) {
                    continue;
                }
                Path target = into.resolve(name);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new AssembleException(archive + ": " + name + " is in the archive twice");
                }
                Files.copy(tar, target);
            }
        } catch (IOException e) {
            throw new AssembleException("cannot read the archive " + archive + ": " + dev.kiln.store.IoErrors.why(e)
                    + "\n  expected: a tar as kiln or 'docker save' writes it", e);
        }
    }
}
