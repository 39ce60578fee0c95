package dev.kiln.builder.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.sandbox.HostToolsRoot;
import dev.kiln.builder.sandbox.Sandbox;
import dev.kiln.builder.sandbox.Step;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.StoreGc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build environment's root from a lock of packages made at test time (the host's programs
 * packed into .debs, a postinst registering an alternative, base-files' origins), written into a
 * store, then run in the sandbox.
 */
class BuildEnvironmentTest {
    private static final Map<String, byte[]> DEBS = new TreeMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void makePackages() throws Exception {
        TestDeb tools = new TestDeb("tools", "1.0-1");
        for (var f : HostToolsRoot.usrFiles().entrySet()) {
            tools.hostFile(f.getKey(), f.getKey().startsWith("usr/bin/") ? 04755 : f.getKey().contains("/ld-linux") ? 0755 : 0644, f.getValue());
        }
        // mawk's own library, beside those of the tools
        tools.hostFile("usr/lib/x86_64-linux-gnu/libm.so.6", 0644, Path.of("/lib/x86_64-linux-gnu/libm.so.6").toRealPath());
        DEBS.put("tools", tools.bytes());
        DEBS.put("mawk", new TestDeb("mawk", "1.3.4-1").hostFile("usr/bin/mawk", 0755, Path.of("/usr/bin/mawk").toRealPath())
                .script("postinst", "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n"
                        + "  update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5\nfi\n").bytes());
        DEBS.put("base-files", new TestDeb("base-files", "12.4").file("etc/dpkg/origins/debian", 0644,
                "Vendor: Debian\n".getBytes(StandardCharsets.UTF_8)).bytes());
    }

    private static Lock lock(ContentStore store) {
        List<Lock.Package> packages = new ArrayList<>();
        String[] versions = {"12.4", "1.3.4-1", "1.0-1"};
        int i = 0;
        for (var deb : DEBS.entrySet()) {
            Digest d = store.put(deb.getValue());
            packages.add(new Lock.Package(deb.getKey(), versions[i++], "amd64", deb.getKey(), "pool/main/" + deb.getKey() + ".deb",
                    deb.getValue().length, d, 0));
        }
        Lock.Repository repo = new Lock.Repository("deb http://mirror.example/debian bookworm main",
                Digest.of(new byte[] {1}), Instant.parse("2025-01-02T03:04:05Z"), Optional.empty(), List.of());
        return new Lock(Lock.VERSION, new Lock.Spec("env.yaml", Digest.of(new byte[] {2})), List.of(repo),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>(Map.of("amd64", packages)));
    }

