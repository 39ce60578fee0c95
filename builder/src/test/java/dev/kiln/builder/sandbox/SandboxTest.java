package dev.kiln.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.testing.HostMirror;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a step can and cannot do inside the sandbox, run for real under the host's bwrap with a
 * root made of the host's own programs ({@link HostToolsRoot}).
 */
class SandboxTest {
    private static Path base;
    private static Path root;
    private static Sandbox sandbox;
    private Path workspace;

    @BeforeAll
    static void makeRoot() throws Exception {
        base = Files.createTempDirectory("kiln-sandbox-test");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = HostToolsRoot.write(Files.createDirectory(base.resolve("root")));
        sandbox = Sandbox.onPath("/nonexistent:/usr/bin:/bin");
    }

    @AfterAll
    static void removeRoot() throws IOException {
        deleteTree(base);
    }

    @BeforeEach
    void newWorkspace() throws IOException {
        workspace = Files.createTempDirectory(base, "ws");
    }

    /** Runs {@code script} in the workspace, returning its output lines. */
    private List<String> run(Step step) {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        sandbox.run(step.withOutput(lines::add));
        return List.copyOf(lines);
    }

    private Step step(String script) {
        return Step.of("test step", script, root, workspace);
    }

    @Test
    void insideTheUserIsRootAndTheHostnameIsFixed() {
        assertEquals(List.of("0", "0", "root", "kiln-build"), run(step("id -u; id -g; id -un; hostname")));
    }

    @Test
    void theEnvironmentIsExactlyTheFixedVariablesAndTheStepsOwn() {
        List<String> env = run(step("env").withEpoch(1700000000).withEnvironment(Map.of("CFLAGS", "-O2 -g", "LC_ALL", "C")));
        TreeMap<String, String> expected = new TreeMap<>();
        expected.put("CFLAGS", "-O2 -g");
        expected.put("HOME", "/home/build");
        expected.put("LC_ALL", "C");
        expected.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        expected.put("PWD", "/home/build"); // the shell sets it
        expected.put("SOURCE_DATE_EPOCH", "1700000000");
        expected.put("TZ", "UTC");
        List<String> lines = new ArrayList<>();
        expected.forEach((k, v) -> lines.add(k + "=" + v));
        assertEquals(lines, env.stream().sorted().toList());
    }

