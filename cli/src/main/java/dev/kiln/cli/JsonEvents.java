package dev.kiln.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.api.BuildCheckEvent;
import dev.kiln.api.BuildWarningEvent;
import dev.kiln.api.FetchEvent;
import dev.kiln.api.KilnEvent;
import dev.kiln.api.PhaseEvent;
import dev.kiln.api.RebuildEvent;
import dev.kiln.api.RecipeEvent;
import dev.kiln.api.RegistryWaitEvent;
import dev.kiln.api.ShadowedPackageEvent;
import dev.kiln.api.StoreEvent;
import dev.kiln.api.CacheEvent;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * {@code --json}'s events: every {@link KilnEvent} a run reports, one line each, under the names the
 * README lists. Fetch events keep the names and fields {@code kiln fetch --json} had before the other
 * commands had JSON (a package's sha256 as bare hex); the others give digests as {@code sha256:...}.
 * A download's progress is not written (it is told for every buffer read: the live display's business).
 */
final class JsonEvents implements Consumer<KilnEvent> {
    private final JsonLines json;

    JsonEvents(JsonLines json) {
        this.json = json;
    }

    @Override
    public void accept(KilnEvent e) {
        if (e instanceof FetchEvent f) {
            fetch(f);
        } else if (e instanceof PhaseEvent p) {
            json.event("phase", g -> {
                g.writeStringField("phase", p.phase());
                g.writeNumberField("elapsedMs", p.elapsed().toMillis());
            });
        } else if (e instanceof RegistryWaitEvent w) {
            json.event("registry-wait", g -> {
                g.writeStringField("registry", w.registry());
                g.writeStringField("operation", w.operation());
                g.writeStringField("reason", w.reason());
                g.writeBooleanField("retry", w.retry());
                g.writeNumberField("attempt", w.attempt());
                g.writeNumberField("attempts", w.attempts());
                g.writeNumberField("maxWaitMs", w.maxWait().toMillis());
                g.writeStringField("message", w.message());
            });
        } else if (e instanceof CacheEvent c) {
            cache(c);
        } else if (e instanceof StoreEvent.Waiting w) {
            json.event("store-waiting", g -> g.writeStringField("message", w.message()));
        } else if (e instanceof StoreEvent.DamagedBlobRemoved d) {
            json.event("store-damaged", g -> {
                g.writeStringField("digest", d.digest());
                g.writeStringField("found", d.found());
            });
        } else if (e instanceof StoreEvent.MemoUsed m) {
            json.event("store-memo", g -> {
                g.writeStringField("step", m.step());
                g.writeNumberField("reused", m.reused());
                g.writeNumberField("made", m.made());
            });
        } else if (e instanceof RebuildEvent r) {
            json.event("rebuild", g -> {
                g.writeStringField("image", r.image());
                g.writeStringField("digest", r.digest());
            });
        } else if (e instanceof BuildCheckEvent c) {
            json.event("build-check", g -> g.writeStringField("first", c.digest()));
        } else if (e instanceof BuildWarningEvent w) {
            json.event("build-warning", g -> g.writeStringField("message", w.message()));
        } else if (e instanceof RecipeEvent r) {
            recipe(r);
        } else if (e instanceof ShadowedPackageEvent x) {
            json.event("shadowed", g -> {
                g.writeStringField("name", x.name());
                g.writeStringField("version", x.version());
                g.writeStringField("repository", x.repository());
                g.writeStringField("hiddenVersion", x.hiddenVersion());
                g.writeStringField("hiddenRepository", x.hiddenRepository());
                g.writeStringField("message", x.message());
            });
        }
    }

    private void recipe(RecipeEvent e) {
        if (e instanceof RecipeEvent.Started s) {
            json.event("recipe-started", g -> {
                g.writeStringField("recipe", s.recipe());
                g.writeStringField("version", s.version());
                g.writeStringField("buildKey", s.buildKey());
            });
        } else if (e instanceof RecipeEvent.Step s) {
            json.event("recipe-step", g -> {
                g.writeStringField("recipe", s.recipe());
                g.writeStringField("step", s.step());
            });
        } else if (e instanceof RecipeEvent.Output o) {
            json.event("recipe-output", g -> {
                g.writeStringField("recipe", o.recipe());
                g.writeStringField("step", o.step());
                g.writeStringField("line", o.line());
            });
        } else if (e instanceof RecipeEvent.Finished f) {
            json.event("recipe-finished", g -> {
                g.writeStringField("recipe", f.recipe());
                g.writeStringField("version", f.version());
                g.writeStringField("buildKey", f.buildKey());
                g.writeBooleanField("remembered", f.remembered());
            });
        } else if (e instanceof RecipeEvent.Stopped x) {
            json.event("recipe-stopped", g -> {
                g.writeStringField("recipe", x.recipe());
                g.writeStringField("version", x.version());
                g.writeStringField("reason", x.reason());
            });
        }
    }

    private void fetch(FetchEvent e) {
        if (e instanceof FetchEvent.Planned p) {
            json.event("planned", g -> {
                g.writeNumberField("packages", p.packages());
                g.writeNumberField("bytes", p.bytes());
            });
        } else if (e instanceof FetchEvent.Started s) {
            download("started", s.download(), g -> g.writeStringField("url", s.url().toString()));
        } else if (e instanceof FetchEvent.Retrying r) {
            download("retrying", r.download(), g -> {
                g.writeStringField("url", r.url().toString());
                g.writeStringField("why", r.why());
            });
        } else if (e instanceof FetchEvent.Damaged d) {
            download("damaged", d.download(), g -> g.writeStringField("found", FetchProgress.hex(d.found())));
        } else if (e instanceof FetchEvent.Finished f) {
            download("finished", f.download(), g -> g.writeBooleanField("present", f.alreadyPresent()));
        } else if (e instanceof FetchEvent.Failed f) {
            download("failed", f.download(), g -> g.writeStringField("why", f.why()));
        }
    }

    private void download(String name, FetchEvent.Download d, JsonLines.Fields more) {
        json.event(name, g -> {
            writeDownload(g, d);
            more.write(g);
        });
    }

    private static void writeDownload(JsonGenerator g, FetchEvent.Download d) throws IOException {
        g.writeStringField("name", d.name());
        g.writeStringField("sha256", FetchProgress.hex(d.sha256()));
        g.writeNumberField("size", d.size());
    }

    private void cache(CacheEvent e) {
        if (e instanceof CacheEvent.Hit h) {
            json.event("cache-hit", g -> {
                g.writeStringField("step", h.step());
                g.writeStringField("digest", h.digest());
                g.writeNumberField("size", h.size());
            });
        } else if (e instanceof CacheEvent.Miss m) {
            json.event("cache-miss", g -> {
                g.writeStringField("step", m.step());
                g.writeStringField("key", m.key());
                g.writeBooleanField("refused", m.refused());
                g.writeStringField("reason", m.reason());
            });
        } else if (e instanceof CacheEvent.Pushed p) {
            json.event("cache-pushed", g -> {
                g.writeNumberField("entries", p.entries());
                g.writeNumberField("blobs", p.blobs());
                g.writeNumberField("bytes", p.bytes());
            });
        } else if (e instanceof CacheEvent.Unavailable u) {
            json.event("cache-unavailable", g -> {
                g.writeStringField("repository", u.repository());
                g.writeStringField("reason", u.reason());
            });
        }
    }
}
