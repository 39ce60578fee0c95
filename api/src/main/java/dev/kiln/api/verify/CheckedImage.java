package dev.kiln.api.verify;

import dev.kiln.api.registry.RegistryClients;
import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.Referrers;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryOptions;
import dev.kiln.oci.registry.RegistryReferrers;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The image {@code kiln verify} is given, as an OCI image layout to read: a layout directory
 * itself, the OCI layout inside a docker archive ({@code kiln build --tarball}, {@code docker save}
 * since Docker 25), or a registry reference pulled (every blob checked against its digest).
 *
 * @param layout the layout directory
 * @param top the image: a manifest or an index
 * @param described how the user named it, for messages
 * @param pulledFrom the registry reference it was pulled from; empty for a local image
 * @param registry how that registry is spoken to (plain HTTP or not, how long to wait)
 */
public record CheckedImage(Path layout, Descriptor top, String described, Optional<ImageReference> pulledFrom,
        RegistryOptions registry) {
    private static final Pattern ARCHIVE_NAME = Pattern.compile("oci-layout|index\\.json|blobs/sha256/[0-9a-f]{64}");

    /** A local image: a layout directory, or the layout of an archive. */
    public CheckedImage(Path layout, Descriptor top, String described) {
        this(layout, top, described, Optional.empty(), RegistryOptions.DEFAULT);
    }

    /** Opens {@code image}; a copy (an archive's layout, a pull) goes under {@code scratch}. */
    public static CheckedImage open(String image, Path scratch, RegistryOptions registry) {
        Path path = Path.of(image);
        if (Files.isDirectory(path)) {
            LayoutReader reader = LayoutReader.open(path);
            return new CheckedImage(path, reader.top(), path.toString());
        }
        if (Files.isRegularFile(path)) {
            Path layout = scratch.resolve("archive");
            extract(path, layout);
            if (!Files.exists(layout.resolve("index.json"))) {
                throw new AssembleException(path + " holds no OCI layout (index.json): expected a docker archive as 'kiln build"
                        + " --tarball' or 'docker save' (Docker 25 and later) write\n  fix: copy it into a layout first: skopeo copy "
                        + "docker-archive:" + path + " oci:DIR:latest, then verify DIR");
            }
            return new CheckedImage(layout, LayoutReader.open(layout).top(), path.toString());
        }
        // LAYOUT:NAME, as skopeo's oci:LAYOUT:NAME: the image a layout names NAME
        int colon = image.lastIndexOf(':');
        if (colon > 0 && colon < image.length() - 1) {
            Path dir = Path.of(image.substring(0, colon));
            if (Files.isRegularFile(dir.resolve("oci-layout"))) {
                return new CheckedImage(dir, LayoutReader.open(dir, Optional.of(image.substring(colon + 1))).top(), image);
            }
        }
        // a registry reference starts with its host; a path that starts with / or . is local and missing
        if (!image.contains("/") || image.startsWith("/") || image.startsWith(".")) {
            throw new AssembleException("no such layout directory or archive: " + image
                    + "\n  expected: an OCI layout directory, a docker archive, or a registry reference HOST/REPO[:TAG][@sha256:...]");
        }
        Path layout = scratch.resolve("pulled");
        Descriptor top = RegistryClients.pull(image, layout, registry);
        return new CheckedImage(layout, top, image, Optional.of(ImageReference.parse(image)), registry);
    }

    /**
     * Runs {@code use} on where the image's signatures and attestations are: the registry
     * repository it was pulled from (a pull copies no referrers), else its layout.
     */
    public <T> T withReferrers(Function<Referrers, T> use) {
        if (pulledFrom.isEmpty()) {
            return use.apply(LayoutReferrers.open(layout));
        }
        try (RegistryClient client = RegistryClients.builder(registry).build()) {
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
                    + "\n  expected: a tar as 'kiln build --tarball' or 'docker save' writes", e);
        }
    }
}
