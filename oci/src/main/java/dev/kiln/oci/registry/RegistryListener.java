package dev.kiln.oci.registry;

import java.time.Duration;

/**
 * Hears what a {@link RegistryClient} waits for, so that nobody is left before a silent terminal.
 * It is called on the thread that runs the operation, or on the client's timer thread while a
 * request goes unanswered: an implementation must be quick and thread-safe.
 */
@FunctionalInterface
public interface RegistryListener {
    RegistryListener NONE = waiting -> { };

    void waiting(Waiting waiting);

    /**
     * The client waits for {@code registry} ({@code HOST[:PORT]}) doing {@code operation}: a request
     * has gone unanswered for {@code reason} ({@link Kind#SILENT}, try {@code attempt}), or try
     * {@code attempt - 1} failed for {@code reason} and try {@code attempt} comes next
     * ({@link Kind#RETRY}). The operation gives up once it has waited {@code maxWait} in all.
     */
    record Waiting(Kind kind, String registry, String operation, String reason, int attempt, int attempts,
            Duration maxWait) {
        public enum Kind { SILENT, RETRY }

        /** One line for a person: what is waited for, why, and how long it may still take. */
        public String message() {
            String next = kind == Kind.RETRY ? "trying again (" + attempt + " of " + attempts + ")" : "still waiting";
            return "waiting for " + registry + " (" + operation + "): " + reason + ", " + next
                    + "; kiln gives up after " + Retrying.seconds(maxWait) + " in all";
        }
    }
}
