package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.build.RecipeBuilder;
import dev.kiln.builder.repo.PgpKeys;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes end to end, hermetically: a build environment from a signed file: repository of the
 * host's own tools (made at test time with kiln's own .deb writer and repository), a source served
 * on 127.0.0.1, locked, built in the sandbox into a signed repository, built again from the store,
 * and an image that installs the package from that repository.
 */
class RecipeBuildTest {
    private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");
    private static final List<String> TOOLS = List.of("sh", "dash", "cat", "ls", "mkdir", "rm", "echo", "cp", "chmod", "test",
            "head", "tail", "true", "false", "id");

    @TempDir
    static Path shared;
    private static HttpServer server;
    private static String sourceUri;
    private static String sourceSha256;
    private static Path toolsKey;
    private static Path toolsRepo;

    @TempDir
    Path dir;

    @BeforeAll
    static void toolsRepositoryAndSource() throws Exception {
        // the environment: one package holding the host's shell and coreutils, in a signed file: repository
        ToolsRepository tools = ToolsRepository.write(shared, TOOLS, CREATED);
        toolsKey = tools.key();
        toolsRepo = tools.repository();

        // the source: a tarball on 127.0.0.1
        byte[] tarball = tarball(Map.of("greet-1.0/greet.sh", "#!/bin/sh\necho hello from greet\n",
                "greet-1.0/README", "greet: says hello\n"));
        sourceSha256 = Digest.of(tarball).hex();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/greet-1.0.tar.gz", x -> {
            x.sendResponseHeaders(200, tarball.length);
            x.getResponseBody().write(tarball);
            x.close();
        });
        server.start();
        sourceUri = "http://127.0.0.1:" + server.getAddress().getPort() + "/greet-1.0.tar.gz";
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static byte[] tarball(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (var f : new TreeMap<>(files).entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(b.length);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Path recipe(String name, String steps) throws IOException {
        Path file = dir.resolve("packages").resolve(name + ".yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                package:
                  name: %s
                  version: 1.0
                  epoch: 0
                  description: says hello
                  copyright: [{license: MIT}]
                environment:
                  contents:
                    repositories:
                      - deb [signed-by=%s] file:%s tools main
                    packages: [tools]
                pipeline:
                  - uses: fetch
                    with:
                      uri: %s
                      expected-sha256: %s
                      strip-components: 1
                %s""".formatted(name, toolsKey, toolsRepo, sourceUri, sourceSha256, steps));
        return file;
    }

    private static final String GREET_STEPS = """
              - name: install
                runs: |
                  mkdir -p "${{targets.destdir}}/usr/bin" "${{targets.destdir}}/usr/share/doc/greet"
                  cp greet.sh "${{targets.destdir}}/usr/bin/greet"
                  chmod 755 "${{targets.destdir}}/usr/bin/greet"
                  cp README "${{targets.destdir}}/usr/share/doc/greet/"
                  echo "built as $(id -u) in $PWD at $SOURCE_DATE_EPOCH"
            """;

    private Kiln kiln(List<KilnEvent> events) {
        return Kiln.builder().store(dir.resolve("store")).keys(toolsKey).addEventHandler(KilnEvent.class, events::add).open();
    }

    @Test
    void aRecipeIsLockedBuiltIntoASignedRepositoryFoundAgainByItsKeyAndInstalledByAnImage() throws Exception {
        Path recipe = recipe("greet", GREET_STEPS);
        Path repo = dir.resolve("repo");
        PgpKeys.Written key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", CREATED);
        List<KilnEvent> events = java.util.Collections.synchronizedList(new ArrayList<>()); // told from several threads
        RecipeBuildResult first;
        try (Kiln kiln = kiln(events)) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(recipe), "amd64"));
            first = kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64").withRepository(repo, key.secretKey()));
        }
        RecipeBuildResult.Built built = first.recipes().get(0);
        assertFalse(built.remembered());
        assertEquals("1.0-0kiln1", built.version());
        assertTrue(events.stream().anyMatch(e -> e instanceof RecipeEvent.Output o && o.line().equals("built as 0 in /home/build at "
                + built.epoch())), events.toString());
        RecipeBuildResult.PackageFile pkg = built.packages().get(0);
        assertEquals(repo.resolve("pool/main/g/greet/greet_1.0-0kiln1_amd64.deb"), pkg.file());
        assertEquals(pkg.sha256(), Digest.of(Files.readAllBytes(pkg.file())).toString());
        assertTrue(first.repository().orElseThrow().changed());
        // the epoch is the environment's Release date, never the clock
        assertEquals(CREATED.getEpochSecond(), built.epoch());
        String info = exec("dpkg-deb", "--field", pkg.file().toString(), "Version", "Kiln-Build-Key");
        assertEquals("Version: 1.0-0kiln1\nKiln-Build-Key: " + built.buildKey() + "\n", info);
        assertTrue(exec("dpkg-deb", "--contents", pkg.file().toString()).contains("./usr/bin/greet"));

        // again: the build key is in the store, nothing runs, the repository is not rewritten
        events.clear();
        long mtime = Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis();
        RecipeBuildResult second;
        try (Kiln kiln = kiln(events)) {
            second = kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64").withRepository(repo, key.secretKey()));
        }
        assertTrue(second.recipes().get(0).remembered());
        assertEquals(built.buildKey(), second.recipes().get(0).buildKey());
        assertEquals(pkg.sha256(), second.recipes().get(0).packages().get(0).sha256());
        assertTrue(events.stream().noneMatch(e -> e instanceof RecipeEvent.Step), events.toString());
        assertFalse(second.repository().orElseThrow().changed());
        assertEquals(mtime, Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis());

        // --rebuild builds again, to the same bytes
        try (Kiln kiln = kiln(new ArrayList<>())) {
            RecipeBuildResult again = kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64").withRebuild(true));
            assertFalse(again.recipes().get(0).remembered());
            assertEquals(pkg.sha256(), again.recipes().get(0).packages().get(0).sha256());
        }

        // an image takes it from the repository like any package
        Path spec = Files.writeString(dir.resolve("image.yaml"), """
                contents:
                  repositories:
                    - deb [signed-by=%s] file:%s tools main
                    - deb [signed-by=%s] file:repo recipes main
                  packages: [greet]
                entrypoint: {command: /usr/bin/greet}
                archs: [amd64]
                """.formatted(toolsKey, toolsRepo, key.publicKey()));
        try (Kiln kiln = kiln(new ArrayList<>())) {
            kiln.lock(LockRequest.of(Spec.load(spec)));
            kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(dir.resolve("image"))));
        }
        String lock = Files.readString(dir.resolve("image.lock.json"));
        assertTrue(lock.contains("\"line\": \"deb [signed-by=" + key.publicKey() + "] file:repo recipes main\""), lock);
        assertTrue(lock.contains(pkg.sha256().substring("sha256:".length())), lock);

        // and the package verifies: rebuilt in a fresh store from what it carries, the same bytes
        try (Kiln kiln = kiln(new ArrayList<>())) {
            RecipeVerifyResult v = kiln.recipeVerify(RecipeVerifyRequest.ofPackage(pkg.file(), "amd64"));
            assertTrue(v.identical(), v.toString());
            assertEquals(pkg.sha256(), v.packages().get(0).rebuilt());
        }
        // an image's: its relative file: repository found from the context, as kiln verify finds it
        try (Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(toolsKey).context(dir).open()) {
            RecipeVerifyResult image = kiln.recipeVerify(RecipeVerifyRequest.ofImage(ImageRef.layout(dir.resolve("image")), "amd64"));
            assertEquals(List.of("greet"), image.packages().stream().map(RecipeVerifyResult.Checked::name).toList());
            assertTrue(image.identical(), image.toString());
        }
    }

    @Test
    void aFailingStepShowsItsLastLinesAndPublishesNothing() throws Exception {
        Path recipe = recipe("broken", """
                  - name: fails
                    runs: |
                      echo first line
                      echo the reason >&2
                      exit 3
                """);
        Path repo = dir.resolve("repo");
        PgpKeys.Written key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", CREATED);
        try (Kiln kiln = kiln(new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(recipe), "amd64"));
            RecipeException e = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64").withRepository(repo, key.secretKey())));
            assertEquals("recipe.step-failed", e.code());
            assertTrue(e.getMessage().contains("fails") && e.getMessage().contains("first line")
                    && e.getMessage().contains("the reason"), e.getMessage());
            assertFalse(Files.exists(repo), "nothing is published");
            // nothing is remembered: the build key has no record
            var parsed = dev.kiln.builder.recipe.RecipeParser.parse(recipe, Map.of());
            var lock = dev.kiln.builder.recipe.RecipeLocking.read(dev.kiln.builder.recipe.RecipeLocking.lockFile(recipe));
            Digest buildKey = RecipeBuilder.key(parsed, lock, RecipeBuilder.epochOf(lock));
            assertTrue(kiln.session().store().memo(MemoStep.RECIPE_BUILD, buildKey).isEmpty());
        }
    }

    @Test
    void aLockForAnotherArchitectureOrAStaleLockIsRefusedBeforeAnythingRuns() throws Exception {
        Path recipe = recipe("greet", GREET_STEPS);
        try (Kiln kiln = kiln(new ArrayList<>())) {
            RecipeException none = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64")));
            assertEquals("recipe.lock", none.code());
            kiln.recipeLock(RecipeLockRequest.of(List.of(recipe), "amd64"));
            RecipeException arch = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "arm64")));
            assertEquals("recipe.architecture", arch.code());
            Files.writeString(recipe, Files.readString(recipe).replace("epoch: 0", "epoch: 1"));
            RecipeException stale = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64")));
            assertEquals("recipe.lock", stale.code());
        }
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
