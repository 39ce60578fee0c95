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

/** Small hand-made image layouts to sign: one image, or an index over two architectures. */
public final class TestLayouts {
    public static final long EPOCH = 1_700_000_000L;

    private TestLayouts() {}

    /** One layer: a greeting file, a link to it, real mtimes and an odd mode. */
    public static TestLayer tree(String greeting) {
        return TestLayer.builder()
                .dir("/", 0755, 0, 0, 1_699_999_999L)
                .dir("/etc", 0755, 0, 0, 1_712_345_678L)
                .file("/etc/greeting", 0640, 0, 65532, 1_694_201_234L, greeting + "\n")
                .symlink("/etc/motd", "greeting", 0777, 0, 0, 1_712_345_600L);
    }

    private static Descriptor image(ImageLayout layout, String greeting, String arch) {
        LayerDigests layer = tree(greeting + " " + arch).writeTo(layout);
        ImageConfigFile config = new ImageConfigFile(Platform.ofDebian(arch), Optional.of(Instant.ofEpochSecond(EPOCH)),
                ImageConfig.EMPTY, List.of(layer.uncompressed()), List.of());
        return layout.writeImage(config, List.of(layer), Map.of("org.opencontainers.image.title", greeting));
    }

    /** One amd64 image named {@code latest}; {@code greeting} makes images differ. */
    public static Path single(Path dir, String greeting) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            return layout.commit(image(layout, greeting, "amd64"), "latest");
        }
    }

    /** An index over amd64 and arm64 images, named {@code latest}. */
    public static Path twoArch(Path dir, String greeting) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            List<Descriptor> images = new ArrayList<>();
            for (String arch : List.of("amd64", "arm64")) {
                images.add(image(layout, greeting, arch));
            }
            return layout.commit(layout.writeIndex(new Index(images, Map.of())), "latest");
        }
    }
}
