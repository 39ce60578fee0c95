package dev.kiln.builder.source;

import dev.kiln.builder.RecipeException;
import dev.kiln.store.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The host's {@code git}, run with nothing of the host's: a cleared environment, {@code HOME} an
 * empty directory, no system or global configuration, no hooks, no terminal prompt, and only the
 * http, https and file protocols.
 */
public final class GitTool {
    private static final List<Path> PLACES = List.of(Path.of("/usr/bin/git"), Path.of("/usr/local/bin/git"), Path.of("/bin/git"));

    private final Path git;

    private GitTool(Path git) {
        this.git = git;
    }

    /** The git at {@code path}. */
    public static GitTool at(Path path) {
        return new GitTool(path);
    }

    /** Debian's git ({@code /usr/bin/git}), or one in {@code /usr/local/bin}. */
    public static Optional<GitTool> installed() {
        return PLACES.stream().filter(Files::isExecutable).findFirst().map(GitTool::new);
    }

    /** What a run printed on its standard output. */
    byte[] run(Path home, List<String> args) {
        return run(home, args, null);
    }

    /**
     * Runs {@code git ARGS} with {@code home} as its home; {@code stdin}, when given, writes the
     * process's input (on another thread). A non-zero exit is a {@link RecipeException} of kind
     * source showing git's last lines.
     */
    byte[] run(Path home, List<String> args, Consumer<OutputStream> stdin) {
        List<String> command = new ArrayList<>();
        command.add(git.toString());
        for (String c : List.of("protocol.allow=never", "protocol.http.allow=always", "protocol.https.allow=always",
                "protocol.file.allow=always", "core.hooksPath=/dev/null", "core.fsmonitor=false", "credential.helper=",
                "transfer.fsckObjects=true", "advice.detachedHead=false", "init.defaultBranch=kiln")) {
            command.add("-c");
            command.add(c);
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("HOME", home.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("LC_ALL", "C");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "/bin/false");
        env.put("XDG_CONFIG_HOME", home.toString());
        Path err = home.resolve("git-stderr");
        pb.redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, "cannot run " + git + ": " + IoErrors.why(e)
                    + "\n  fix: install git (Debian's package git)", e);
        }
        Thread writer = null;
        if (stdin != null) {
            writer = new Thread(() -> {
                try (OutputStream out = p.getOutputStream()) {
                    stdin.accept(out);
                } catch (IOException | UncheckedIOException e) {
                    // git ended early: its exit status says why
                }
            }, "kiln-git-stdin");
            writer.start();
        } else {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // nothing to write
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
            int status = p.waitFor();
            if (writer != null) {
                writer.join();
            }
            if (status != 0) {
                String said = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8).strip() : "";
                List<String> lines = said.lines().toList();
                String tail = String.join("\n    ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                throw new RecipeException(RecipeException.Kind.SOURCE, "git " + String.join(" ", args) + " failed (exit " + status + ")"
                        + (tail.isEmpty() ? "" : ":\n    " + tail));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, "reading git's output: " + IoErrors.why(e), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RecipeException(RecipeException.Kind.SOURCE, "interrupted while git ran", e);
        } finally {
            try {
                Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // inside a temporary home that is removed
            }
        }
    }
}
