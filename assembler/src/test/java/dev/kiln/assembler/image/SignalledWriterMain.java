package dev.kiln.assembler.image;

import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.oci.ImageLayout;
import dev.kiln.store.ContentStore;
import java.nio.file.Path;

/**
 * For {@link StoppedBySignalTest}, in a JVM of its own: starts a blob in a store (args[0]) and a
 * layout (args[1]) and leaves both half-written, says so, and waits to be stopped.
 */
public final class SignalledWriterMain {
    private SignalledWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        ContentStore store = ContentStore.open(Path.of(args[0]));
        ContentStore.Staging blob = store.stage(null, -1);
        blob.write(new byte[] {1, 2, 3}, 0, 3);
        ImageLayout layout = ImageLayout.stage(Path.of(args[1]));
        layout.writeLayer(out -> new TarLayerWriter(ImageLayoutTest.EPOCH).writeGzip(ImageLayoutTest.tree("amd64"), out));
        System.out.println("staged");
        System.out.flush();
        System.in.read(); // until the test stops this JVM (stdin stays open)
    }
}
