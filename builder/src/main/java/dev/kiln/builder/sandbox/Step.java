package dev.kiln.builder.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One step for {@link Sandbox#run}: {@code /bin/sh -e -c script} in the build environment.
 *
 * @param name what the step is called in messages (the recipe's step name, or its position)
 * @param script the shell script, run by the environment's {@code /bin/sh} with {@code -e}
 * @param root the build environment's root directory (read-only inside): every top-level
 *     directory and link of it is bound at {@code /} of the sandbox
 * @param workspace the host directory bound writable at {@link Sandbox#WORKSPACE}
 * @param outputs host directories bound writable at {@code /out/NAME}, by NAME
 * @param workingDirectory where the script starts, inside the sandbox: absolute, or relative to
 *     the workspace
 * @param environment the step's variables, over the fixed ones ({@link Sandbox#fixedEnvironment}); a
 *     step may set {@code LC_ALL} but not {@code HOME}, {@code PATH}, {@code TZ} or
 *     {@code SOURCE_DATE_EPOCH}
 * @param epoch the build's epoch in seconds, {@code SOURCE_DATE_EPOCH} inside
 * @param tmpBytes the size of the {@code /tmp} (and {@code /var/tmp}) tmpfs, in bytes
 * @param timeLimit how long the step may run; empty for no limit
 * @param output hears each line the step prints (stdout and stderr merged), on a thread of the sandbox's;
 *     every line is first scrubbed of each secret's value ({@link SecretScan#scrub})
 * @param mounts caches, bind mounts, tmpfs and secrets, in the order bwrap sets them up
 */
public record Step(String name, String script, Path root, Path workspace, Map<String, Path> outputs,
        String workingDirectory, Map<String, String> environment, long epoch, long tmpBytes,
        Optional<Duration> timeLimit, Consumer<String> output, List<Mount> mounts) {

    /** The default size of {@code /tmp}: 1 GiB. */
    public static final long DEFAULT_TMP_BYTES = 1L << 30;

    private static final Pattern OUTPUT_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]*");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(script, "script");
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        workspace = Objects.requireNonNull(workspace, "workspace").toAbsolutePath().normalize();
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(timeLimit, "timeLimit");
        Objects.requireNonNull(output, "output");
        mounts = List.copyOf(mounts);
        Set<String> targets = new HashSet<>();
        for (Mount m : mounts) {
            if (!targets.add(m.target())) {
                throw new IllegalArgumentException("two mounts at " + m.target());
            }
        }
        TreeMap<String, Path> outs = new TreeMap<>();
        for (Map.Entry<String, Path> o : outputs.entrySet()) {
            if (!OUTPUT_NAME.matcher(o.getKey()).matches()) {
                throw new IllegalArgumentException("output name '" + o.getKey() + "' is not a Debian package name");
            }
            outs.put(o.getKey(), o.getValue().toAbsolutePath().normalize());
        }
        outputs = Collections.unmodifiableSortedMap(outs);
        TreeMap<String, String> env = new TreeMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!VARIABLE.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("environment variable name '" + e.getKey() + "' is not a shell name");
            }
            if (Sandbox.FIXED.contains(e.getKey())) {
                throw new IllegalArgumentException("environment variable " + e.getKey() + " is fixed by the sandbox");
            }
            env.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        environment = Collections.unmodifiableSortedMap(env);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is before 1970");
        }
        if (tmpBytes < 4096) {
            throw new IllegalArgumentException("a /tmp of " + tmpBytes + " bytes is too small");
        }
        if (workingDirectory.contains("\0")) {
            throw new IllegalArgumentException("working directory holds a NUL");
        }
    }

    /** A step starting in the workspace, with no outputs, no variables of its own, epoch 0, the default {@code /tmp} and no time limit. */
    public static Step of(String name, String script, Path root, Path workspace) {
        return new Step(name, script, root, workspace, Map.of(), Sandbox.WORKSPACE, Map.of(), 0, DEFAULT_TMP_BYTES,
                Optional.empty(), line -> { }, List.of());
    }

    public Step withOutputs(Map<String, Path> outputs) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withWorkingDirectory(String workingDirectory) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withEnvironment(Map<String, String> environment) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withEpoch(long epoch) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withTmpBytes(long tmpBytes) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withTimeLimit(Duration timeLimit) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes,
                Optional.of(timeLimit), output, mounts);
    }

    public Step withOutput(Consumer<String> output) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    public Step withMounts(List<Mount> mounts) {
        return new Step(name, script, root, workspace, outputs, workingDirectory, environment, epoch, tmpBytes, timeLimit, output, mounts);
    }

    /** The secrets among the mounts. */
    public List<Mount.Secret> secrets() {
        return mounts.stream().filter(Mount.Secret.class::isInstance).map(Mount.Secret.class::cast).toList();
    }

    /** The working directory inside the sandbox, absolute. */
    public String chdir() {
        if (workingDirectory.startsWith("/")) {
            return workingDirectory;
        }
        return workingDirectory.isEmpty() || workingDirectory.equals(".") ? Sandbox.WORKSPACE
                : Sandbox.WORKSPACE + "/" + workingDirectory;
    }
}
