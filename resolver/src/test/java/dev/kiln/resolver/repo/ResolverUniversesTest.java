package dev.kiln.resolver.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Resolver#universes} reads what a lock reads, without solving, online and offline. */
class ResolverUniversesTest {
    private static final TestKey KEY = TestKey.generate("Fixture <universes@fixture.test>");

    @Test
    void universesOfferTheVersionsTheRepositoryListsAndOfflineReadsNothing(@TempDir Path tmp) throws IOException {
        Instant now = Instant.now();
        try (FixtureRepository repo = new FixtureRepository(KEY); HttpTransport http = HttpTransport.withDefaults();
             ContentStore store = ContentStore.open(tmp.resolve("store"))) {
            repo.date = now.minus(Duration.ofDays(1));
            repo.publish();
            Resolver r = new Resolver(http, store, KEY.keyring(), Map.of("DEBIAN_MIRROR", repo.url()), now);
            Resolver.LockRequest req = new Resolver.LockRequest("s.yaml", Digest.of("s"), tmp,
                    List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} stable main")), List.of(Request.of("hello")),
                    List.of("amd64"), SolveOptions.DEFAULT);

            Resolver.Universes online = r.universes(req);
            Lock lock = r.lock(req);

            assertEquals(List.of("amd64"), List.copyOf(online.byArch().keySet()));
            assertEquals("2.10-3", online.byArch().get("amd64").candidate("hello").record().version());
            assertEquals(lock.repositories().get(0).release(), online.releases().get(0).digest());
            int before = repo.requests.get();
            Resolver.LockRequest offline = new Resolver.LockRequest("s.yaml", Digest.of("s"), tmp, req.repositories(),
                    req.packages(), req.archs(), req.options(), true);
            assertEquals("1.2-1", r.universes(offline).byArch().get("amd64").candidate("libc-fixture").record().version());
            assertEquals(before, repo.requests.get(), "offline, nothing is requested");
        }
    }
}
