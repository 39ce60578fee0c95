package dev.kiln.api;

import dev.kiln.api.internal.attest.Provenance;
import dev.kiln.api.internal.sbom.SpdxSbom;
import dev.kiln.assembler.image.ImageAssembler;
import dev.kiln.oci.Descriptor;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The documents that go beside a layout: an SPDX SBOM per architecture and the SLSA provenance of the build. */
final class Documents {
    private Documents() {
    }

    /**
     * The documents beside the layout {@code DIR}: {@code DIR.ARCH.spdx.json} per architecture and
     * {@code DIR.provenance.json}, for the layout that {@code staged} holds and that goes to {@code
     * target}. Each is written and fsynced as a temporary file beside the target, to be put in place
     * after the layout. Nothing is left when it fails.
     */
    static List<AtomicFile.Staged> stage(Path staged, Path target, ImageAssembler assembler, Lock lock, long epoch) {
        String name = target.getFileName().toString();
        Map<Path, byte[]> documents = new LinkedHashMap<>();
        for (Map.Entry<String, Descriptor> image : assembler.images().entrySet()) {
            String arch = image.getKey();
            documents.put(target.resolveSibling(name + "." + arch + ".spdx.json"), SpdxSbom.of(assembler.installed(),
                    new SpdxSbom.Image(name, image.getValue().digest(), arch, epoch), Kiln.version())
                    .withMaintainers(assembler.maintainers()).json());
        }
        List<Provenance.Subject> subjects = Provenance.subjects(staged, name);
        documents.put(target.resolveSibling(name + ".provenance.json"), new Provenance(lock, subjects, Kiln.version(), epoch).json());
        List<AtomicFile.Staged> written = new ArrayList<>();
        try {
            for (Map.Entry<Path, byte[]> d : documents.entrySet()) {
                // readable by everyone who may read the directory, as an SBOM is meant to be; gone at
                // shutdown unless put in place, and one a killed build left is removed by the next
                written.add(AtomicFile.stage(d.getKey(), d.getValue(), AtomicFile.PUBLIC));
            }
            return written;
        } catch (IOException e) {
            discard(written);
            throw new StoreException("cannot write the SBOM and provenance beside " + target + ": "
                    + IoErrors.why(e) + "\n  fix: free space there, or write the image elsewhere", e);
        }
    }

    /** Removes the temporary halves of staged documents that are still there; a leftover is only a dot-file. */
    static void discard(List<AtomicFile.Staged> documents) {
        documents.forEach(AtomicFile.Staged::close);
    }
}
