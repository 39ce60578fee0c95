package dev.kiln.oci.testing;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.Platform;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** Small images built from hand-made trees, for tests that move images around (registries, archives). */
public final class TestImages {
    public static final long EPOCH = 1_700_000_000L;

    private TestImages() {}

    /**
     * A layer with real mtimes, an odd mode, a symlink and {@code noise} bytes of incompressible data
     * (so a test can make a layer larger than a chunk); the content differs per {@code arch}.
     */
    public static TestLayer tree(String arch, int noise) {
        byte[] random = new byte[noise];
        new Random(arch.hashCode()).nextBytes(random);
        return TestLayer.builder()
                .dir("/", 0755, 0, 0, 1_699_999_999L)
                .dir("/etc", 0755, 0, 0, 1_712_345_678L)
                .file("/etc/hello.txt", 0644, 0, 0, 1_694_201_234L, "hello from " + arch + "\n")
                .symlink("/etc/greeting", "hello.txt", 0777, 0, 0, 1_712_345_600L)
                .dir("/srv", 0710, 65532, 65532, 1_734_567_890L)
                .file("/srv/noise.bin", 0600, 65532, 65532, 1_734_567_891L, random);
    }

    /** A layer shared by every architecture. */
    public static TestLayer shared() {
        return TestLayer.builder()
                .dir("/", 0755, 0, 0, 0)
                .dir("/usr", 0755, 0, 0, 0)
                .file("/usr/common.txt", 0644, 0, 0, 1_650_000_000L, "same\n");
    }

    /** One amd64 image at {@code dir}; its top is a manifest. */
    public static Descriptor single(Path dir, int noise) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            Descriptor image = image(layout, "amd64", noise);
            layout.commit(image, "latest");
            return image;
        }
    }

    /** An amd64 and an arm64 image sharing their base layer, under an index at {@code dir}. */
    public static Descriptor twoArch(Path dir, int noise) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            List<Descriptor> images = new ArrayList<>();
            for (String arch : List.of("amd64", "arm64")) {
                images.add(image(layout, arch, noise));
            }
            Descriptor index = layout.writeIndex(new Index(images, Map.of("org.opencontainers.image.title", "two")));
            layout.commit(index, "latest");
            return index;
        }
    }

    public static ImageConfig runtime() {
        return new ImageConfig(Optional.of("65532"), List.of("PATH=/usr/bin:/bin"), List.of("/bin/false"),
                List.of(), Optional.of("/"), Map.of(), Optional.empty(), Set.of(), Set.of());
    }

    private static Descriptor image(ImageLayout layout, String arch, int noise) {
        LayerDigests base = shared().writeTo(layout);
        LayerDigests own = tree(arch, noise).writeTo(layout);
        ImageConfigFile config = new ImageConfigFile(Platform.ofDebian(arch), Optional.of(Instant.ofEpochSecond(EPOCH)), runtime(),
                List.of(base.uncompressed(), own.uncompressed()), List.of());
        return layout.writeImage(config, List.of(base, own), Map.of());
    }
}
