package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.ImageRef;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's guess of what an IMAGE argument names: a layout, a layout's image by name, an archive, a registry reference. */
class ImageArgumentTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingLayoutIsNamedAndARegistryImageHasNoRefName() {
        KilnException e = assertThrows(KilnException.class, () -> ImageArgument.forSign(tmp.resolve("nope").toString(), null));
        assertTrue(e.getMessage().startsWith("no such layout directory: " + tmp.resolve("nope")), e.getMessage());
        e = assertThrows(KilnException.class, () -> ImageArgument.forSign("127.0.0.1:1/base:v1", "latest"));
        assertTrue(e.getMessage().startsWith("--ref names an image inside a layout"), e.getMessage());
    }

    @Test
    void verifyTakesADirectoryALayoutsNamedImageAnArchiveOrAReference() throws IOException {
        Path layout = tmp.resolve("oci");
        TestImages.single(layout, 10);
        Path archive = Files.writeString(tmp.resolve("image.tar"), "");
        assertEquals(ImageRef.layout(layout), ImageArgument.forVerify(layout.toString()));
        assertEquals(ImageRef.layout(layout, "v1"), ImageArgument.forVerify(layout + ":v1"));
        assertEquals(ImageRef.archive(archive), ImageArgument.forVerify(archive.toString()));
        assertEquals(ImageRef.registry("127.0.0.1:5000/kiln/base:v1"), ImageArgument.forVerify("127.0.0.1:5000/kiln/base:v1"));
        KilnException e = assertThrows(KilnException.class, () -> ImageArgument.forVerify("./missing"));
        assertTrue(e.getMessage().startsWith("no such layout directory or archive: ./missing"), e.getMessage());
    }
}