    @Test
    void theRootHasThePackagesTheScriptEffectsAndIsReadOnly() throws IOException {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            BuildEnvironment.Root root = new BuildEnvironment(store).root(BuildEnvironment.Request.of(lock(store), "amd64"));
            Path r = root.directory();
            assertTrue(root.written());
            assertEquals(Path.of("/etc/alternatives/awk"), Files.readSymbolicLink(r.resolve("usr/bin/awk")));
            assertEquals(Path.of("/usr/bin/mawk"), Files.readSymbolicLink(r.resolve("etc/alternatives/awk")));
            assertEquals(Path.of("debian"), Files.readSymbolicLink(r.resolve("etc/dpkg/origins/default")));
            assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(r.resolve("bin")));
            assertTrue(Files.readString(r.resolve("etc/passwd")).startsWith("root:x:0:0:"));
            assertEquals("r-xr-xr-x", perms(r));
            assertEquals("rwxr-xr-x", perms(r.getParent()), "others may reach it (a sandbox whose namespace does not map the store's owner)");
            assertEquals("r-xr-xr-x", perms(r.resolve("usr/bin")));
            assertEquals("r-xr-xr-x", perms(r.resolve("usr/bin/id")), "set-id bits are dropped");
            assertEquals("r--r--r--", perms(r.resolve("etc/passwd")));
            assertEquals(Files.getAttribute(r.resolve("usr/bin/sh"), "unix:ino"), Files.getAttribute(r.resolve("usr/bin/dash"), "unix:ino"),
                    "identical files are one file");
            assertEquals(1_690_000_000L + Files.size(r.resolve("usr/bin/id")) % 100_000,
                    Files.getLastModifiedTime(r.resolve("usr/bin/id")).toMillis() / 1000, "the package's mtime");
            assertTrue(r.startsWith(store.root().resolve("dirs")), r.toString());
        }
    }

    @Test
    void theSecondCallIsALookup() throws IOException {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            BuildEnvironment env = new BuildEnvironment(store);
            BuildEnvironment.Request request = BuildEnvironment.Request.of(lock(store), "amd64");
            BuildEnvironment.Root first = env.root(request);
            var inode = Files.getAttribute(first.directory().resolve("usr/bin/sh"), "unix:ino");
            BuildEnvironment.Root second = new BuildEnvironment(store).root(request);
            assertFalse(second.written());
            assertEquals(first.directory(), second.directory());
            assertEquals(first.tree(), second.tree());
            assertEquals(inode, Files.getAttribute(second.directory().resolve("usr/bin/sh"), "unix:ino"), "not written again");
            BuildEnvironment.Root later = env.root(request.withEpoch(request.epoch() + 1));
            assertTrue(later.written(), "another tree (its generated files' mtimes) is another root");
        }
    }

    @Test
    void aStepRunsInTheRootWithTheAlternativesAndRootsAccount() throws IOException {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Path root = new BuildEnvironment(store).root(BuildEnvironment.Request.of(lock(store), "amd64")).directory();
            Path workspace = Files.createDirectory(dir.resolve("ws"));
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Sandbox.onPath("/usr/bin:/bin").run(Step.of("awk", "awk 'BEGIN { print 6 * 7 }'; id -un; touch /usr/bin/x || true",
                    root, workspace).withOutput(out::add));
            assertEquals("42", out.get(0));
            assertEquals("root", out.get(1));
            assertTrue(out.get(2).contains("Read-only file system"), out.toString());
        }
    }

    @Test
    void aDirectoryWithoutItsRecordIsNeverUsedButWrittenAgain() throws IOException {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            BuildEnvironment.Request request = BuildEnvironment.Request.of(lock(store), "amd64");
            Path root = new BuildEnvironment(store).root(request).directory();
            Files.delete(root.getParent().resolve(BuildEnvironment.COMPLETE)); // as if killed before the record
            BuildEnvironment.Root again = new BuildEnvironment(store).root(request);
            assertTrue(again.written());
            assertTrue(Files.isRegularFile(again.directory().getParent().resolve(BuildEnvironment.COMPLETE)));
        }
    }

    @Test
    void gcDropsAnUnusedRootAndAStagingDirectoryAKilledWriterLeft() throws IOException {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            BuildEnvironment.Request request = BuildEnvironment.Request.of(lock(store), "amd64");
            Path root = new BuildEnvironment(store).root(request).directory();
            Path staged = store.stageDirectory();
            Files.createDirectories(staged.resolve("root/usr/bin"));
            Files.writeString(staged.resolve("root/usr/bin/half"), "half");
            staged.resolve("root/usr/bin").toFile().setWritable(false, false);
            StoreGc.Result result = new StoreGc(store).gc(List.of());
            assertFalse(Files.exists(root.getParent(), LinkOption.NOFOLLOW_LINKS), "no root keeps it");
            assertFalse(Files.exists(staged, LinkOption.NOFOLLOW_LINKS));
            assertTrue(result.freed() > 0);
            try (Stream<Path> dirs = Files.list(store.root().resolve("dirs"))) {
                assertEquals(0, dirs.count());
            }
        }
    }

    @Test
    void anArchitectureTheLockLacksIsRefused() {
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            RecipeException e = assertThrows(RecipeException.class, () -> BuildEnvironment.Request.of(lock(store), "arm64"));
            assertEquals("recipe.architecture", e.code());
        }
    }

    @Test
    void aPackageMissingFromTheStoreIsNamed() {
        Lock lock;
        try (ContentStore other = ContentStore.open(dir.resolve("other"))) {
            lock = lock(other);
        }
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            RecipeException e = assertThrows(RecipeException.class,
                    () -> new BuildEnvironment(store).root(BuildEnvironment.Request.of(lock, "amd64")));
            assertEquals("recipe.lock", e.code());
            assertTrue(e.getMessage().contains("base-files 12.4"), e.getMessage());
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
