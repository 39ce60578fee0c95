package dev.kiln.builder.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.builder.sandbox.Sandbox;
import dev.kiln.builder.testing.HostMirror;
import dev.kiln.builder.sandbox.Step;
import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live (the host's Debian mirror, part of the normal run): a compiler environment locked from
 * bookworm, written as a build environment root without running any maintainer script, compiles
 * and runs a C program in the sandbox. The only live compile of the suite.
 */
class CompilerEnvironmentLiveTest {
    @TempDir
    Path dir;

    @Test
    void ccCompilesAndRunsHelloInsideTheSandboxAndTheRootIsWrittenOnce() throws Exception {
        Map<String, String> mirrors = Map.of("DEBIAN_MIRROR", HostMirror.debian().toString());
        HttpTransport transport = HttpTransport.withDefaults();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Resolver resolver = new Resolver(transport, store, Keyring.load(HostMirror.shippedKeys()), mirrors, Instant.now());
            SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
            Lock lock = resolver.lock(new Resolver.LockRequest("env.yaml", Digest.of(new byte[0]), dir, List.of(line),
                    List.of(Request.of("gcc"), Request.of("libc6-dev"), Request.of("make"), Request.of("dash"), Request.of("coreutils")),
                    List.of("amd64"), SolveOptions.DEFAULT));
            List<URI> bases = line.expandAll(mirrors);
            List<Download> downloads = new ArrayList<>();
            for (Lock.Package p : lock.packages("amd64")) {
                String base = bases.get(0).toString();
                downloads.add(new Download(p.name(), List.of(URI.create((base.endsWith("/") ? base : base + "/") + p.path())),
                        p.size(), p.sha256()));
            }
            new Fetcher(transport, store).fetch(downloads);

            BuildEnvironment.Request request = BuildEnvironment.Request.of(lock, "amd64");
            long t0 = System.nanoTime();
            new UnpackCache(store, UnpackLimits.DEFAULT).unpackAll(lock.packages("amd64"));
            long unpacked = System.nanoTime() - t0;
            t0 = System.nanoTime();
            BuildEnvironment.Root root = new BuildEnvironment(store).root(request);
            long written = System.nanoTime() - t0;
            assertTrue(root.written());
            t0 = System.nanoTime();
            BuildEnvironment.Root again = new BuildEnvironment(store).root(request);
            long found = System.nanoTime() - t0;
            assertFalse(again.written(), "the second call is a lookup");
            assertEquals(root.directory(), again.directory());
            assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(root.directory().resolve("usr/bin"))));

            Path workspace = Files.createDirectory(dir.resolve("ws"));
            Files.writeString(workspace.resolve("hello.c"), "#include <stdio.h>\n#include <errno.h>\n"
                    + "int main(void) { printf(\"hello from %s\\n\", \"kiln\"); return errno; }\n");
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            t0 = System.nanoTime();
            Sandbox.onPath("/usr/bin:/bin").run(Step.of("compile", "cc hello.c && ./a.out && readlink /usr/bin/cc",
                    root.directory(), workspace).withOutput(out::add));
            long compiled = System.nanoTime() - t0;
            assertEquals(List.of("hello from kiln", "/etc/alternatives/cc"), out, "cc is the alternatives link gcc's postinst would make");
            System.out.printf("compiler environment: %d packages, unpacked in %d ms, root written in %d ms, found in %d ms, compiled and ran in %d ms%n",
                    lock.packages("amd64").size(), unpacked / 1_000_000, written / 1_000_000, found / 1_000_000, compiled / 1_000_000);
        }
    }
}
