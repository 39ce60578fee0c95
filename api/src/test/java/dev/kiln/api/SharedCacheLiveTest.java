package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.testing.TinyRepository;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.trust.KeyFiles;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the host's Debian mirror: store A locks and builds the python3 example with the cache and
 * pushes; store B, empty, with every mirror a closed port and the lock beside the spec, builds the
 * same image from the cache, unpacking and compressing nothing (issue 18's first "done when", with
 * the recipe example's half in the CLI's ExampleRecipesTest).
 */
class SharedCacheLiveTest {
    @TempDir
    Path tmp;

    @Test
    void thePython3ExampleBuiltFromTheCacheWithTheMirrorUnreachableHasTheSameDigest() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        Path spec = Files.createDirectories(tmp.resolve("spec")).resolve("python3.yaml");
        Files.writeString(spec, Files.readString(TinyRepository.HOME.resolve("examples/python3.yaml"))
                .replaceAll("(?m)^archs: .*$", "archs: [amd64]"));
        KeyFiles.Written ci = KeyFiles.generate(tmp.resolve("keys"), "ci", Optional.empty(), false);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + closed + "/debian";
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            SharedCache cache = SharedCache.of(registry.host() + "/kiln/cache").trusting(ci.publicKey());
            String a;
            try (Kiln kiln = SystemDefaults.kiln().store(tmp.resolve("store-a")).home(TinyRepository.HOME)
                    .cache(cache.pushingWith(ci.privateKey())).open()) {
                kiln.lock(LockRequest.of(Spec.load(spec)));
                a = kiln.build(BuildRequest.of(Spec.load(spec)).withMode(LockMode.FROZEN).to(Target.layout(tmp.resolve("a")))).digest();
            }
            List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
            String b;
            try (Kiln kiln = Kiln.builder().store(tmp.resolve("store-b")).home(TinyRepository.HOME)
                    .mirrors(Map.of("DEBIAN_MIRROR", dead, "DEBIAN_SECURITY_MIRROR", dead)).cache(cache)
                    .addEventHandler(KilnEvent.class, events::add).open()) {
                b = kiln.build(BuildRequest.of(Spec.load(spec)).withMode(LockMode.FROZEN).to(Target.layout(tmp.resolve("b")))).digest();
            }
            assertEquals(a, b);
            assertTrue(events.stream().noneMatch(e -> e instanceof StoreEvent.MemoUsed m && m.made() > 0), events.toString());
            assertTrue(events.stream().noneMatch(e -> e instanceof CacheEvent.Miss m && m.refused()), events.toString());
            assertTrue(events.stream().noneMatch(e -> e instanceof FetchEvent.Started), "nothing asked of a mirror");
            for (String step : List.of("deb-unpack-v2", "layer-v3")) {
                assertTrue(events.stream().anyMatch(e -> e instanceof CacheEvent.Hit h && h.step().equals(step)), step + ": " + events);
            }
        }
    }
}
