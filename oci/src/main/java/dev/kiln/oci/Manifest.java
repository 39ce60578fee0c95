package dev.kiln.oci;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An OCI image manifest (schemaVersion 2): the config blob and the layers, base first. */
public record Manifest(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    public Manifest {
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        annotations = Descriptor.sortedCopy(annotations);
    }
}
