package dev.kiln.oci;

import java.util.List;
import java.util.Map;

/** An OCI image index (schemaVersion 2): one manifest per platform, in the order given. */
public record Index(List<Descriptor> manifests, Map<String, String> annotations) {
    public Index {
        manifests = List.copyOf(manifests);
        annotations = Descriptor.sortedCopy(annotations);
    }
}
