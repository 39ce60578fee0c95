package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What kiln says when something is wrong or asked for: each thing once, in the user's terms. */
class CliMessagesTest {
    private static final List<String> PARSER_INTERNALS = List.of("Source:", "REDACTED", "com.fasterxml", "VALUE_STRING",
            "JsonReadFeature", "StreamReadConstraints", "JsonParseException", "(code ");

    @TempDir
    Path tmp;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    // ---- help

    @Test
    void everyCommandsSummaryIsOneCompleteSentenceThatFitsTheCommandList() {
        CommandLine kiln = new CommandLine(new Main());
        Main.COMMANDS.forEach(kiln::addSubcommand);
        List<CommandLine> all = new ArrayList<>();
        collect(kiln, all);
        assertTrue(all.size() >= 14, "kiln, 8 commands, store's 4 and keys generate: " + all.size());
        for (CommandLine c : all) {
            // the list shows a command's header, else the first line of its description (picocli's help has a header)
            String[] header = c.getCommandSpec().usageMessage().header();
            String[] description = header.length > 0 ? header : c.getCommandSpec().usageMessage().description();
            String name = c.getCommandSpec().qualifiedName();
            assertTrue(description.length > 0, name);
            String summary = description[0];
            assertTrue(summary.endsWith("."), name + ": " + summary);
            // a command's summary sits in its parent's list after ~10 columns of name
            int width = c.getParent() == null ? 80 : 70;
            assertTrue(summary.length() <= width, name + " (" + summary.length() + " columns): " + summary);
            assertFalse(summary.contains("%n"), name + ": " + summary);
        }
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().forEach(s -> collect(s, into));
    }

    @Test
    void theCommandListGivesEachCommandOneLine() {
        for (String[] args : new String[][] {{"--help"}, {"store", "--help"}, {"keys", "--help"}}) {
            String[] r = CliRun.run(args);
            assertEquals("0", r[0], r[2]);
            List<String> lines = r[1].lines().toList();
            int at = lines.indexOf("Commands:");
            assertTrue(at > 0, r[1]);
            for (String line : lines.subList(at + 1, lines.size())) {
                if (line.isEmpty()) {
                    break;
                }
                assertTrue(line.matches("  [a-z]+ +[A-Z].*\\."), String.join(" ", args) + ": a summary cut or wrapped: " + line);
            }
            lines.forEach(l -> assertTrue(l.length() <= 80, l));
        }
    }

    // ---- usage errors

    @Test
    void aUsageMistakeIsOneLineAndWhereToReadMore() {
        // the mistake, and the command whose help it points to
        Map<List<String>, String> mistakes = Map.ofEntries(
                Map.entry(List.of(), "kiln"),
                Map.entry(List.of("bild"), "kiln"),
                Map.entry(List.of("--bogus"), "kiln"),
                Map.entry(List.of("build"), "kiln build"),
                Map.entry(List.of("build", "--bogus", "x.yaml"), "kiln build"),
                Map.entry(List.of("build", "x.yaml"), "kiln build"),
                Map.entry(List.of("build", "--store"), "kiln build"),
                Map.entry(List.of("fetch", "a.lock.json", "b.lock.json"), "kiln fetch"),
                Map.entry(List.of("store"), "kiln store"),
                Map.entry(List.of("store", "gc", "--kep", "x"), "kiln store gc"),
                Map.entry(List.of("sign", "layout"), "kiln sign"),
                Map.entry(List.of("keys", "generate"), "kiln keys generate"));
        mistakes.forEach((args, command) -> {
            String[] r = CliRun.run(args.toArray(String[]::new));
            String said = "kiln " + String.join(" ", args) + " said:\n" + r[2];
            assertEquals("2", r[0], said);
            assertEquals("", r[1], said);
            List<String> lines = r[2].lines().toList();
            assertTrue(lines.size() == 2, said);
            assertTrue(lines.get(0).startsWith("kiln: "), said);
            assertEquals("Run '" + command + " --help' for usage.", lines.get(1), said);
        });
    }

    @Test
    void aMistypedOptionOrCommandGetsTheClosestOne() {
        String[] option = CliRun.run("build", "--lok", "x.lock.json", "x.yaml");
        assertEquals(List.of("kiln: unknown option '--lok' (did you mean --lock?)", "Run 'kiln build --help' for usage."),
                option[2].lines().toList());
        String[] command = CliRun.run("bild", "x.yaml");
        assertEquals("kiln: 'bild' is not a kiln command (did you mean build?)", command[2].lines().findFirst().orElseThrow());
        String[] missing = CliRun.run("build");
        assertEquals("kiln: missing required parameter: 'SPEC'", missing[2].lines().findFirst().orElseThrow());
    }

    // ---- a malformed lock

