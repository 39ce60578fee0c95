package dev.kiln.assembler.layer;

import dev.kiln.oci.LayerDigests;
import java.io.ByteArrayOutputStream;

/** Run by {@link OtherJvmTest} under every other JDK on the host: prints the fixture layer's digests. */
public final class OtherJvmMain {
    private OtherJvmMain() {
    }

    public static void main(String[] args) throws Exception {
        LayerDigests d = new TarLayerWriter(TarLayerWriterTest.EPOCH).writeGzip(TarLayerWriterTest.fixture(),
                new ByteArrayOutputStream());
        System.out.println(d.compressed() + " " + d.uncompressed());
    }
}
