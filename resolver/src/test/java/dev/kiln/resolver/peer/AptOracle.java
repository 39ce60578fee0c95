package dev.kiln.resolver.peer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the real apt which packages it would install, as the oracle for kiln's solver.
 *
 * <p>Each combination of architecture and source lines gets its own private apt root under the
 * working directory ({@code <workDir>/<hash>/}): a dpkg status (empty unless a simulation names
 * installed packages, see {@link #simulate(List, List)}), its own
 * {@code sources.list}, lists, caches, preferences and trusted keys, and an {@code apt.conf} passed
 * through {@code APT_CONFIG} that points every {@code Dir::*} into the root, so nothing from the
 * host's apt configuration ({@code /etc/apt/apt.conf.d}, pins, foreign architectures, keys) leaks
 * in. Recommends and Suggests are off, so the answer is the closure of Depends and Pre-Depends as
 * apt's resolver picks it. Only {@code apt-get install -s} is run: nothing is unpacked or executed,
 * so any architecture can be simulated on any host (arm64 on amd64).
 *
 * <p>Source lines are apt one-line entries, already expanded, with {@code signed-by=} absolute
 * paths (binary {@code .gpg} keyrings and armored {@code .asc} files both work, comma-separated for
 * several). A source without {@code signed-by} finds no trusted key and fails the update.
 *
 * <p>{@code apt-get update} runs once per root per JVM by default (a warm update costs ~0.5 s; a
 * cold one ~1.5 s for bookworm + updates + security), see {@link Refresh}. Calls on the same root
 * are serialized, across processes too (a file lock in the root).
 *
 * <p>Failures throw {@link Failure}, which carries apt's command, exit code and full output. It is
 * deliberately not a kiln exception, so a test expecting kiln to fail cannot pass because the
 * oracle failed.
 */
public final class AptOracle {

    /** One package apt would install: name as apt prints it, version, architecture, archives. */
    public record Pkg(String name, String version, String arch, String archives) {
        @Override
        public String toString() {
            return name + "=" + version + " [" + arch + "]";
        }
    }

    /** What {@code apt-get install -s} printed, and the packages parsed from its Inst lines. */
    public record Simulation(SortedMap<String, Pkg> packages, String output) {}

    /** When {@link #install} first runs {@code apt-get update} in a root. */
    public enum Refresh {
        /** Update the first time this JVM uses the root (default: lists match the mirror of today). */
        ONCE_PER_JVM,
        /** Update only if the root was never updated (fast and offline, but lists may be stale). */
        IF_NEVER_UPDATED,
        /** Update before every simulation. */
        ALWAYS
    }

    /** apt refused or failed; {@link #output()} is what apt printed, for the test report. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> command;
        private final int exitCode;
        private final String output;

        Failure(String what, List<String> command, int exitCode, String output) {
            super(what + " (exit " + exitCode + "): " + String.join(" ", command) + "\n" + output);
            this.command = List.copyOf(command);
            this.exitCode = exitCode;
            this.output = output;
        }

        public List<String> command() {
            return command;
        }

        public int exitCode() {
            return exitCode;
        }

        public String output() {
            return output;
        }
    }

    private static final Pattern ARCH = Pattern.compile("[a-z0-9][a-z0-9-]*");
    // Inst NAME [OLDVERSION] (VERSION ARCHIVE[, ARCHIVE...] [ARCH]) [BROKEN...]
    private static final Pattern INST =
            Pattern.compile("^Inst (\\S+)(?: \\[[^\\]]*\\])? \\((\\S+) (.*) \\[([^\\]]+)\\]\\)(?: \\[.*\\])?$");
    private static final Pattern UPDATE_PROBLEM = Pattern.compile("^(W|E|Err):", Pattern.MULTILINE);
    private static final long UPDATE_TIMEOUT_SECONDS = 600;
    private static final long INSTALL_TIMEOUT_SECONDS = 120;
    private static final Set<Path> UPDATED_THIS_JVM = ConcurrentHashMap.newKeySet();
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final List<String> sources;
    private final String arch;
    private final Path root;
    private Refresh refresh = Refresh.ONCE_PER_JVM;

    /**
     * @param sourceLines apt one-line sources, e.g.
     *     {@code deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://MIRROR/debian bookworm main}
     * @param arch the Debian architecture to simulate (amd64, arm64, ...)
     * @param workDir where private roots live; reuse it to pay {@code apt-get update} once
     */
    public AptOracle(List<String> sourceLines, String arch, Path workDir) {
        Objects.requireNonNull(workDir, "workDir");
        if (sourceLines.isEmpty()) {
            throw new IllegalArgumentException("no apt source lines");
        }
        for (String line : sourceLines) {
            if (line.contains("\n") || line.contains("\r") || !line.startsWith("deb ")) {
                throw new IllegalArgumentException("not a one-line apt 'deb' source: " + line);
            }
        }
        if (!ARCH.matcher(arch).matches()) {
            throw new IllegalArgumentException("not a Debian architecture name: " + arch);
        }
        this.sources = List.copyOf(sourceLines);
        this.arch = arch;
        this.root = workDir.toAbsolutePath().normalize().resolve(key(arch, sources));
    }

    /** One-shot: the packages apt would install for {@code packages} from an empty system. */
    public static SortedMap<String, Pkg> resolve(
            List<String> sourceLines, String arch, List<String> packages, Path workDir) throws IOException {
        return new AptOracle(sourceLines, arch, workDir).install(packages);
    }

    /** Whether {@code apt-get} is on the PATH, for test assumptions. */
    public static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "apt-get"))) {
                return true;
            }
        }
        return false;
    }

    public AptOracle refresh(Refresh policy) {
        this.refresh = Objects.requireNonNull(policy);
        return this;
    }

    /** The private apt root for this architecture and these sources. */
    public Path root() {
        return root;
    }

    /** apt's downloaded lists ({@code *_InRelease}, {@code *_Packages}), to check what apt saw. */
    public Path listsDir() {
        return root.resolve("var/lib/apt/lists");
    }

    /** The packages {@code apt-get install -s} would install, sorted by name. */
    public SortedMap<String, Pkg> install(List<String> packages) throws IOException {
        return simulate(packages).packages();
    }

    /** Like {@link #install} but keeps apt's full output. */
    public Simulation simulate(List<String> packages) throws IOException {
        return simulate(packages, List.of());
    }

    /**
     * {@code apt-get install -s packages} on a system where {@code installed} are installed: each a
     * stanza as a Packages index has it (the exact version installed), written into the root's dpkg
     * status as dpkg would (see {@link #statusStanza}). The {@code Inst} lines then include upgrades
     * ({@code Inst NAME [OLD] (NEW ...)}); packages apt keeps print nothing.
     */
    public Simulation simulate(List<String> packages, List<String> installed) throws IOException {
        if (packages.isEmpty()) {
            throw new IllegalArgumentException("no packages to install");
        }
        for (String p : packages) {
            if (p.isEmpty() || p.startsWith("-") || p.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("not a package argument for apt-get install: '" + p + "'");
            }
        }
        String status = status(installed);
        synchronized (MONITORS.computeIfAbsent(root, r -> new Object())) {
            prepareRoot();
            try (FileChannel ch = FileChannel.open(root.resolve("oracle.lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                ensureUpdated();
                writeIfChanged(statusFile(), status);
                List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-s", "-y"));
                if (!status.isEmpty()) {
                    // apt validates its binary cache by the status file's size and mtime: two statuses of
                    // one size written within a second could reuse a stale cache, so build none at all
                    cmd.addAll(List.of("-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache="));
                }
                cmd.add("--");
                cmd.addAll(packages);
                Run run = run(cmd, INSTALL_TIMEOUT_SECONDS);
                if (run.exitCode != 0) {
                    throw new Failure("apt-get install -s failed", cmd, run.exitCode, run.output);
                }
                if (run.output.lines().anyMatch(l -> l.startsWith("E:"))) {
                    throw new Failure("apt-get install -s reported an error", cmd, run.exitCode, run.output);
                }
                return new Simulation(parseSimulation(run.output), run.output);
            }
        }
    }

    /** Forces {@code apt-get update} now. */
    public void update() throws IOException {
        synchronized (MONITORS.computeIfAbsent(root, r -> new Object())) {
            prepareRoot();
            try (FileChannel ch = FileChannel.open(root.resolve("oracle.lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                doUpdate();
            }
        }
    }

    /** Parses the {@code Inst} lines of {@code apt-get install -s} output. */
    public static SortedMap<String, Pkg> parseSimulation(String output) {
        SortedMap<String, Pkg> result = new TreeMap<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith("Inst ")) {
                continue;
            }
            Matcher m = INST.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("unexpected apt simulation line: " + line);
            }
            Pkg pkg = new Pkg(m.group(1), m.group(2), m.group(4), m.group(3));
            Pkg old = result.put(pkg.name(), pkg);
            if (old != null && !old.equals(pkg)) {
                throw new IllegalArgumentException("apt would install " + pkg.name() + " twice: " + old + ", " + pkg);
            }
        }
        return Collections.unmodifiableSortedMap(result);
    }

    private void ensureUpdated() throws IOException {
        boolean stamped = Files.exists(stamp());
        boolean needed = switch (refresh) {
            case ALWAYS -> true;
            case IF_NEVER_UPDATED -> !stamped;
            case ONCE_PER_JVM -> !stamped || !UPDATED_THIS_JVM.contains(root);
        };
        if (needed) {
            doUpdate();
        }
    }

    private void doUpdate() throws IOException {
        Files.deleteIfExists(stamp());
        writeIfChanged(statusFile(), "");
        List<String> cmd = List.of("apt-get", "update");
        Run run = run(cmd, UPDATE_TIMEOUT_SECONDS);
        // apt exits 0 on some partial failures (a warning about a source); a partial universe would
        // make a silently wrong oracle, so any warning or error line fails the update.
        if (run.exitCode != 0 || UPDATE_PROBLEM.matcher(run.output).find()) {
            throw new Failure("apt-get update failed", cmd, run.exitCode, run.output);
        }
        Files.writeString(stamp(), "updated\n");
        UPDATED_THIS_JVM.add(root);
    }

    private Path statusFile() {
        return root.resolve("var/lib/dpkg/status");
    }

    /** Fields of a Packages index that describe the archive's file, not the installed package. */
    private static final Set<String> ARCHIVE_FIELDS = Set.of("filename", "size", "md5sum", "sha1", "sha256",
            "sha512", "description-md5", "tag", "task", "phased-update-percentage");

    /**
     * The dpkg status stanza of a package installed from {@code indexStanza}: its control fields in
     * index order ({@code Package}, {@code Version}, {@code Architecture}, relations, {@code Provides},
     * {@code Maintainer}, {@code Description}, ...) with {@code Status: install ok installed} after
     * {@code Package}, and without the archive's fields (Filename, Size, checksums).
     */
    public static String statusStanza(String indexStanza) {
        List<String> lines = List.of(indexStanza.strip().split("\n"));
        StringBuilder out = new StringBuilder();
        Set<String> seen = new java.util.HashSet<>();
        boolean keep = false;
        for (String line : lines) {
            if (line.isBlank()) {
                throw new IllegalArgumentException("more than one stanza: " + indexStanza);
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (keep) {
                    out.append(line).append('\n');
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("not a control field: '" + line + "' in " + indexStanza);
            }
            String field = line.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            if (!seen.add(field)) {
                throw new IllegalArgumentException("field " + field + " twice in " + indexStanza);
            }
            keep = !ARCHIVE_FIELDS.contains(field) && !field.equals("status");
            if (keep) {
                out.append(line).append('\n');
            }
            if (field.equals("package")) {
                out.append("Status: install ok installed\n");
            }
        }
        for (String required : List.of("package", "version", "architecture")) {
            if (!seen.contains(required)) {
                throw new IllegalArgumentException("no " + required + " field in " + indexStanza);
            }
        }
        if (!lines.get(0).toLowerCase(java.util.Locale.ROOT).startsWith("package:")) {
            throw new IllegalArgumentException("a stanza starts with its Package field: " + indexStanza);
        }
        return out.toString();
    }

    private static String status(List<String> installed) {
        StringBuilder status = new StringBuilder();
        Set<String> names = new java.util.HashSet<>();
        for (String stanza : installed) {
            String s = statusStanza(stanza);
            String name = s.substring("Package:".length(), s.indexOf('\n')).strip();
            String arch = s.lines().filter(l -> l.regionMatches(true, 0, "Architecture:", 0, 13)).findFirst().orElseThrow()
                    .substring("Architecture:".length()).strip();
            if (!names.add(name + ":" + arch)) {
                throw new IllegalArgumentException("dpkg installs one version of a package: " + name + " twice");
            }
            status.append(s).append('\n');
        }
        return status.toString();
    }

    private Path stamp() {
        return root.resolve("updated.stamp");
    }

    private void prepareRoot() throws IOException {
        for (String dir : List.of("etc/apt/apt.conf.d", "etc/apt/sources.list.d", "etc/apt/preferences.d",
                "etc/apt/trusted.gpg.d", "etc/apt/auth.conf.d", "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial", "var/lib/dpkg", "var/log/apt")) {
            Files.createDirectories(root.resolve(dir));
        }
        if (!Files.exists(statusFile())) {
            Files.writeString(statusFile(), "");
        }
        StringBuilder list = new StringBuilder();
        for (String s : sources) {
            list.append(s).append('\n');
        }
        writeIfChanged(root.resolve("etc/apt/sources.list"), list.toString());
        writeIfChanged(root.resolve("apt.conf"), aptConf());
    }

    private String aptConf() {
        String r = root.toString();
        if (r.contains("\"")) {
            throw new IllegalArgumentException("apt root path must not contain '\"': " + r);
        }
        return String.join("\n",
                "// Generated by kiln's AptOracle: a private apt root with nothing installed.",
                "Dir \"" + r + "/\";",
                "Dir::State \"var/lib/apt/\";",
                "Dir::State::lists \"lists/\";",
                "Dir::State::status \"" + r + "/var/lib/dpkg/status\";",
                "Dir::State::extended_states \"extended_states\";",
                "Dir::Cache \"var/cache/apt/\";",
                "Dir::Cache::archives \"archives/\";",
                "Dir::Etc \"etc/apt/\";",
                // read after APT_CONFIG: point them into the root, where they do not exist / are empty
                "Dir::Etc::main \"apt.conf\";",
                "Dir::Etc::parts \"apt.conf.d/\";",
                "Dir::Etc::sourcelist \"sources.list\";",
                "Dir::Etc::sourceparts \"sources.list.d/\";",
                "Dir::Etc::preferences \"preferences\";",
                "Dir::Etc::preferencesparts \"preferences.d/\";",
                "Dir::Etc::trusted \"trusted.gpg\";",
                "Dir::Etc::trustedparts \"trusted.gpg.d/\";",
                "Dir::Etc::netrc \"auth.conf\";",
                "Dir::Etc::netrcparts \"auth.conf.d/\";",
                "Dir::Log \"var/log/apt/\";",
                "APT::Architecture \"" + arch + "\";",
                "APT::Architectures { \"" + arch + "\"; };",
                "APT::Install-Recommends \"false\";",
                "APT::Install-Suggests \"false\";",
                "APT::Get::List-Cleanup \"false\";",
                // as root apt would download as _apt, which may not reach a private root (e.g. a 0700 temp dir)
                "APT::Sandbox::User \"root\";",
                "Debug::NoLocking \"true\";",
                "Acquire::Languages \"none\";",
                "Acquire::PDiffs \"false\";",
                "Acquire::Retries \"3\";",
                "") + "\n";
    }

    private record Run(int exitCode, String output) {}

    private Run run(List<String> cmd, long timeoutSeconds) throws IOException {
        Path log = Files.createTempFile(root, "apt-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
            env.put("LC_ALL", "C");
            env.put("APT_CONFIG", root.resolve("apt.conf").toString());
            env.put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + cmd, e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new Failure("timed out after " + timeoutSeconds + " s", cmd, -1,
                        Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void writeIfChanged(Path file, String content) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
            return;
        }
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String key(String arch, List<String> sources) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("arch " + arch + "\n").getBytes(StandardCharsets.UTF_8));
            for (String s : sources) {
                md.update((s + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return arch + "-" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
