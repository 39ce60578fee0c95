package dev.kiln.store;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link StoreChild} JVM: lines in on stdin, lines out on stdout, stderr kept in a file for failures. */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path err;
    private final List<String> seen = new ArrayList<>();

    private ChildProcess(Process process, Path err) {
        this.process = process;
        this.err = err;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static ChildProcess start(Path workDir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(StoreChild.class.getName());
        cmd.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path err = Files.createTempFile(workDir, "child-", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new ChildProcess(p, err);
    }

    /**
     * The store's classes and its test classes: all the child needs, as the store has no
     * dependencies. (Surefire's java.class.path may be a manifest-only jar.)
     */
    private static String classPath() {
        try {
            return Path.of(ContentStore.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + File.pathSeparator
                    + Path.of(StoreChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Reads lines until one starts with {@code prefix}; fails if the child exits first. */
    String await(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the child exited before saying '" + prefix + "'; " + describe());
    }

    void send(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** Waits for the child to exit and returns its status. */
    int exit() throws Exception {
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            throw new AssertionError("the child did not exit; " + describe());
        }
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash or the OOM killer would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    List<String> lines() {
        return List.copyOf(seen);
    }

    String describe() {
        String e;
        try {
            e = Files.readString(err);
        } catch (IOException x) {
            e = "(no stderr: " + x + ")";
        }
        return "stdout so far " + seen + ", stderr:\n" + e;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
