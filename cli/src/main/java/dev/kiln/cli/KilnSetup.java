package dev.kiln.cli;

import dev.kiln.api.CacheEvent;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnEvent;
import dev.kiln.api.PhaseEvent;
import dev.kiln.api.RegistryWaitEvent;
import dev.kiln.api.ShadowedPackageEvent;
import dev.kiln.api.BuildWarningEvent;
import dev.kiln.api.StoreEvent;
import dev.kiln.api.SystemDefaults;
import dev.kiln.store.KilnException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link Kiln} as the commands open it: the host's defaults ({@link SystemDefaults}) under what
 * the command line says, and the handlers that print what the library reports: waits for the store
 * and for registries on stderr (with {@code --json}, every event as a line on stdout), phase timings
 * when {@code KILN_TIMING} is set.
 */
final class KilnSetup {
    private KilnSetup() {
    }

    /**
     * The defaults with {@code --store} (else the default store) and {@code --context} when given;
     * registry waits told on {@code err} unless {@code quiet}; with {@code json} (not null), every
     * event there instead, unless {@code quiet}.
     */
    static Kiln.Builder builder(Path store, Path context, boolean quiet, PrintWriter err, JsonLines json) {
        return withoutStore(context, quiet, err, json).store(store != null ? store : SystemDefaults.store());
    }

    /** As {@link #builder} with no store: the command's store is a fresh one the library makes. */
    static Kiln.Builder withoutStore(Path context, boolean quiet, PrintWriter err, JsonLines json) {
        Path home = SystemDefaults.home();
        if (!Files.exists(home.resolve("keys"))) {
            throw new KilnException("no trusted keys at " + home.resolve("keys")
                    + "\n  expected: kiln's keys/ directory of OpenPGP public keys (set KILN_HOME to kiln's checkout)");
        }
        Kiln.Builder b = Kiln.builder().home(home).mirrors(SystemDefaults.mirrors()).proxies(SystemDefaults.proxies())
                .netrc(SystemDefaults.netrc()).registries(SystemDefaults.registries())
                .toolPath(SystemDefaults.toolPath());
        if (context != null) {
            b.context(context);
        }
        return withHandlers(b, quiet, err, json);
    }

    /**
     * The handlers every command has: store waits, registry waits (unless {@code quiet}), timings;
     * with {@code json}, every event as a JSON line (none when {@code quiet}) and nothing on {@code err}.
     */
    static Kiln.Builder withHandlers(Kiln.Builder b, boolean quiet, PrintWriter err, JsonLines json) {
        if (json != null) {
            if (!quiet) {
                b.addEventHandler(KilnEvent.class, new JsonEvents(json));
            }
        } else {
            b.addEventHandler(StoreEvent.Waiting.class, w -> err.println("kiln: " + w.message()));
            if (!quiet) {
                b.addEventHandler(RegistryWaitEvent.class, w -> err.println("kiln: " + w.message()));
                b.addEventHandler(BuildWarningEvent.class, w -> err.println("kiln: warning: " + w.message()));
                b.addEventHandler(ShadowedPackageEvent.class, w -> err.println("kiln: warning: " + w.message()));
                b.addEventHandler(CacheEvent.Miss.class, m -> {
                    if (m.refused()) {
                        err.println("kiln: warning: " + m.message());
                    }
                });
                b.addEventHandler(CacheEvent.Unavailable.class, u -> err.println("kiln: warning: " + u.message()));
                b.addEventHandler(CacheEvent.Pushed.class, p -> err.println("kiln: cache: sent " + p.entries() + " entries and "
                        + p.blobs() + " blobs (" + p.bytes() + " bytes)"));
            }
        }
        if (Timing.ON) {
            b.addEventHandler(PhaseEvent.class, e -> Timing.mark(e.phase()));
        }
        return b;
    }
}
