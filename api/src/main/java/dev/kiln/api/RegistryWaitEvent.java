package dev.kiln.api;

import java.time.Duration;
import java.util.Objects;

/**
 * kiln waits for a registry ({@code HOST[:PORT]}) doing {@code operation}: a request has gone
 * unanswered for {@code reason} ({@code retry} false, try {@code attempt}), or try
 * {@code attempt - 1} failed for {@code reason} and try {@code attempt} of {@code attempts} comes
 * next ({@code retry} true). The operation gives up once it has waited {@code maxWait} in all.
 * {@code message} says all that in one line for people.
 */
public record RegistryWaitEvent(String registry, String operation, String reason, boolean retry, int attempt, int attempts,
        Duration maxWait, String message) implements KilnEvent {
    public RegistryWaitEvent {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(message, "message");
    }
}
