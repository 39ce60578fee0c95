package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.repo.PgpKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts and secrets end to end, hermetically: recipes whose environment is a signed file:
 * repository of the host's own tools (made at test time), built in the sandbox.
 */
class RecipeMountsTest {
    private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");
    private static final String SECRET = "hunter2-Pa55phrase-0x7f";
    private static final List<String> TOOLS = List.of("sh", "dash", "cat", "ls", "mkdir", "rm", "echo", "cp", "chmod", "test",
            "head", "tail", "true", "false", "id");

    @TempDir
    static Path shared;
    private static Path toolsKey;
    private static Path toolsRepo;

    @TempDir
    Path dir;

    @BeforeAll
    static void toolsRepository() throws Exception {
        ToolsRepository tools = ToolsRepository.write(shared, TOOLS, CREATED);
        toolsKey = tools.key();
        toolsRepo = tools.repository();
    }

    private Path recipe(String name, String steps) throws IOException {
        Path file = dir.resolve("packages").resolve(name + ".yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                package:
                  name: %s
                  version: 1.0
                  epoch: 0
                  description: mounts
                  copyright: [{license: MIT}]
                environment:
                  contents:
                    repositories:
                      - deb [signed-by=%s] file:%s tools main
                    packages: [tools]
                pipeline:
                %s""".formatted(name, toolsKey, toolsRepo, steps));
        try (Kiln kiln = kiln(new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(file), "amd64"));
        }
        return file;
    }

    private Kiln kiln(List<KilnEvent> events) {
        return Kiln.builder().store(dir.resolve("store")).keys(toolsKey).addEventHandler(KilnEvent.class, events::add).open();
    }

    private RecipeBuildResult.Built build(Path recipe, List<KilnEvent> events, boolean rebuild, String secret) {
        try (Kiln kiln = kiln(events)) {
            RecipeBuildRequest r = RecipeBuildRequest.of(List.of(recipe), "amd64").withRebuild(rebuild);
            if (secret != null) {
                r = r.withSecret("token", () -> secret.getBytes(StandardCharsets.UTF_8));
            }
            return kiln.recipeBuild(r).recipes().get(0);
        }
    }

    private static List<String> output(List<KilnEvent> events) {
        return events.stream().filter(RecipeEvent.Output.class::isInstance).map(e -> ((RecipeEvent.Output) e).line()).toList();
    }

    /** Every file under {@code root} whose bytes hold {@code value} raw or in base64 (at any alignment). */
    private static List<Path> holding(Path root, String value) throws IOException {
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        List<byte[]> forms = new ArrayList<>(List.of(raw));
        for (int pad = 0; pad < 3; pad++) {
            byte[] p = new byte[pad + raw.length];
            System.arraycopy(raw, 0, p, pad, raw.length);
            String b = Base64.getEncoder().encodeToString(p);
            forms.add(b.substring(pad == 0 ? 0 : 4, (p.length / 3) * 4).getBytes(StandardCharsets.US_ASCII));
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (forms.stream().anyMatch(x -> bytes.contains(new String(x, StandardCharsets.ISO_8859_1)))) {
                    found.add(f);
                }
            }
        }
        return found;
    }

    @Test
    void aSecretPrintedCopiedAndInstalledIsRefusedNamingTheFileAndIsInNoByteKiln() throws Exception {
        Path recipe = recipe("leaky", """
                  - name: leak
                    mounts:
                      - {type: secret, id: token, required: true}
                      - {type: cache, id: leaky-cache, target: /cache/leaky}
                    runs: |
                      echo "the token is $(cat /run/secrets/token)"
                      cp /run/secrets/token /cache/leaky/token
                      cp /run/secrets/token /tmp/token
                      cp /run/secrets/token ./token-in-workspace
                      mkdir -p "${{targets.destdir}}/etc"
                      cp /run/secrets/token "${{targets.destdir}}/etc/token"
                """);
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        RecipeException e = assertThrows(RecipeException.class, () -> build(recipe, events, false, SECRET));
        assertEquals("recipe.secret-leaked", e.code());
        assertTrue(e.getMessage().contains("the package leaky's file /etc/token"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
        assertTrue(output(events).contains("the token is ***"), output(events).toString());
        assertTrue(events.stream().noneMatch(x -> x.toString().contains(SECRET)), "no event holds the value");
        assertEquals(List.of(), holding(dir, SECRET), "no byte of the store (its caches too), the lock, the logs or the recipe holds"
                + " the value");
        assertFalse(Files.exists(dir.resolve("store/caches/leaky-cache/token")), "the cache that held it was emptied");
        Path log;
        try (Kiln kiln = kiln(new ArrayList<>())) {
            log = kiln.recipeLog("leaky").orElseThrow();
        }
        assertEquals(dir.resolve("store/logs/leaky/last.log"), log);
        assertEquals("==> step leak\nthe token is ***\n", Files.readString(log));
        assertTrue(e.getMessage().contains("the whole log: " + dir.resolve("store/logs/leaky")), e.getMessage());
    }

    @Test
    void aPackageHoldingASecretNeverReachesThePublishedRepository() throws Exception {
        Path repo = dir.resolve("repo");
        PgpKeys.Written key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", CREATED);
        Path fine = recipe("fine", """
                  - runs: mkdir -p "${{targets.destdir}}/usr/share/fine"
                """);
        Path leaky = recipe("leaky", """
                  - mounts: [{type: secret, id: token, required: true}]
                    runs: |
                      mkdir -p "${{targets.destdir}}/usr/share/leaky"
                      cp /run/secrets/token "${{targets.destdir}}/usr/share/leaky/token"
                """);
        try (Kiln kiln = kiln(new ArrayList<>())) {
            kiln.recipeBuild(RecipeBuildRequest.of(List.of(fine), "amd64").withRepository(repo, key.secretKey()));
        }
        byte[] release = Files.readAllBytes(repo.resolve("dists/recipes/InRelease"));
        try (Kiln kiln = kiln(new ArrayList<>())) {
            RecipeException e = assertThrows(RecipeException.class, () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(leaky), "amd64")
                    .withSecret("token", () -> SECRET.getBytes(StandardCharsets.UTF_8)).withRepository(repo, key.secretKey())));
            assertEquals("recipe.secret-leaked", e.code());
            assertTrue(e.getMessage().contains("the package leaky's file /usr/share/leaky/token"), e.getMessage());
        }
        assertEquals(List.of(), holding(repo, SECRET), "no byte of the repository holds the value, raw or in base64");
        assertArrayEquals(release, Files.readAllBytes(repo.resolve("dists/recipes/InRelease")), "nothing was published");
        assertFalse(Files.exists(repo.resolve("pool/main/l/leaky")));
        // a repository that does not exist yet is not made by a refused build
        Path none = dir.resolve("no-repo");
        try (Kiln kiln = kiln(new ArrayList<>())) {
            assertThrows(RecipeException.class, () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(leaky), "amd64")
                    .withSecret("token", () -> SECRET.getBytes(StandardCharsets.UTF_8)).withRepository(none, key.secretKey())));
        }
        assertFalse(Files.exists(none));
    }

    @Test
    void aSecretsValueIsNotInTheBuildKeyAndARequiredOneMissingFailsBeforeTheSandbox() throws Exception {
        Path recipe = recipe("uses-token", """
                  - name: check
                    mounts: [{type: secret, id: token, required: true}]
                    runs: |
                      test -s /run/secrets/token
                      mkdir -p "${{targets.destdir}}/usr/share/doc/uses-token"
                      echo "built with a token" > "${{targets.destdir}}/usr/share/doc/uses-token/README"
                """);
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        RecipeException missing = assertThrows(RecipeException.class, () -> build(recipe, events, false, null));
        assertEquals("recipe.secret", missing.code());
        assertTrue(missing.getMessage().contains("'token' is required"), missing.getMessage());
        assertTrue(events.stream().noneMatch(RecipeEvent.Step.class::isInstance), "no step started");
        RecipeBuildResult.Built a = build(recipe, new ArrayList<>(), false, "first-value-1234");
        RecipeBuildResult.Built b = build(recipe, new ArrayList<>(), true, "second-value-5678");
        assertFalse(b.remembered());
        assertEquals(a.buildKey(), b.buildKey());
        assertEquals(a.packages().get(0).sha256(), b.packages().get(0).sha256());
        assertTrue(build(recipe, new ArrayList<>(), false, null).remembered(), "a lookup needs no secret");
    }

    @Test
    void aCacheIsKeptBetweenBuildsAndWarmColdOrJunkGiveTheSameBytes() throws Exception {
        Path recipe = recipe("cached", """
                  - name: compile
                    mounts: [{type: cache, id: objs, target: /cache/objs, sharing: locked}]
                    runs: |
                      if test -e /cache/objs/marker; then echo warm; else echo cold; fi
                      echo "marker from a build" > /cache/objs/marker
                      mkdir -p "${{targets.destdir}}/usr/share/doc/cached"
                      echo "the same whatever the cache" > "${{targets.destdir}}/usr/share/doc/cached/README"
                """);
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        RecipeBuildResult.Built cold = build(recipe, events, false, null);
        assertTrue(output(events).contains("cold"), output(events).toString());
        Path cache = dir.resolve("store/caches/objs");
        assertEquals("marker from a build\n", Files.readString(cache.resolve("marker")));

        events.clear();
        RecipeBuildResult.Built warm = build(recipe, events, true, null);
        assertTrue(output(events).contains("warm"), "the marker is visible to the next build: " + output(events));
        assertEquals(cold.packages().get(0).sha256(), warm.packages().get(0).sha256());

        Files.write(cache.resolve("junk.o"), new byte[] {0, 1, 2, (byte) 0xff});
        Files.createDirectories(cache.resolve("junk-dir"));
        Files.writeString(cache.resolve("marker"), "garbage");
        RecipeBuildResult.Built junk = build(recipe, new ArrayList<>(), true, null);
        assertEquals(cold.packages().get(0).sha256(), junk.packages().get(0).sha256());
        for (RecipeBuildResult.PackageFile p : junk.packages()) {
            assertEquals(List.of(), holding(p.file().getParent(), "marker from a build"), "the cache is in no package");
        }
    }

    @Test
    void aBindMountIsThePinnedReadOnlyCopyAndATmpfsIsTheStepsAlone() throws Exception {
        Files.createDirectories(dir.resolve("packages/data"));
        Files.writeString(dir.resolve("packages/data/in.txt"), "bound content\n");
        Path recipe = recipe("bound", """
                  - name: use
                    mounts:
                      - {type: bind, source: ./data, target: /data}
                      - {type: tmpfs, target: /scratch, size: 65536}
                    runs: |
                      if (echo x > /data/new) 2>/dev/null; then echo data-writable; else echo data-read-only; fi
                      echo scratch > /scratch/file
                      ls -A
                      mkdir -p "${{targets.destdir}}/usr/share/bound"
                      cp /data/in.txt "${{targets.destdir}}/usr/share/bound/"
                  - name: after
                    runs: |
                      if test -e /scratch/file; then echo scratch-kept; else echo scratch-gone; fi
                """);
        String lock = Files.readString(dir.resolve("packages/bound.lock.json"));
        assertTrue(lock.contains("pipeline[0].mounts[0]"), "the bind mount's source is pinned in the lock: " + lock);
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        RecipeBuildResult.Built built = build(recipe, events, false, null);
        assertEquals(List.of("data-read-only", "scratch-gone"), output(events), "the workspace is empty: no staged copy in it");
        String contents = new String(new ProcessBuilder("dpkg-deb", "--contents", built.packages().get(0).file().toString())
                .redirectErrorStream(true).start().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(contents.contains("./usr/share/bound/in.txt"), contents);

        Files.writeString(dir.resolve("packages/data/in.txt"), "changed after locking\n");
        RecipeException stale = assertThrows(RecipeException.class, () -> build(recipe, new ArrayList<>(), true, null));
        assertTrue(stale.getMessage().contains("./data"), stale.getMessage());
    }
}
