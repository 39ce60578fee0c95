package dev.kiln.api;

import java.util.Objects;

/**
 * One way two images differ, from the top down: {@code where} (e.g. {@code layer linux/amd64
 * layers[0] (sha256:...)}), the {@code aspect} that differs (e.g. {@code MTIME}, {@code CONTENT},
 * {@code MISSING}, {@code CONFIG}), its {@code subject} (a path in the layer, a config key), and the
 * two sides as text.
 */
public record ImageDifference(String where, String aspect, String subject, String left, String right) {
    public ImageDifference {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(aspect, "aspect");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
    }
}
