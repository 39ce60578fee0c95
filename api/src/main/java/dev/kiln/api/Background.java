package dev.kiln.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Something set up on a spare daemon thread while the command starts, and waited for where first needed. */
final class Background {
    private Background() {
    }

    /** Starts {@code factory} on a new daemon thread named {@code name}. */
    static <T> CompletableFuture<T> start(String name, Supplier<T> factory) {
        return CompletableFuture.supplyAsync(factory, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        });
    }

    /** What {@code f} made, waiting for it; what its setup threw, as thrown. */
    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
