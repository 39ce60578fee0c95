package dev.kiln.trust;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.testing.TestLayouts;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh single-image layout for each test, the one most signing tests work on. */
abstract class LayoutFixture {
    @TempDir
    Path tmp;

    LayoutReferrers target;
    Descriptor image;

    @BeforeEach
    void layout() {
        target = LayoutReferrers.open(TestLayouts.single(tmp.resolve("image"), "hello"));
        image = target.image(Optional.empty());
    }
}
