package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln recipe lock} through the CLI: hermetic (a fixture repository, a tarball on 127.0.0.1) and once live. */
class RecipeLockCommandTest {
    @TempDir
    Path tmp;
    FixtureRepository repo;
    TestMirror upstream;
    Path recipe;
    byte[] tarball = "hello, made at test time\n".getBytes(UTF_8);

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    @BeforeEach
    void setUp() throws IOException {
        repo = new FixtureRepository();
        repo.add("make-fixture", "4.3-1", "", List.of(PackageFile.file("/usr/bin/make", 0755, 1_700_000_000L, "make\n")));
        repo.publish();
        upstream = TestMirror.start();
        upstream.serve("/hello-1.0.tar.gz", tarball);
        recipe = tmp.resolve("packages/hello.yaml");
        Files.createDirectories(recipe.getParent());
        Files.writeString(recipe, """
                package: {name: hello, version: "1.0"}
                environment:
                  contents: {repositories: ["%s"], packages: [make-fixture]}
                pipeline:
                  - uses: fetch
                    with: {uri: "%s", expected-sha256: %s, extract: false}
                  - runs: make
                """.formatted(repo.sourceLine(tmp.resolve("repo.asc")), upstream.uri("/hello-1.0.tar.gz"), Digest.of(tarball).hex()));
    }

    @AfterEach
    void tearDown() {
        repo.close();
        upstream.close();
    }

    String[] kiln(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "recipe";
        all[1] = args[0];
        all[2] = "--store";
        all[3] = tmp.resolve("store").toString();
        System.arraycopy(args, 1, all, 4, args.length - 1);
        return CliRun.run(all);
    }

    @Test
    void lockWritesTheLockAndCheckExitsZeroThenOneWhenTheRecipeChanges() throws IOException {
        String[] missing = kiln("lock", "--check", recipe.toString());
        assertEquals("1", missing[0], missing[1] + missing[2]);
        assertTrue(missing[1].contains("hello.lock.json is stale") && missing[1].contains("(new)"), missing[1]);
        assertFalse(Files.exists(tmp.resolve("packages/hello.lock.json")));

        String[] r = kiln("lock", recipe.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("wrote " + tmp.resolve("packages/hello.lock.json") + " (hello 1.0-0kiln1"), r[1]);
        byte[] lock = Files.readAllBytes(tmp.resolve("packages/hello.lock.json"));

        String[] ok = kiln("lock", "--check", recipe.toString());
        assertEquals("0", ok[0], ok[1] + ok[2]);
        assertTrue(ok[1].contains("is up to date"), ok[1]);

        Files.writeString(recipe, Files.readString(recipe).replace("version: \"1.0\"", "version: \"1.0\", epoch: 1"));
        String[] stale = kiln("lock", "--check", recipe.toString());
        assertEquals("1", stale[0], stale[1] + stale[2]);
        assertTrue(stale[1].contains("~ recipe "), stale[1]);
        assertArrayEquals(lock, Files.readAllBytes(tmp.resolve("packages/hello.lock.json")), "a check writes nothing");
    }

    @Test
    void jsonPrintsTheResultLast() throws IOException {
        String[] r = kiln("lock", "--json", recipe.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String[] lines = r[1].strip().split("\n");
        JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]);
        JsonNode locked = last.get("result").get("recipes").get(0);
        assertEquals("hello", locked.get("package").asText(), last.toString());
        assertEquals("1.0-0kiln1", locked.get("version").asText());
        assertTrue(locked.get("written").asBoolean());
        assertTrue(locked.get("sources").get(0).asText().endsWith(Digest.of(tarball).toString()), locked.toString());
    }

    @Test
    void aWrongHashExitsThreeWithTheSourceErrorAndWritesNoLock() throws IOException {
        Files.writeString(recipe, Files.readString(recipe).replace(Digest.of(tarball).hex(), Digest.of("x").hex()));
        String[] r = kiln("lock", recipe.toString());
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("pipeline[0]") && r[2].contains("expected sha256 " + Digest.of("x").hex()), r[2]);
        assertFalse(Files.exists(tmp.resolve("packages/hello.lock.json")));
    }

    @Test
    void noRecipeIsAUsageError() {
        String[] r = CliRun.run("recipe", "lock");
        assertEquals("2", r[0], r[1] + r[2]);
    }

    /** Live: the issue's GNU hello recipe against the host's Debian mirror (its environment and upstream tarball). */
    @Test
    void theIssuesHelloRecipeLocksAgainstTheHostsMirror() throws IOException {
        Path hello = tmp.resolve("live/hello.yaml");
        Files.createDirectories(hello.getParent());
        // the issue's recipe, its environment and its source as written there (its steps do not matter to a lock)
        Files.writeString(hello, """
                package: {name: hello, version: 2.10, epoch: 0, description: "GNU hello, built from source"}
                environment:
                  contents: {repositories: ["deb ${DEBIAN_MIRROR} bookworm main"], packages: [build-essential]}
                  environment: {LC_ALL: C.UTF-8}
                pipeline:
                  - uses: fetch
                    with: {uri: "${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz", strip-components: 1,
                      expected-sha256: 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b}
                  - {uses: autoconf/configure}
                  - {uses: autoconf/make}
                  - {uses: autoconf/make-install}
                """);
        String[] r = CliRun.run("recipe", "lock", "--store", tmp.resolve("live-store").toString(), hello.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String json = Files.readString(tmp.resolve("live/hello.lock.json"));
        assertTrue(json.contains("\"sha256\": \"31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b\""), json);
        assertTrue(json.contains("\"name\": \"gcc\""), "build-essential's closure is pinned");
        assertTrue(!json.contains("http://") && !json.contains("https://"), "the lock names no host");
    }

    @Test
    void aMalformedSecretIsAUsageErrorThatNeverEchoesAValueAndRecipeLogSaysWhenThereIsNoLog() throws IOException {
        Path secretFile = tmp.resolve("token");
        Files.writeString(secretFile, "do-not-print-me-0042");
        String[] noId = kiln("build", "--secret", "src=" + secretFile, recipe.toString());
        assertEquals("2", noId[0], noId[1] + noId[2]);
        assertTrue(noId[2].contains("expected id=NAME"), noId[2]);
        String[] both = kiln("build", "--secret", "id=token,src=" + secretFile + ",env=HOME", recipe.toString());
        assertEquals("2", both[0], both[2]);
        String[] unset = kiln("build", "--secret", "id=token,env=KILN_TEST_NEVER_SET_42", recipe.toString());
        assertEquals("2", unset[0], unset[2]);
        assertTrue(unset[2].contains("KILN_TEST_NEVER_SET_42 is not set"), unset[2]);
        for (String[] r : List.of(noId, both, unset)) {
            assertFalse((r[1] + r[2]).contains("do-not-print-me-0042"));
        }
        String[] log = kiln("log", "hello");
        assertEquals("1", log[0], log[1] + log[2]);
        assertTrue(log[2].contains("no build of hello has run with this store"), log[2]);
    }
}
