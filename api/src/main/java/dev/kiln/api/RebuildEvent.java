package dev.kiln.api;

import java.util.Objects;

/**
 * {@link Kiln#verify} opened the image ({@code image} as the request named it, its top manifest or
 * index {@code digest}) and starts rebuilding it from its inputs.
 */
public record RebuildEvent(String image, String digest) implements KilnEvent {
    public RebuildEvent {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(digest, "digest");
    }
}
