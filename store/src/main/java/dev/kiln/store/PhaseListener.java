package dev.kiln.store;

/**
 * Hears a run pass the named points of its work ({@code releases verified}, {@code layers amd64}):
 * how a run spends its time, for whoever wants to time it. Called on the thread that did the work,
 * sometimes several at once, so an implementation must be quick and thread-safe.
 */
@FunctionalInterface
public interface PhaseListener {
    PhaseListener NONE = phase -> { };

    void phase(String name);
}
