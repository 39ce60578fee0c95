package dev.kiln.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A run passed a named point of its work ({@code spec parsed}, {@code releases verified},
 * {@code solved amd64}, {@code fetched}, {@code layers amd64}, {@code image written}), {@code
 * elapsed} after its {@link Kiln} was opened: how a run spends its time. The names are for people
 * and may change.
 */
public record PhaseEvent(String phase, Duration elapsed) implements KilnEvent {
    public PhaseEvent {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
