package dev.kiln.builder.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.recipe.StepMount;
import dev.kiln.builder.sandbox.HostToolsRoot;
import dev.kiln.builder.sandbox.Mount;
import dev.kiln.builder.sandbox.Sandbox;
import dev.kiln.builder.sandbox.Step;
import dev.kiln.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builds of one process on one cache id, each a {@link CacheMounts} of its own running steps in
 * the real sandbox. They meet in a shared cache: a build's first step (no locked mount) says it
 * started; its second step, with the cache under test, records entering and leaving in the shared
 * cache and waits (bounded) for the other build to have started and then to enter too. No sleeps:
 * with {@code locked} the other cannot enter while the first is inside (the first waits out its
 * bound: a shared cache fails this test), and with {@code private} it provably runs at the same
 * time in its own directory.
 */
class CacheMountsTest {
    @TempDir
    Path dir;

    private List<String> twoBuilds(StepMount.Sharing sharing) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = HostToolsRoot.write(Files.createDirectory(dir.resolve("root")));
        Sandbox sandbox = Sandbox.onPath("/usr/bin:/bin");
        StepMount.Cache meet = new StepMount.Cache("meet", "/meet", StepMount.Sharing.SHARED);
        StepMount.Cache tested = new StepMount.Cache("tested", "/tested", sharing);
        List<String> seen = new ArrayList<>();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<String>> builds = new ArrayList<>();
                for (String me : List.of("a", "b")) {
                    String other = me.equals("a") ? "b" : "a";
                    builds.add(pool.submit(() -> {
                        Path ws = Files.createTempDirectory(dir, "ws-" + me);
                        try (CacheMounts caches = new CacheMounts(store)) {
                            sandbox.run(Step.of("start", "echo started-" + me + " >> /meet/log", root, ws)
                                    .withMounts(List.of(new Mount.Directory(caches.directory(meet), "/meet", true))));
                            Step inside = Step.of("inside", String.join("\n",
                                    "echo enter-" + me + " >> /meet/log",
                                    "ls /tested > /meet/seen-" + me,
                                    "echo " + me + " > /tested/" + me,
                                    "command -v grep >/dev/null", "i=0; while ! grep -q started-" + other + " /meet/log && test $i -lt 20000; do i=$((i+1)); done",
                                    // the other is now at the lock (or past it): give it a bounded chance to come in
                                    "j=0; while ! grep -q enter-" + other + " /meet/log && test $j -lt 1000; do j=$((j+1)); done",
                                    "echo leave-" + me + " >> /meet/log"), root, ws)
                                    .withMounts(List.of(new Mount.Directory(caches.directory(meet), "/meet", true),
                                            new Mount.Directory(caches.directory(tested), "/tested", true)));
                            sandbox.run(inside);
                            return caches.directory(tested).toString();
                        }
                    }));
                }
                List<String> dirs = new ArrayList<>();
                for (Future<String> f : builds) {
                    dirs.add(f.get(2, TimeUnit.MINUTES));
                }
                seen.add(String.join(" ", Files.readAllLines(store.root().resolve("caches/meet/log"))));
                seen.add(Files.readString(store.root().resolve("caches/meet/seen-a")).strip());
                seen.add(Files.readString(store.root().resolve("caches/meet/seen-b")).strip());
                seen.add(dirs.get(0).equals(dirs.get(1)) ? "one directory" : "two directories");
            } finally {
                pool.shutdownNow();
            }
        }
        return seen;
    }

    @Test
    void lockedBuildsOnOneIdDoNotOverlap() throws Exception {
        List<String> seen = twoBuilds(StepMount.Sharing.LOCKED);
        List<String> log = List.of(seen.get(0).split(" "));
        List<String> order = log.stream().filter(l -> l.startsWith("enter") || l.startsWith("leave")).toList();
        String first = order.get(0).substring("enter-".length());
        String second = first.equals("a") ? "b" : "a";
        assertEquals(List.of("enter-" + first, "leave-" + first, "enter-" + second, "leave-" + second), order, seen.get(0));
        assertTrue(log.indexOf("started-" + second) < log.indexOf("leave-" + first),
                "the second build was waiting for the lock while the first held it: " + log);
        assertEquals("one directory", seen.get(3));
        assertEquals(first, seen.get(second.equals("a") ? 1 : 2), "the second build saw the first one's file: " + seen);
    }

    @Test
    void privateBuildsOverlapEachInItsOwnDirectory() throws Exception {
        List<String> seen = twoBuilds(StepMount.Sharing.PRIVATE);
        List<String> log = List.of(seen.get(0).split(" "));
        assertTrue(log.indexOf("enter-b") < log.indexOf("leave-a") && log.indexOf("enter-a") < log.indexOf("leave-b"),
                "both were inside at once: " + log);
        assertEquals("", seen.get(1), "each started with an empty cache");
        assertEquals("", seen.get(2), "each started with an empty cache");
        assertNotEquals("one directory", seen.get(3));
    }
}