    @Test
    void theHostsRootHomeAndTmpAreNotVisible() throws IOException {
        Path marker = Files.createTempFile(Path.of("/tmp"), "kiln-marker", ".txt");
        try {
            assertTrue(Files.exists(marker));
            List<String> out = run(step("test ! -e " + marker + " && echo no-marker; ls -A /root | wc -l; ls -A /home; ls -A /"));
            assertEquals("no-marker", out.get(0));
            assertEquals("0", out.get(1), "the environment's /root is empty: the host's is not there");
            assertEquals("build", out.get(2), "/home holds the workspace only");
            assertEquals(List.of("bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "run", "tmp", "usr", "var"),
                    out.subList(3, out.size()).stream().filter(n -> !n.equals("out") && !n.equals("sbin")).toList());
        } finally {
            Files.delete(marker);
        }
    }

    @Test
    void aServerOnTheHostsLoopbackCannotBeReached() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            try (Socket control = new Socket()) {
                control.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000); // the host reaches it
            }
            List<String> out = run(step("if bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + "' 2>/dev/null; then echo connected;"
                    + " else echo refused; fi"));
            assertEquals(List.of("refused"), out);
        }
    }

    @Test
    void onlyLoopbackExistsSoTheDebianMirrorCannotBeReached() throws IOException {
        URI mirror = HostMirror.debian();
        InetAddress address = InetAddress.getByName(mirror.getHost());
        int port = mirror.getPort() > 0 ? mirror.getPort() : mirror.getScheme().equals("https") ? 443 : 80;
        try (Socket control = new Socket()) {
            control.connect(new InetSocketAddress(address, port), 20_000); // the host reaches it
        }
        List<String> out = run(step("if bash -c 'exec 3<>/dev/tcp/" + address.getHostAddress() + "/" + port + "' 2>/dev/null;"
                + " then echo connected; else echo unreachable; fi; tail -n +3 /proc/net/dev"));
        assertEquals("unreachable", out.get(0));
        assertEquals(1, out.size() - 1, "one interface: " + out);
        assertTrue(out.get(1).strip().startsWith("lo:"), out.get(1));
    }

    @Test
    void writesOutsideTheWorkspaceAndOutputsAreGoneInTheNextStep() throws IOException {
        Path out = Files.createTempDirectory(base, "out");
        Step first = step("echo a > /tmp/a; echo b > /var/tmp/b; echo w > /home/build/w; echo o > /out/hello/o; ls /tmp /var/tmp")
                .withOutputs(Map.of("hello", out));
        assertEquals(List.of("/tmp:", "a", "", "/var/tmp:", "b"), run(first));
        Step second = step("ls -A /tmp /var/tmp; cat /home/build/w /out/hello/o").withOutputs(Map.of("hello", out));
        assertEquals(List.of("/tmp:", "", "/var/tmp:", "w", "o"), run(second));
        assertEquals("w\n", Files.readString(workspace.resolve("w")));
        assertEquals("o\n", Files.readString(out.resolve("o")));
    }

    @Test
    void theEnvironmentAndTheRootAreReadOnly() {
        List<String> out = run(step("touch /usr/x 2>/dev/null || echo usr-ro; touch /etc/x 2>/dev/null || echo etc-ro;"
                + " touch /x 2>/dev/null || echo root-ro; umask"));
        assertEquals(List.of("usr-ro", "etc-ro", "root-ro", "0022"), out);
        assertFalse(Files.exists(root.resolve("usr/x")));
    }

    @Test
    void tmpIsBounded() {
        List<String> out = run(step("dd if=/dev/zero of=/tmp/fill bs=4096 count=100 2>/dev/null && echo fits;"
                + " dd if=/dev/zero of=/tmp/fill2 bs=4096 count=200 2>/dev/null || echo full").withTmpBytes(1 << 20));
        assertEquals(List.of("fits", "full"), out);
    }

    @Test
    void aFailingStepNamesItselfItsStatusAndItsLastLines() {
        Step failing = step("for i in $(seq 1 100); do echo line $i; done; echo oops >&2; exit 3").withOutput(l -> { });
        RecipeException e = assertThrows(RecipeException.class, () -> sandbox.run(failing));
        assertEquals("recipe.step-failed", e.code());
        assertTrue(e.getMessage().startsWith("step 'test step' failed: it exited with status 3"), e.getMessage());
        assertTrue(e.getMessage().contains("\n    line 100\n    oops\n"), e.getMessage());
        assertFalse(e.getMessage().contains("line 70\n"), "only the last lines: " + e.getMessage());
        assertTrue(e.fix().isPresent());
    }

    @Test
    void aCommandThatFailsStopsTheScript() {
        Step step = step("false; echo not-reached");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        assertThrows(RecipeException.class, () -> sandbox.run(step.withOutput(seen::add)));
        assertEquals(List.of(), seen);
    }

    @Test
    void aStepPastItsTimeLimitIsKilled() {
        Step slow = step("echo started; sleep 600").withTimeLimit(Duration.ofMillis(500));
        long t0 = System.nanoTime();
        RecipeException e = assertThrows(RecipeException.class, () -> sandbox.run(slow));
        assertTrue(e.getMessage().contains("ran past its time limit"), e.getMessage());
        assertTrue(e.getMessage().contains("started"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos());
    }

    @Test
    void theWorkingDirectoryIsRelativeToTheWorkspace() throws IOException {
        Files.createDirectories(workspace.resolve("src/sub"));
        assertEquals(List.of("/home/build/src/sub"), run(step("pwd").withWorkingDirectory("src/sub")));
    }

    @Test
    void interruptingTheCallerKillsTheStepAndEveryProcessItStarted() throws Exception {
        java.util.concurrent.CompletableFuture<ProcessHandle> sleeper = new java.util.concurrent.CompletableFuture<>();
        Step step = step("sleep 6001 & p=$!; until [ \"$(cat /proc/$p/cmdline)\" = sleep6001 ]; do :; done; echo started; wait").withOutput(line -> {
            if (line.equals("started")) {
                // the step's background process, as the host sees it (the step printed once it ran sleep)
                sleeper.complete(ProcessHandle.allProcesses().filter(h -> cmdline(h).equals("sleep\u00006001\u0000"))
                        .findFirst().orElseThrow());
            }
        });
        java.util.concurrent.atomic.AtomicReference<RuntimeException> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                sandbox.run(step);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        });
        runner.start();
        ProcessHandle child = sleeper.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(child.isAlive());
        runner.interrupt();
        runner.join(60_000);
        assertFalse(runner.isAlive());
        assertTrue(thrown.get() instanceof RecipeException r && r.code().equals("recipe.step-failed")
                && r.getMessage().contains("interrupted"), String.valueOf(thrown.get()));
        child.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS); // killed, not left running
        assertFalse(child.isAlive());
    }

    @Test
    void whoeverRunsKilnTheStepRunsAsRootInside() throws Exception {
        Assumptions.assumeTrue(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0), "needs root to become nobody");
        // bwrap run as nobody: the same check and step, through setpriv
        Path wrapper = base.resolve("bwrap-as-nobody");
        Files.writeString(wrapper, "#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/bwrap \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(workspace, "unix:uid", 65534);
        Files.setAttribute(workspace, "unix:gid", 65534);
        Sandbox asNobody = Sandbox.of(wrapper);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        asNobody.run(step("id -u; echo made > made").withOutput(lines::add));
        assertEquals(List.of("0"), lines);
        assertEquals(65534, Files.getAttribute(workspace.resolve("made"), "unix:uid"), "on the host the file is nobody's");
    }

    @Test
    void withoutBwrapTheCheckSaysToInstallBubblewrap() {
        Sandbox none = Sandbox.onPath("/nonexistent");
        RecipeException e = assertThrows(RecipeException.class, none::check);
        assertEquals("recipe.sandbox", e.code());
        assertTrue(e.getMessage().contains("install Debian's bubblewrap"), e.getMessage());
        assertThrows(RecipeException.class, () -> none.run(step("true")));
    }

    @Test
    void theCheckPassesHere() {
        Sandbox.onPath("/usr/bin").check();
    }

    /** The process's arguments as /proc has them (NUL after each): Java's own view needs its executable, in another mount namespace here. */
    private static String cmdline(ProcessHandle h) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }


    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    p.toFile().setWritable(true, true);
                }
                Files.delete(p);
            }
        }
    }
}
