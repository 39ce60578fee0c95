package dev.kiln.api;

/**
 * Something a {@link Kiln} reports while it works, delivered to the handlers registered for its
 * type (or a supertype: {@code KilnEvent.class} hears everything) with
 * {@link Kiln.Builder#addEventHandler}. kiln prints nothing itself; the CLI's output is such handlers.
 *
 * <p>Handlers are called synchronously, on the thread that did the work, and several at once: a
 * fetch runs eight downloads in parallel, a registry client reports waits from its timer thread.
 * A handler must be thread-safe and quick (a download waits for it), and should not throw: what it
 * throws ends the operation it reports on.
 */
public sealed interface KilnEvent permits FetchEvent, PhaseEvent, RegistryWaitEvent, StoreEvent, RebuildEvent, BuildCheckEvent,
        BuildWarningEvent, ShadowedPackageEvent, RecipeEvent, CacheEvent {
}