    @Test
    void aMalformedLockIsNamedWithWhereAndWhatWithoutTheParsersInternals() throws IOException {
        Map<String, String> locks = Map.of(
                "cut.lock.json", "{\n  \"lockVersion\": 1,\n  \"spec\": {\"path\": \"base.yaml\", \"dig",
                "bracket.lock.json", "{\"lockVersion\": 1]",
                "types.lock.json", "{\"lockVersion\": 1, \"spec\": {\"path\": \"a.yaml\", \"digest\": \"" + Digest.of("x")
                        + "\"}, \"repositories\": [], \"options\": {\"exclude\": [], \"skipDependencies\": {},"
                        + " \"recommends\": false}, \"archs\": [1, 2]}");
        Map<String, String> where = Map.of(
                "cut.lock.json", ": not a valid JSON lockfile: line 3, column ",
                "bracket.lock.json", ": not a valid JSON lockfile: line 1, column 18: expected '}' to close the object"
                        + " begun at line 1, column 1, found ']'",
                "types.lock.json", ": expected an object in 'archs', found [1,2]");
        for (Map.Entry<String, String> e : locks.entrySet()) {
            Path lock = tmp.resolve(e.getKey());
            Files.writeString(lock, e.getValue(), StandardCharsets.UTF_8);
            for (String[] args : new String[][] {
                {"fetch", "--store", tmp.resolve("store").toString(), lock.toString()},
                {"build", "--lock", lock.toString(), "--frozen", "-o", tmp.resolve("out").toString(),
                    "--store", tmp.resolve("store").toString(), HOME.resolve("examples/static.yaml").toString()}}) {
                String[] r = CliRun.run(args);
                String said = args[0] + " " + e.getKey() + " said:\n" + r[2];
                assertEquals(Integer.toString(Main.ERROR), r[0], said);
                assertTrue(r[2].startsWith("kiln: " + lock + where.get(e.getKey())), said);
                assertTrue(r[2].endsWith("\n  fix: resolve the spec again to regenerate it ('kiln lock')\n"), said);
                PARSER_INTERNALS.forEach(internal -> assertFalse(r[2].contains(internal), internal + " in " + said));
                assertFalse(Files.exists(tmp.resolve("out")), "nothing is written");
            }
        }
    }

    // ---- a dead mirror

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int count(String text, String piece) {
        return text.split(java.util.regex.Pattern.quote(piece), -1).length - 1;
    }

    @Test
    void aMirrorThatRefusesIsSaidOnceWithHowManyFilesOneOfThemAndTheFix() throws Exception {
        List<Lock.Package> pkgs = new ArrayList<>();
        for (int i = 0; i < 28; i++) {
            byte[] b = TestMirror.bytes(1000, i);
            pkgs.add(new Lock.Package(String.format("p%02d", i), "1.0", "amd64", "p" + i,
                    "pool/main/p/p" + i + "/p" + i + "_1.0_amd64.deb", b.length, Digest.of(b), 0));
        }
        Digest d = Digest.of("spec");
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec("spec.yaml", d),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} stable main", d, Instant.parse("2026-01-01T00:00:00Z"),
                        Optional.empty(), List.of("0000000000000000000000000000000000000000"))),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>(Map.of("amd64", pkgs)));
        Path file = tmp.resolve("spec.lock.json");
        Files.write(file, LockJson.write(lock));
        String host = "127.0.0.1:" + closedPort();

        String[] r = CliRun.runWithMirror("http://" + host + "/debian", "fetch", "--store", tmp.resolve("store").toString(),
                file.toString());

        String said = "stdout:\n" + r[1] + "stderr:\n" + r[2];
        assertEquals(Integer.toString(Main.ERROR), r[0], said);
        List<String> lines = r[2].lines().toList();
        assertEquals("kiln: could not fetch 28 of 28 files:", lines.get(0), said);
        assertEquals("  28 files from " + host + ": connection refused", lines.get(1), said);
        assertTrue(lines.get(2).startsWith("    for example p"), said);
        assertTrue(lines.get(lines.size() - 1).startsWith("  fix: check the mirror (DEBIAN_MIRROR or the host's apt sources),"
                + " the network and any proxy"), said);
        assertTrue(lines.size() <= 5, said);
        assertEquals(2, count(r[2], host), "the host once, and once in the example's URL: " + said);
        assertTrue(count(r[1], "retrying") <= 1, "a retry is said once per host and reason: " + said);
        assertFalse(r[1].contains("failed "), "the failure is said once, in the error: " + said);
    }

    @Test
    void lockingAgainstAMirrorThatRefusesSaysSoInALine() throws Exception {
        Path spec = tmp.resolve("tiny.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n"
                + "  packages: [libc6]\narchs: [amd64]\n");
        String host = "127.0.0.1:" + closedPort();

        String[] r = CliRun.runWithMirror("http://" + host + "/debian", "lock", "--store", tmp.resolve("store").toString(),
                spec.toString());

        String said = "stdout:\n" + r[1] + "stderr:\n" + r[2];
        assertEquals(Integer.toString(Main.ERROR), r[0], said);
        assertEquals(List.of("kiln: http://" + host + "/debian/dists/bookworm/InRelease: connection refused (tried 3 times)",
                "  fix: check the mirror (DEBIAN_MIRROR or the host's apt sources), the network and any proxy (http_proxy,"
                        + " https_proxy), then retry"), r[2].lines().toList());
        assertFalse(Files.exists(tmp.resolve("tiny.lock.json")));
    }
}
