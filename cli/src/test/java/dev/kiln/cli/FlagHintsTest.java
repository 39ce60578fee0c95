package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.TinyRepository;
import dev.kiln.store.KilnException;
import dev.kiln.trust.KeyFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The library's fixes name no flags; the CLI adds the flag that does it, for the command at hand, by
 * the error's code: a line {@code (kiln: ...)} under the message, or the {@code hint} of {@code --json}'s
 * error. Only when the command has the option, and not when it was given already where that is the point.
 */
class FlagHintsTest {
    @TempDir
    static Path shared;
    static TinyRepository repo;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        CliRun.useCheckoutAsHome();
        repo = TinyRepository.make(shared);
    }

    /** The hint for an error of {@code code} from {@code kiln ARGS}, parsed as Main parses it. */
    private static Optional<String> hint(String code, String... args) {
        CommandLine kiln = new CommandLine(new Main());
        Main.COMMANDS.forEach(kiln::addSubcommand);
        CommandLine.ParseResult parsed = kiln.parseArgs(args);
        while (parsed.subcommand() != null) {
            parsed = parsed.subcommand();
        }
        return FlagHints.of(parsed.commandSpec().commandLine(), new KilnException(() -> code, "what failed\n  fix: what to do", null));
    }

    @Test
    void eachCodeGetsTheFlagOfTheCommandAtHand() {
        assertEquals(Optional.of("--context DIR gives a wider build context, one that holds the spec and what it copies"),
                hint("spec.copy-outside-context", "build", "-o", "out", "a.yaml"));
        assertEquals(Optional.of("--context DIR gives a wider build context, one that holds the spec and what it copies"),
                hint("spec.copy-outside-context", "lock", "a.yaml"));
        assertEquals(Optional.of("'kiln lock SPEC' pins it anew, as kiln build does itself without --frozen"),
                hint("lock.stale", "build", "--frozen", "-o", "out", "a.yaml"));
        assertEquals(Optional.of("'kiln store verify --repair' removes what is damaged"), hint("store.damaged", "fetch", "a.lock.json"));
        assertEquals(Optional.of("'kiln store verify --repair --store DIR' removes what is damaged"),
                hint("store.damaged", "build", "--store", "s", "-o", "out", "a.yaml"));
        assertEquals(Optional.of("--insecure allows plain HTTP to the registry, for a network you trust"),
                hint("registry.plain-http", "sign", "--key", "k", "host.example/a:1"));
        assertEquals(Optional.of("--registry-timeout SECONDS sets how long kiln waits for a registry that is only slow"),
                hint("registry.unavailable", "verify", "host.example/a:1"));
        assertEquals(Optional.of("--arch ARCH chooses the platform that goes into --tarball"),
                hint("oci.platform", "build", "--tarball", "a.tar", "a.yaml"));
        assertEquals(Optional.of("--password-stdin reads the password from standard input, else $KILN_KEY_PASSWORD gives it"),
                hint("trust.key-password", "sign", "--key", "k", "layout"));
        assertEquals(Optional.of("without --offline, kiln lock downloads what is missing"),
                hint("resolve.offline-missing", "lock", "--offline", "a.yaml"));
        assertEquals(Optional.of("--use-store --store DIR rebuilds with the store that built the image"),
                hint("store.missing", "verify", "layout"));
        assertEquals(Optional.of("--secret id=NAME,src=FILE (or id=NAME,env=VAR) gives a secret its value"),
                hint("recipe.secret", "recipe", "build", "packages/a.yaml"));
    }

    @Test
    void noHintWhereTheCommandHasNoSuchOptionOrItWasGiven() {
        assertEquals(Optional.empty(), hint("spec.copy-outside-context", "build", "--context", "..", "-o", "out", "a.yaml"),
                "the context was given: the fix (copy into it) is the whole answer");
        assertEquals(Optional.empty(), hint("lock.stale", "build", "-o", "out", "a.yaml"), "not frozen: nothing to drop");
        assertEquals(Optional.empty(), hint("registry.plain-http", "build", "--insecure", "--push", "h/a:1", "a.yaml"));
        assertEquals(Optional.empty(), hint("store.damaged", "sign", "--key", "k", "layout"), "sign has no store");
        assertEquals(Optional.empty(), hint("fetch.offline-missing", "fetch", "a.lock.json"), "not offline");
        assertEquals(Optional.empty(), hint("store.missing", "verify", "--use-store", "layout"));
        assertEquals(Optional.empty(), hint("fetch.unreachable", "fetch", "a.lock.json"), "the fix says it all: the mirror");
    }

    @Test
    void aRefusedArchitectureSaysWhichFlagChoosesIt() throws Exception {
        Path spec = repo.spec(tmp, "tiny", "");
        String[] r = CliRun.run("build", "--store", repo.seed(tmp.resolve("store")).toString(), "--tarball",
                tmp.resolve("t.tar").toString(), "--arch", "s390x", spec.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        List<String> lines = r[2].lines().toList();
        assertTrue(lines.get(lines.size() - 2).startsWith("  fix: choose one of them for the archive"), r[2]);
        assertEquals("  (kiln: --arch takes one of the spec's architectures)", lines.get(lines.size() - 1), r[2]);
    }

    @Test
    void anEncryptedKeyWithoutAPasswordSaysWhereTheCommandTakesOne() throws Exception {
        Path spec = repo.spec(tmp, "tiny", "");
        Path layout = tmp.resolve("tiny-oci");
        String[] b = CliRun.run("build", "-q", "--store", repo.seed(tmp.resolve("store")).toString(), "-o", layout.toString(),
                spec.toString());
        assertEquals("0", b[0], b[2]);
        KeyFiles.generate(tmp.resolve("keys"), "locked", Optional.of("secret".toCharArray()), false);
        String[] r = CliRun.run("sign", layout.toString(), "--key", KeyFiles.privateKeyPath(tmp.resolve("keys"), "locked").toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the private key is encrypted and no password was given\n  fix: give the key's password\n"
                + "  (kiln: --password-stdin reads the password from standard input, else $KILN_KEY_PASSWORD gives it)\n"), r[2]);
        assertFalse(r[1].contains("signed"), r[1]);
    }
}
