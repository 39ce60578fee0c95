package dev.kiln.builder.sandbox;

import dev.kiln.builder.RecipeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's pre-flight check: {@code bwrap} is there, and it can make the namespaces a step
 * needs with uid 0 inside. When it cannot, the kernel's settings say why, and the message says
 * exactly what to change: the sysctl to set, or (Ubuntu 24.04 and later, whose AppArmor denies
 * unprivileged user namespaces to programs without a profile) the AppArmor profile that lets
 * {@code bwrap} make them. The verdict is kept: the check runs once per instance.
 */
final class SandboxCheck {
    /** The settings read when the check fails, each a file under {@code /proc/sys}. */
    static final Path APPARMOR_RESTRICT = Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    static final Path USERNS_CLONE = Path.of("/proc/sys/kernel/unprivileged_userns_clone");
    static final Path MAX_USER_NAMESPACES = Path.of("/proc/sys/user/max_user_namespaces");

    /** What the check does: runs a command and says how it went; reads a kernel setting. */
    interface Host {
        /** Runs {@code command}; its exit status and its merged output. */
        Probe run(List<String> command);

        /** The first line of the file, trimmed; empty when it does not exist or cannot be read. */
        Optional<String> read(Path file);
    }

    /** How a command went. */
    record Probe(int status, String output) {
    }

    private final Optional<Path> bwrap;
    private final String searched;
    private final Host host;
    private RecipeException failure;
    private boolean done;

    SandboxCheck(Optional<Path> bwrap, String searched, Host host) {
        this.bwrap = bwrap;
        this.searched = searched;
        this.host = Objects.requireNonNull(host, "host");
    }

    /** The check of the {@code bwrap} at {@code bwrap} on this machine. */
    static SandboxCheck host(Path bwrap) {
        return new SandboxCheck(Optional.of(bwrap), bwrap.toString(), new RealHost());
    }

    /** The check when no {@code bwrap} was found ({@code searched} says where kiln looked). */
    static SandboxCheck missing(String searched) {
        return new SandboxCheck(Optional.empty(), searched, new RealHost());
    }

    /** For tests: the same logic over another host. */
    static SandboxCheck of(Optional<Path> bwrap, String searched, Host host) {
        return new SandboxCheck(bwrap, searched, host);
    }

    /** Runs the check once; throws its failure (every time) when it failed. */
    synchronized void verdict() {
        if (!done) {
            failure = probe();
            done = true;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private RecipeException probe() {
        if (bwrap.isEmpty() || !Files.isExecutable(bwrap.get())) {
            return new RecipeException(RecipeException.Kind.SANDBOX, "bubblewrap (bwrap) is not installed: none found "
                    + (bwrap.isEmpty() ? searched : "at " + bwrap.get())
                    + "\n  expected: bwrap, which runs each build step in its own namespaces"
                    + "\n  fix: install Debian's bubblewrap (apt-get install bubblewrap)");
        }
        String bw = bwrap.get().toString();
        Probe probe = host.run(List.of(bw, "--unshare-all", "--uid", "0", "--gid", "0", "--ro-bind", "/", "/",
                "--dev", "/dev", "--proc", "/proc", "true"));
        if (probe.status() == 0) {
            return null;
        }
        return new RecipeException(RecipeException.Kind.SANDBOX, explain(bw, probe, host));
    }

    /** Why bwrap could not make its namespaces, from the kernel's settings, and what to change. */
    static String explain(String bwrap, Probe probe, Host host) {
        String said = probe.output().strip().lines().reduce((a, b) -> b).orElse("(nothing)");
        StringBuilder m = new StringBuilder("the build sandbox cannot run here: ").append(bwrap)
                .append(" could not make a user namespace (exit status ").append(probe.status()).append("): ").append(said);
        Optional<String> apparmor = host.read(APPARMOR_RESTRICT);
        Optional<String> clone = host.read(USERNS_CLONE);
        Optional<String> max = host.read(MAX_USER_NAMESPACES);
        if (max.isPresent() && max.get().equals("0")) {
            m.append("\n  found: user.max_user_namespaces = 0 (").append(MAX_USER_NAMESPACES).append(")")
                    .append("\n  fix: allow user namespaces, as root: sysctl -w user.max_user_namespaces=15000"
                            + " (and the same line in /etc/sysctl.d/90-kiln-userns.conf to keep it)");
        } else if (clone.isPresent() && clone.get().equals("0")) {
            m.append("\n  found: kernel.unprivileged_userns_clone = 0 (").append(USERNS_CLONE).append(")")
                    .append("\n  fix: allow unprivileged user namespaces, as root: sysctl -w kernel.unprivileged_userns_clone=1"
                            + " (and the same line in /etc/sysctl.d/90-kiln-userns.conf to keep it)");
        } else if (apparmor.isPresent() && apparmor.get().equals("1")) {
            m.append("\n  found: kernel.apparmor_restrict_unprivileged_userns = 1 (").append(APPARMOR_RESTRICT)
                    .append("): AppArmor lets only programs with a profile that allows it make user namespaces")
                    .append("\n  fix: give bwrap such a profile, as root: write /etc/apparmor.d/bwrap-kiln holding\n")
                    .append(apparmorProfile(bwrap).indent(8).stripTrailing())
                    .append("\n    then load it: apparmor_parser -r /etc/apparmor.d/bwrap-kiln"
                            + "\n    (or lift the rule for every program: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)");
        } else {
            m.append("\n  found: the kernel's settings allow user namespaces (")
                    .append(max.map(v -> "user.max_user_namespaces = " + v).orElse("no " + MAX_USER_NAMESPACES))
                    .append("), so something else forbids them: a container's seccomp filter, or a security module")
                    .append("\n  fix: run kiln where unprivileged user namespaces are allowed (in a container:"
                            + " a seccomp profile that permits unshare and clone with CLONE_NEWUSER, and mount)");
        }
        return m.toString();
    }

    /** The AppArmor profile that lets {@code bwrap} make user namespaces (Ubuntu 24.04's format, ABI 4.0). */
    static String apparmorProfile(String bwrap) {
        return "abi <abi/4.0>,\n"
                + "include <tunables/global>\n"
                + "\n"
                + "profile bwrap-kiln " + bwrap + " flags=(unconfined) {\n"
                + "  userns,\n"
                + "\n"
                + "  include if exists <local/bwrap-kiln>\n"
                + "}\n";
    }

    /** This machine: processes and {@code /proc}. */
    private static final class RealHost implements Host {
        @Override
        public Probe run(List<String> command) {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            try {
                Process p = pb.start();
                byte[] out;
                try (var in = p.getInputStream()) {
                    out = in.readNBytes(64 * 1024);
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Probe(-1, "did not finish in 60 s");
                }
                return new Probe(p.exitValue(), new String(out, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Probe(-1, String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Probe(-1, "interrupted");
            }
        }

        @Override
        public Optional<String> read(Path file) {
            try {
                return Files.readAllLines(file, StandardCharsets.US_ASCII).stream().findFirst().map(String::strip);
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /** For tests: a host of fixed answers. */
    static Host fixed(Probe probe, java.util.Map<Path, String> settings) {
        return new Host() {
            @Override
            public Probe run(List<String> command) {
                return probe;
            }

            @Override
            public Optional<String> read(Path file) {
                return Optional.ofNullable(settings.get(file));
            }
        };
    }
}
