package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.WhyFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln why}: what it prints, its exit codes and its {@code --json}, on a fixture repository's closure. */
class WhyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static Path spec;
    static String store;

    @BeforeAll
    static void lockTheClosure() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = new FixtureRepository();
        WhyFixture.addTo(repo);
        repo.publish();
        spec = WhyFixture.spec(tmp.resolve("spec"), repo.sourceLine(tmp.resolve("fixture.asc")));
        store = tmp.resolve("store").toString();
        String[] r = CliRun.run("lock", "--store", store, spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    private static String[] why(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "why";
        all[1] = "--store";
        all[2] = store;
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.run(all);
    }

    @Test
    void aPackageTwoLevelsDownIsShownWithEachChainAndTheRelationsThatMadeIt() {
        String[] r = why("libbase", spec.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals("""
                libbase 2.0-1 (amd64) is pulled in by:
                  tool -> libbase
                      tool Depends: libbase
                  app -> libmid -> libbase
                      app Depends: libmid (>= 1.0)
                      libmid Depends: libbase (>= 2)
                """, r[1]);
        assertEquals("", r[2]);
    }

    @Test
    void anAlternativeAndAProvidesSayWhichWasTaken() {
        assertEquals("""
                dash-fixture 0.5-1 (amd64) is pulled in by:
                  app -> dash-fixture
                      app Depends: busybox-fixture | dash-fixture (alternative dash-fixture)
                """, why("dash-fixture", spec.toString())[1]);
        assertEquals("""
                mail-transport-agent (amd64) is a virtual package provided by exim-fixture; it is pulled in by:
                  app -> exim-fixture
                      app Depends: mail-transport-agent (exim-fixture provides mail-transport-agent)
                """, why("mail-transport-agent", spec.toString())[1]);
    }

    @Test
    void theChainsAreCappedAndTheRestCounted() {
        String out = why("--max-chains", "1", "libbase", spec.toString())[1];
        assertTrue(out.endsWith("  and 1 more chain from other requested packages (--max-chains N lists more)\n"), out);
        assertTrue(!out.contains("app ->"), out);
    }

    @Test
    void aRequestedPackageSaysSoAndExitsZero() {
        String[] r = why("tool", spec.toString());
        assertEquals("0", r[0]);
        assertEquals("tool 3.1-1 (amd64) is requested by the spec\n", r[1]);
    }

    @Test
    void aPackageOutsideTheClosureSaysWhyAndExitsOne() {
        String[] excluded = why("liblegacy", spec.toString());
        assertEquals("1", excluded[0]);
        assertEquals("liblegacy (amd64) is not in the closure of " + spec + ": the spec excludes it (contents.exclude)\n", excluded[1]);
        assertEquals("libextra (amd64) is not in the closure of " + spec
                + ": the spec skips it as a dependency of libbase (contents.skip-dependencies)\n", why("libextra", spec.toString())[1]);
        String[] unknown = why("unused", spec.toString());
        assertEquals("1", unknown[0]);
        assertEquals("unused (amd64) is not in the closure of " + spec
                + ": the spec does not request it, and no package in the closure needs it\n", unknown[1]);
    }

    @Test
    void jsonIsOneResultObjectWithTheChains() throws IOException {
        String[] r = why("--json", "libbase", spec.toString());
        assertEquals("0", r[0], r[2]);
        List<String> lines = r[1].lines().toList();
        JsonNode result = JSON.readTree(lines.get(lines.size() - 1)).get("result");
        for (String event : lines.subList(0, lines.size() - 1)) {
            assertTrue(JSON.readTree(event).has("event"), event);
        }
        assertEquals("libbase", result.get("package").asText());
        assertTrue(result.get("inClosure").asBoolean());
        assertTrue(result.get("lockMatchesSpec").asBoolean());
        JsonNode answer = result.get("answers").get(0);
        assertEquals("pulled-in", answer.get("status").asText());
        assertEquals("2.0-1", answer.get("version").asText());
        assertEquals("[\"amd64\"]", answer.get("architectures").toString());
        JsonNode chain = answer.get("chains").get(1);
        assertEquals("app", chain.get("root").asText());
        assertEquals("[\"app\",\"libmid\",\"libbase\"]", chain.get("packages").toString());
        assertEquals("Depends: libbase (>= 2)", chain.get("links").get(1).get("relation").asText());
        assertTrue(chain.get("links").get(1).get("alternative").isNull());

        String[] absent = why("--json", "liblegacy", spec.toString());
        assertEquals("1", absent[0]);
        List<String> absentLines = absent[1].lines().toList();
        JsonNode no = JSON.readTree(absentLines.get(absentLines.size() - 1)).get("result");
        assertEquals(false, no.get("inClosure").asBoolean());
        assertEquals("excluded", no.get("answers").get(0).get("status").asText());
    }

    @Test
    void theLockNamesItsSpec() {
        String[] r = why("libmid", spec.resolveSibling("closure.lock.json").toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("libmid 1.2-1 (amd64) is pulled in by:\n  app -> libmid\n"), r[1]);
    }

    @Test
    void withoutASpecTheOnlyLockedSpecOfTheDirectoryIsTakenAndSeveralAreRefusedByName() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("choose"));
        Files.writeString(dir.resolve("notes.yaml"), "not a spec with a lock\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SpecArgument.onlyLockedSpec(dir));
        assertTrue(none.getMessage().contains("holds no *.yaml spec with its lock (NAME.lock.json) beside it"), none.getMessage());
        Files.writeString(dir.resolve("b.yaml"), "");
        Files.writeString(dir.resolve("b.lock.json"), "");
        assertEquals(dir.resolve("b.yaml"), SpecArgument.onlyLockedSpec(dir));
        Files.writeString(dir.resolve("a.yaml"), "");
        Files.writeString(dir.resolve("a.lock.json"), "");
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> SpecArgument.onlyLockedSpec(dir));
        assertTrue(two.getMessage().endsWith("holds 2 specs with a lock beside them: a.yaml, b.yaml; name one"), two.getMessage());
    }

    @Test
    void aMistakeOnTheCommandLineIsAUsageError() {
        String[] badName = why("Not_A_Package", spec.toString());
        assertEquals("2", badName[0]);
        assertTrue(badName[2].startsWith("kiln: not a Debian package name: 'Not_A_Package'"), badName[2]);
        String[] badCap = why("--max-chains", "0", "app", spec.toString());
        assertEquals("2", badCap[0], badCap[2]);
        String[] noLock = why("app", tmp.resolve("nowhere.yaml").toString());
        assertEquals("3", noLock[0], noLock[2]);
        assertTrue(noLock[2].contains("nowhere.lock.json"), noLock[2]);
    }

    /** Live: nginx from the host's Debian mirror pulls libelf1 in through iproute2, as the control data of bookworm says. */
    @Test
    void nginxOnTheHostMirrorPullsLibelfThroughIproute2() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("live"));
        Path nginx = Files.writeString(dir.resolve("nginx.yaml"), """
                contents:
                  repositories:
                    - deb ${DEBIAN_MIRROR} bookworm main
                  packages: [nginx]
                archs: [amd64]
                """);
        String liveStore = dir.resolve("store").toString();
        String[] lock = CliRun.run("lock", "--store", liveStore, nginx.toString());
        assertEquals("0", lock[0], lock[1] + lock[2]);
        String[] r = CliRun.run("why", "--store", liveStore, "libelf1", nginx.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> lines = r[1].lines().toList();
        assertTrue(lines.get(0).matches("libelf1 \\S+ \\(amd64\\) is pulled in by:"), r[1]);
        assertEquals("  nginx -> iproute2 -> libelf1", lines.get(1), r[1]);
        assertEquals("      nginx Depends: iproute2", lines.get(2), r[1]);
        assertTrue(lines.get(3).startsWith("      iproute2 Depends: libelf1"), r[1]);
    }
}
