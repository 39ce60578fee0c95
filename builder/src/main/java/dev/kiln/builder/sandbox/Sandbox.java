package dev.kiln.builder.sandbox;

import dev.kiln.builder.RecipeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a recipe's steps under bubblewrap ({@code bwrap}, Debian's {@code bubblewrap} 0.8 or later),
 * daemonless and rootless. Each {@link Step} is {@code /bin/sh -e -c SCRIPT} in a fresh
 * {@code bwrap} with:
 *
 * <ul>
 * <li>new user, pid, network, ipc, uts and cgroup namespaces ({@code --unshare-all}): only the
 *     loopback interface, and nothing listening on it but what the step starts;</li>
 * <li>uid and gid 0 inside whoever runs kiln (the uid map {@code 0 <caller> 1}), hostname
 *     {@value #HOSTNAME};</li>
 * <li>bwrap's own tmpfs as {@code /}, read-only, holding each top-level directory of the build
 *     environment's root read-only and its top-level links as they are ({@code /bin -> usr/bin});
 *     {@code /dev} (bwrap's minimal one) and {@code /proc} of the new pid namespace; a bounded
 *     tmpfs at {@code /tmp} and {@code /var/tmp}, and a tmpfs at {@code /run}, each new per step;</li>
 * <li>the workspace writable at {@value #WORKSPACE} and each output writable at {@code /out/NAME}:
 *     the only host paths a step sees, and the only writes that outlive it;</li>
 * <li>an environment cleared but for {@code HOME}, {@code PATH}, {@code TZ=UTC}, {@code LC_ALL},
 *     {@code SOURCE_DATE_EPOCH} and the step's own variables; umask 022; stdin {@code /dev/null};
 *     a new session (no terminal to push input into); killed with its whole process tree when
 *     kiln dies or the calling thread is interrupted.</li>
 * </ul>
 *
 * What a step still sees of the host: the kernel (its version through {@code uname}, its
 * {@code /proc/sys} settings, read-only), the CPU count and memory size, and the time.
 *
 * <p>The library reads no environment variable: the caller says where {@code bwrap} is, or gives
 * the {@code PATH} to find it on ({@link #onPath}). {@link #check} is the pre-flight check, run
 * once per instance before the first step.
 */
public final class Sandbox {
    /** The workspace inside the sandbox, also {@code HOME}. */
    public static final String WORKSPACE = "/home/build";
    /** Where the outputs are, inside: {@code /out/NAME}. */
    public static final String OUTPUTS = "/out";
    /** The hostname inside. */
    public static final String HOSTNAME = "kiln-build";
    /** {@code PATH} inside. */
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** {@code LC_ALL} inside unless the step sets it. */
    public static final String DEFAULT_LC_ALL = "C.UTF-8";
    /** How many of a step's last lines a failure shows. */
    public static final int DEFAULT_TAIL_LINES = 30;

    /** The variables a step cannot set. */
    static final Set<String> FIXED = Set.of("HOME", "PATH", "TZ", "SOURCE_DATE_EPOCH");
    /** Top-level directories the sandbox makes itself, never bound from the environment. */
    private static final Set<String> OWN = Set.of("dev", "proc", "sys", "tmp", "run", "home", "out");

    private final Optional<Path> bwrap;
    private final String searched;
    private final SandboxCheck check;
    private final int tailLines;

    private Sandbox(Optional<Path> bwrap, String searched, SandboxCheck check, int tailLines) {
        this.bwrap = bwrap;
        this.searched = searched;
        this.check = check;
        this.tailLines = tailLines;
    }

    /** A sandbox running the {@code bwrap} at {@code bwrap}. */
    public static Sandbox of(Path bwrap) {
        Path p = bwrap.toAbsolutePath().normalize();
        return new Sandbox(Optional.of(p), p.toString(), SandboxCheck.host(p), DEFAULT_TAIL_LINES);
    }

    /**
     * A sandbox running the first executable {@code bwrap} in the directories of {@code path} (a
     * {@code PATH} value, directories separated by {@code :}); when there is none, {@link #check}
     * and every step fail saying to install bubblewrap.
     */
    public static Sandbox onPath(String path) {
        Optional<Path> found = Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, "bwrap"))
                .filter(Files::isExecutable).findFirst().map(p -> p.toAbsolutePath().normalize());
        String searched = "on the PATH " + path;
        return new Sandbox(found, searched, found.map(SandboxCheck::host).orElseGet(() -> SandboxCheck.missing(searched)),
                DEFAULT_TAIL_LINES);
    }

    /** The same sandbox, keeping {@code lines} last lines of a failed step for its error. */
    public Sandbox withTailLines(int lines) {
        if (lines < 1) {
            throw new IllegalArgumentException("tail lines " + lines);
        }
        return new Sandbox(bwrap, searched, check, lines);
    }

    /** The {@code bwrap} this sandbox runs, if found. */
    public Optional<Path> bwrap() {
        return bwrap;
    }

    /**
     * The pre-flight check: bubblewrap is there and can make a user namespace with uid 0 inside.
     * Done once per instance; the verdict (good or bad) is kept.
     *
     * @throws RecipeException {@code recipe.sandbox}, saying what to install or which kernel
     *     setting (or AppArmor profile) to change
     */
    public void check() {
        check.verdict();
    }

    /**
     * The variables every step gets, before its own: {@code HOME}, {@code PATH}, {@code TZ},
     * {@code LC_ALL} and {@code SOURCE_DATE_EPOCH}.
     */
    public static Map<String, String> fixedEnvironment(long epoch) {
        TreeMap<String, String> env = new TreeMap<>();
        env.put("HOME", WORKSPACE);
        env.put("LC_ALL", DEFAULT_LC_ALL);
        env.put("PATH", PATH);
        env.put("SOURCE_DATE_EPOCH", Long.toString(epoch));
        env.put("TZ", "UTC");
        return env;
    }

    /** The step's whole environment inside: the fixed variables, then its own. */
    public static Map<String, String> environment(Step step) {
        Map<String, String> env = fixedEnvironment(step.epoch());
        env.putAll(step.environment());
        return env;
    }

    /**
     * Runs {@code step} and returns when it exited with status 0. The calling thread waits; the
     * step's output goes line by line to {@link Step#output}.
     *
     * @throws RecipeException {@code recipe.step-failed} naming the step, its exit status (or the
     *     time limit) and its last lines; {@code recipe.sandbox} when the sandbox cannot run here
     *     or a directory to bind is missing
     */
    public void run(Step step) {
        check();
        checkDirectory(step.root(), "the build environment's root");
        checkDirectory(step.workspace(), "the workspace");
        step.outputs().forEach((name, dir) -> checkDirectory(dir, "output " + name));
        for (Mount m : step.mounts()) {
            checkTarget(step.root(), m.target());
            if (m instanceof Mount.Directory d) {
                checkDirectory(d.host(), (d.writable() ? "the cache for " : "the bind mount for ") + d.target());
            }
        }
        List<Mount.Secret> secrets = step.secrets();
        SecretScan scan = SecretScan.of(secrets.stream().map(Mount.Secret::value).toList());
        if (secrets.isEmpty()) {
            run(step, command(step, List.of()), scan);
            return;
        }
        Path fifos = null;
        List<Thread> writers = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        try {
            fifos = Files.createTempDirectory("kiln-secrets-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            for (int i = 0; i < secrets.size(); i++) {
                Path fifo = fifos.resolve("s" + i);
                mkfifo(fifo);
                paths.add(fifo);
                Mount.Secret secret = secrets.get(i);
                Thread w = new Thread(() -> {
                    try (OutputStream out = Files.newOutputStream(fifo)) {
                        out.write(secret.value());
                    } catch (IOException e) {
                        // the reader went away (bwrap failed first): its failure is the step's
                    }
                }, "kiln-secret-writer");
                w.setDaemon(true);
                w.start();
                writers.add(w);
            }
            List<String> prefix = new ArrayList<>();
            StringBuilder script = new StringBuilder("exec");
            for (int i = 0; i < paths.size(); i++) {
                script.append(' ').append(3 + i).append("<\"$").append(i + 1).append('"');
            }
            script.append(" && shift ").append(paths.size()).append(" && exec \"$@\"");
            prefix.addAll(List.of("/bin/sh", "-c", script.toString(), "kiln-secrets"));
            paths.forEach(f -> prefix.add(f.toString()));
            run(step, command(step, prefix), scan);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SANDBOX, "cannot make the pipes that carry step '" + step.name()
                    + "''s secrets: " + e.getMessage() + "\n  fix: check that the temporary directory is writable, then build again", e);
        } finally {
            for (int i = 0; i < writers.size(); i++) {
                if (writers.get(i).isAlive()) {
                    try (InputStream unblock = Files.newInputStream(paths.get(i))) {
                        unblock.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // nothing more to release
                    }
                }
                try {
                    writers.get(i).join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fifos != null) {
                for (Path f : paths) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        // a FIFO holds no data
                    }
                }
                try {
                    Files.deleteIfExists(fifos);
                } catch (IOException e) {
                    // an empty directory left in the temporary directory
                }
            }
        }
    }

    /**
     * A mount's target must be where bwrap can make it: under the workspace, {@code /tmp},
     * {@code /run} or {@code /out}, a new top-level directory, or a directory the environment has.
     */
    private static void checkTarget(Path root, String target) {
        String top = target.substring(1).split("/")[0];
        boolean own = OWN.contains(top) && !top.equals("dev") && !top.equals("proc") && !top.equals("sys");
        if (own || !Files.exists(root.resolve(top), LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(root.resolve(target.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        throw new RecipeException(RecipeException.Kind.SANDBOX, "cannot mount at " + target + ": the build environment's /" + top
                + " is read-only and has no directory " + target
                + "\n  expected: a target under " + WORKSPACE + ", /tmp or /run, a new top-level directory, or a directory the"
                + " environment already has\n  fix: choose such a target (for example " + WORKSPACE + "/.cache/NAME)");
    }

    private static void mkfifo(Path fifo) throws IOException {
        String tool = Files.isExecutable(Path.of("/usr/bin/mkfifo")) ? "/usr/bin/mkfifo" : "/bin/mkfifo";
        Process p = new ProcessBuilder(tool, "-m", "0600", fifo.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException(tool + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted making " + fifo, e);
        }
    }

    private void run(Step step, List<String> command, SecretScan scan) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectErrorStream(true);
        pb.directory(step.workspace().toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SANDBOX, "cannot start " + bwrap.orElseThrow() + " for step '"
                    + step.name() + "': " + e.getMessage() + "\n  fix: install Debian's bubblewrap (apt-get install bubblewrap)", e);
        }
        OutputTail tail = new OutputTail(tailLines, step.output(), scan);
        Thread reader = new Thread(() -> tail.read(process.getInputStream()), "kiln-sandbox-output");
        reader.setDaemon(true);
        reader.start();
        boolean timedOut = false;
        int status;
        try {
            if (step.timeLimit().isPresent()) {
                Duration limit = step.timeLimit().get();
                if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                    timedOut = true;
                    kill(process);
                }
            }
            status = process.waitFor();
            reader.join();
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new RecipeException(RecipeException.Kind.STEP_FAILED, "step '" + step.name() + "' was interrupted; it was killed"
                    + "\n  fix: build again", e);
        }
        if (timedOut) {
            throw failed(step, "ran past its time limit of " + step.timeLimit().get().toSeconds() + " s and was killed", tail);
        }
        if (status != 0) {
            throw failed(step, "exited with status " + status + (status > 128 ? " (signal " + (status - 128) + ")" : ""), tail);
        }
    }

    private static RecipeException failed(Step step, String what, OutputTail tail) {
        StringBuilder m = new StringBuilder("step '").append(step.name()).append("' failed: it ").append(what);
        List<String> lines = tail.lines();
        if (lines.isEmpty()) {
            m.append("\n  it printed nothing");
        } else {
            m.append("\n  its last ").append(lines.size() == 1 ? "line" : lines.size() + " lines").append(':');
            for (String line : lines) {
                m.append("\n    ").append(line);
            }
        }
        m.append("\n  fix: correct the step (or what it builds) from its output, then build again");
        return new RecipeException(RecipeException.Kind.STEP_FAILED, m.toString());
    }

    /** Kills bwrap and every process under it (bwrap's child dies with it too: {@code --die-with-parent}). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new RecipeException(RecipeException.Kind.SANDBOX, what + " " + dir + " is not a directory"
                    + "\n  expected: an existing directory to bind into the sandbox\n  fix: create it, or build again");
        }
    }

    /** The whole command line: bwrap, its options, the shell and the script. */
    List<String> command(Step step) {
        return command(step, List.of());
    }

    /** The command line after {@code prefix}, which opens each secret's pipe as descriptor 3, 4, ... */
    private List<String> command(Step step, List<String> prefix) {
        List<String> c = new ArrayList<>(prefix);
        c.add(bwrap.orElseThrow().toString());
        c.addAll(List.of("--unshare-all", "--uid", "0", "--gid", "0", "--hostname", HOSTNAME,
                "--die-with-parent", "--new-session", "--clearenv"));
        environment(step).forEach((k, v) -> c.addAll(List.of("--setenv", k, v)));
        boolean varTmp = false;
        for (Path top : topLevel(step.root())) {
            String name = top.getFileName().toString();
            if (OWN.contains(name)) {
                continue;
            }
            if (Files.isSymbolicLink(top)) {
                c.addAll(List.of("--symlink", readLink(top), "/" + name));
            } else {
                c.addAll(List.of("--ro-bind", top.toString(), "/" + name));
                varTmp |= name.equals("var") && Files.isDirectory(top.resolve("tmp"), LinkOption.NOFOLLOW_LINKS);
            }
        }
        c.addAll(List.of("--dev", "/dev", "--proc", "/proc"));
        String size = Long.toString(step.tmpBytes());
        c.addAll(List.of("--size", size, "--tmpfs", "/tmp"));
        if (varTmp) {
            c.addAll(List.of("--size", size, "--tmpfs", "/var/tmp"));
        }
        c.addAll(List.of("--tmpfs", "/run"));
        c.addAll(List.of("--bind", step.workspace().toString(), WORKSPACE));
        step.outputs().forEach((name, dir) -> c.addAll(List.of("--bind", dir.toString(), OUTPUTS + "/" + name)));
        int fd = 3;
        for (Mount m : step.mounts()) { // their targets checked before the step runs (checkTarget)
            if (m instanceof Mount.Directory d) {
                c.addAll(List.of(d.writable() ? "--bind" : "--ro-bind", d.host().toString(), d.target()));
            } else if (m instanceof Mount.Tmpfs t) {
                c.addAll(List.of("--size", Long.toString(t.bytes()), "--tmpfs", t.target()));
            } else {
                c.addAll(List.of("--perms", "0400", "--ro-bind-data", Integer.toString(fd++), m.target()));
            }
        }
        c.addAll(List.of("--chdir", step.chdir(), "--remount-ro", "/"));
        // umask 022 whatever kiln's own is; then the step's shell, so that its $0 and -e are the recipe's
        c.addAll(List.of("/bin/sh", "-c", "umask 022 && exec /bin/sh -e -c \"$1\"", "kiln-step", step.script()));
        return c;
    }

    private static List<Path> topLevel(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SANDBOX, "cannot list the build environment's root " + root + ": "
                    + e.getMessage() + "\n  fix: build again (the environment is written again)", e);
        }
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SANDBOX, "cannot read the link " + link + ": " + e.getMessage()
                    + "\n  fix: build again (the environment is written again)", e);
        }
    }

    /** Reads a step's merged output line by line, passing each on (scrubbed) and keeping the last few. */
    static final class OutputTail {
        /**
         * A line longer than this is cut: a step printing without newlines cannot fill the heap. The
         * bytes of a secret's form that the cut would split are kept, so it is masked whole.
         */
        static final int MAX_LINE = 4096;

        private final int keep;
        private final java.util.function.Consumer<String> consumer;
        private final java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
        private final SecretScan scan;

        OutputTail(int keep, java.util.function.Consumer<String> consumer) {
            this(keep, consumer, SecretScan.of(List.of()));
        }

        OutputTail(int keep, java.util.function.Consumer<String> consumer, SecretScan scan) {
            this.keep = keep;
            this.scan = Objects.requireNonNull(scan, "scan");
            this.consumer = Objects.requireNonNull(consumer, "consumer");
        }

        void read(InputStream in) {
            int limit = MAX_LINE + scan.longest();
            byte[] line = new byte[limit];
            int size = 0;
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == '\n') {
                            emit(line, size);
                            size = 0;
                        } else if (size < limit) {
                            line[size++] = b;
                        }
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read is what there is
            }
            if (size > 0) {
                emit(line, size);
            }
        }

        private void emit(byte[] line, int size) {
            String text = scan.scrubLine(line, size, MAX_LINE);
            synchronized (last) {
                if (last.size() == keep) {
                    last.removeFirst();
                }
                last.addLast(text);
            }
            try {
                consumer.accept(text);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the step's output from being drained
            }
        }

        List<String> lines() {
            synchronized (last) {
                return List.copyOf(last);
            }
        }
    }
}
