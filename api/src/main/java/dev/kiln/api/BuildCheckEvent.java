package dev.kiln.api;

import java.util.Objects;

/**
 * {@link Kiln#checkBuild} made its first build ({@code digest}, its top manifest or index) and
 * starts the second from scratch in another JVM.
 */
public record BuildCheckEvent(String digest) implements KilnEvent {
    public BuildCheckEvent {
        Objects.requireNonNull(digest, "digest");
    }
}
