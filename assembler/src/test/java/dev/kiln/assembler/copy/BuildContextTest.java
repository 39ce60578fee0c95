package dev.kiln.assembler.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build context holds every local source a spec copies: hostile sources (absolute, climbing out
 * with {@code ..}, escaping through a symlinked file or directory, the kernel's files, a fifo) are
 * refused naming the spec's line and key, before anything reads them; the person running kiln, not
 * the spec, may widen the context.
 */
class BuildContextTest {
    @TempDir
    Path tmp;
    Path ctx;
    Path outside;

    /** {@code tmp/ctx/} holds the spec; {@code tmp/outside/secret} is what a hostile spec wants. */
    @BeforeEach
    void layout() throws IOException {
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(ctx.resolve("app"));
        Files.writeString(ctx.resolve("app/index.html"), "<h1>hi</h1>\n");
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "token=s3cret\n");
    }

    /** A spec in {@code dir} copying {@code source} (as a file, or a directory) to /x; the source is on line 7. */
    private static Path spec(Path dir, String source, String type) throws IOException {
        Path spec = dir.resolve("app.yaml");
        Files.writeString(spec, """
                contents:
                  repositories: [deb http://mirror.example/debian bookworm main]
                  packages: [base-files]
                paths:
                  - path: /x
                    type: %s
                    source: "%s"
                """.formatted(type, source));
        return spec;
    }

    private static Map<String, Path> check(Path spec, Optional<Path> context) {
        ImageSpec parsed = ImageSpecParser.parse(spec);
        return BuildContext.of(spec, context).check(parsed);
    }

    private static String refusal(Path spec, Optional<Path> context) {
        return assertThrows(SpecException.class, () -> check(spec, context)).getMessage();
    }

    @Test
    void aSourceInsideTheSpecsDirectoryIsFoundWithEverySymlinkFollowed() throws IOException {
        Files.createSymbolicLink(ctx.resolve("current"), Path.of("app"));
        assertEquals(Map.of("/x", ctx.resolve("app").toRealPath()), check(spec(ctx, "./current", "directory"), Optional.empty()));
    }

    @Test
    void anAbsoluteSourceIsRefusedWhenTheSpecIsReadWhateverTheContext() throws IOException {
        Path spec = spec(ctx, outside.resolve("secret").toString(), "file");
        SpecException e = assertThrows(SpecException.class, () -> ImageSpecParser.parse(spec));
        assertEquals(spec + ":7: paths[0].source: '" + outside.resolve("secret") + "' is an absolute path, and local sources come"
                + " only from inside the build context; copy what you need beside the spec and name it from there, e.g."
                + " source: ./secret", e.getMessage());
    }

    @Test
    void climbingOutWithDotDotIsRefusedBeforeTheDiskIsRead() throws IOException {
        Path spec = spec(ctx, "../../../../../../../etc/shadow", "file");
        SpecException e = assertThrows(SpecException.class, () -> check(spec, Optional.empty()));
        assertEquals(spec + ":7: paths[0].source: '../../../../../../../etc/shadow' leads outside the build context ("
                + ctx.toRealPath() + ", the spec's directory) to /etc/shadow; copy what you need beside the spec and name it"
                + " from there, or, to reach wider, give a wider build context that holds both", e.getMessage());
        assertEquals("spec.copy-outside-context", e.code());
    }

    @Test
    void aSymlinkedFileLeadingOutIsRefused() throws IOException {
        Files.createSymbolicLink(ctx.resolve("innocent.conf"), Path.of("../outside/secret"));
        String m = refusal(spec(ctx, "innocent.conf", "file"), Optional.empty());
        assertTrue(m.contains(":7: paths[0].source: 'innocent.conf' leads outside the build context (" + ctx.toRealPath()
                + ", the spec's directory): with its symlinks followed it is " + outside.resolve("secret").toRealPath()), m);
    }

    @Test
    void aSymlinkedDirectoryAboveTheSourceLeadingOutIsRefused() throws IOException {
        Files.createSymbolicLink(ctx.resolve("conf"), outside);
        String m = refusal(spec(ctx, "conf/secret", "file"), Optional.empty());
        assertTrue(m.contains("'conf/secret' leads outside the build context"), m);
        assertTrue(m.contains("with its symlinks followed it is " + outside.resolve("secret").toRealPath()), m);
    }

    @Test
    void theProcessEnvironmentIsRefusedEvenWhenTheContextIsTheWholeDisk() throws IOException {
        Files.createSymbolicLink(ctx.resolve("env"), Path.of("/proc/self/environ"));
        assertEquals("spec.copy-refused",
                assertThrows(SpecException.class, () -> check(spec(ctx, "env", "file"), Optional.of(Path.of("/")))).code());
        String m = refusal(spec(ctx, "env", "file"), Optional.of(Path.of("/")));
        assertTrue(m.contains(":7: paths[0].source: 'env' is /proc/"), m);
        assertTrue(m.contains("kiln never copies from /proc: its files are the kernel's state of this machine"), m);
        String climbing = refusal(spec(ctx, "../".repeat(20) + "proc/self/environ", "file"), Optional.of(Path.of("/")));
        assertTrue(climbing.contains("kiln never copies from /proc"), climbing);
    }

    @Test
    void devicesAreRefusedEvenWhenTheContextIsTheWholeDisk() throws IOException {
        Files.createSymbolicLink(ctx.resolve("zero"), Path.of("/dev/zero"));
        String m = refusal(spec(ctx, "zero", "file"), Optional.of(Path.of("/")));
        assertTrue(m.contains("'zero' is /dev/zero (symlinks followed), and kiln never copies from /dev"), m);
        Files.createSymbolicLink(ctx.resolve("kernel"), Path.of("/sys/kernel"));
        assertTrue(refusal(spec(ctx, "kernel", "directory"), Optional.of(Path.of("/"))).contains("kiln never copies from /sys"));
    }

    @Test
    void aFifoInsideTheContextIsRefusedWithoutBeingOpened() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", ctx.resolve("pipe").toString()).inheritIO().start().waitFor());
        // opening it would block: it must be refused from its type alone
        String m = refusal(spec(ctx, "pipe", "file"), Optional.empty());
        assertTrue(m.endsWith(":7: paths[0].source: 'pipe' is a fifo; only regular files and directories can be copied;"
                + " copy a regular file or a directory"), m);
    }

    @Test
    void aWiderContextGivenByThePersonRunningKilnAdmitsWhatItHolds() throws IOException {
        Path spec = spec(ctx, "../outside/secret", "file");
        assertTrue(refusal(spec, Optional.empty()).contains("leads outside the build context"));
        assertEquals(Map.of("/x", outside.resolve("secret").toRealPath()), check(spec, Optional.of(tmp)));
        // through a symlink too, as long as what it reaches is inside
        Files.createSymbolicLink(ctx.resolve("shared"), Path.of("../outside"));
        assertEquals(Map.of("/x", outside.resolve("secret").toRealPath()), check(spec(ctx, "shared/secret", "file"), Optional.of(tmp)));
    }

    @Test
    void theContextMustContainTheSpec() throws IOException {
        Path spec = spec(ctx, "app", "directory");
        SpecException e = assertThrows(SpecException.class, () -> BuildContext.of(spec, Optional.of(outside)));
        assertEquals(spec + ": the build context " + outside + " (" + outside.toRealPath() + ") does not contain the spec (in "
                + ctx.toRealPath() + "); give a context directory that holds the spec and its sources, e.g. the repository's root",
                e.getMessage());
        assertTrue(assertThrows(SpecException.class, () -> BuildContext.of(spec, Optional.of(tmp.resolve("nope")))).getMessage()
                .contains("the build context " + tmp.resolve("nope") + " does not exist"));
        assertTrue(assertThrows(SpecException.class, () -> BuildContext.of(spec, Optional.of(outside.resolve("secret"))))
                .getMessage().contains("is not a directory"));
    }

    @Test
    void aContextReachedThroughASymlinkIsTheDirectoryItLeadsTo() throws IOException {
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), tmp.toRealPath());
        Path spec = spec(ctx, "../outside/secret", "file");
        assertEquals(tmp.toRealPath(), BuildContext.of(spec, Optional.of(alias)).dir());
        assertEquals(Map.of("/x", outside.resolve("secret").toRealPath()), check(spec, Optional.of(alias)));
    }
}
