package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.internal.BuildVariation;
import dev.kiln.oci.compare.ImageDiff;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same spec and lock (examples/static.yaml; examples/java17.yaml, for the Java trust store
 * kiln encodes; examples/nginx.yaml, for the accounts, script files and runtime directories kiln
 * writes) built by {@code kiln build} in two separate processes that differ in everything
 * that may differ between two machines: a cold and a warm store, the user (nobody and
 * root), the JDK, the time zone, the locale, the umask, the number of CPUs, the working directory
 * and HOME. Every blob must be identical; otherwise the test fails with {@link ImageDiff}'s report.
 * Live: the packages come from the host's Debian mirror.
 */
class ReproducibleBuildTest {
    static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    /** One run of the CLI in its own JVM. */
    record Run(String user, Path java, Map<String, String> env, List<String> jvmOptions, String umask, Path cwd) {
    }

    /** static: the smallest image; java17: also the Java trust store, encoded by the building JDK's libraries; nginx: also base-passwd's and the scripts' accounts and files. */
    @ParameterizedTest
    @ValueSource(strings = {"static", "java17", "nginx"})
    void twoBuildsInSeparateProcessesUnderEverythingThatMayVaryGiveTheSameBlobs(String example) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = copyClassPath(tmp.resolve("cp"));
        Path kilnHome = tmp.resolve("home");
        copyTree(HOME.resolve("keys"), kilnHome.resolve("keys"));
        Path spec = specAndLock(tmp.resolve("spec"), example);
        Path lock = spec.resolveSibling(example + ".lock.json");

        Variations v = variations(tmp, "077", "022");
        boolean root = v.root();
        Path nobody = v.nobody();
        Path store = v.store();
        Run first = v.first();
        Run second = v.second();

        Path out1 = nobody.resolve("out");
        Path out2 = tmp.resolve("root-out");
        String digest1 = build(first, classes, kilnHome, spec, lock, store, out1);
        String digest2 = build(second, classes, kilnHome, spec, lock, store, out2);

        ImageDiff diff = ImageDiff.between(out1, out2);
        assertTrue(diff.identical(), "builds differ:\n" + first + "\n" + second + "\n" + diff.render());
        assertEquals(digest1, digest2);
        assertEquals(Files.readString(out1.resolve("index.json")), Files.readString(out2.resolve("index.json")));
        if (root) {
            assertEquals(NOBODY, Files.getAttribute(out1.resolve("index.json"), "unix:uid"), "the first build ran as nobody");
        }
    }

    /**
     * The two processes of a reproducibility test and where they work: the first as nobody (when the
     * test runs as root) under the other JDK, in Pacific/Chatham, Turkish, one CPU, umask
     * {@code firstUmask}, in {@code nobody/cwd} with {@code nobody/} as HOME; the second as this user
     * under this JDK, in UTC, C.UTF-8, two CPUs, umask {@code secondUmask}, in {@code root-cwd}.
     *
     * @param nobody the first process's directory (nobody's own, when root), under {@code tmp}
     * @param store a store in it: cold for the first build, warm for the second
     */
    record Variations(boolean root, Path nobody, Path store, Run first, Run second) {
    }

    static Variations variations(Path tmp, String firstUmask, String secondUmask) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path nobody = Files.createDirectory(tmp.resolve("nobody"));
        Path cwd1 = Files.createDirectory(nobody.resolve("cwd"));
        Path cwd2 = Files.createDirectory(tmp.resolve("root-cwd"));
        if (root) {
            for (Path p : List.of(nobody, cwd1)) {
                Files.setAttribute(p, "unix:uid", NOBODY);
                Files.setAttribute(p, "unix:gid", NOBODY);
            }
        }
        Path javaHere = Path.of(System.getProperty("java.home"), "bin", "java");
        Path other = BuildVariation.otherJdk().map(j -> j.home().resolve("bin/java")).orElse(javaHere);
        Map<String, String> env1 = new LinkedHashMap<>();
        env1.put("TZ", "Pacific/Chatham");
        env1.put("LANG", "tr_TR.UTF-8");
        env1.put("LC_ALL", "tr_TR.UTF-8");
        env1.put("HOME", nobody.toString());
        Run first = new Run(root ? "nobody" : "(this user)", other, env1,
                List.of("-XX:ActiveProcessorCount=1", "-Duser.language=tr", "-Duser.country=TR"), firstUmask, cwd1);
        Map<String, String> env2 = new LinkedHashMap<>();
        env2.put("TZ", "UTC");
        env2.put("LANG", "C.UTF-8");
        env2.put("LC_ALL", "C.UTF-8");
        Run second = new Run(System.getProperty("user.name"), javaHere, env2, List.of("-XX:ActiveProcessorCount=2"), secondUmask, cwd2);
        return new Variations(root, nobody, nobody.resolve("store"), first, second);
    }

    /** Runs {@code kiln build --frozen} as {@code run} says; returns the top digest it printed. */
    private static String build(Run run, Path classes, Path kilnHome, Path spec, Path lock, Path store, Path out)
            throws IOException, InterruptedException {
        String output = kiln(run, classes, kilnHome, List.of("build", "-q", "--frozen", "--store", store.toString(), "--lock",
                lock.toString(), "-o", out.toString(), spec.toString()));
        int at = output.indexOf("sha256:");
        assertTrue(at > 0, output);
        return output.substring(at, at + 71);
    }

    /** Runs {@code kiln ARGS} in its own JVM as {@code run} says (user, JDK, JVM options, umask, environment, directory); its output. */
    static String kiln(Run run, Path classes, Path kilnHome, List<String> args) throws IOException, InterruptedException {
        return kiln(List.of(), run, classes, kilnHome, args);
    }

    /** As {@link #kiln(Run, Path, Path, List)}, the whole command after {@code prefix} (e.g. {@code taskset -c 0}). */
    static String kiln(List<String> prefix, Run run, Path classes, Path kilnHome, List<String> args) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        if (run.user().equals("nobody")) {
            cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        cmd.addAll(List.of("/bin/sh", "-c", "umask " + run.umask() + " && exec \"$@\"", "sh"));
        cmd.add(run.java().toString());
        cmd.addAll(run.jvmOptions());
        cmd.addAll(List.of("-Dkiln.home=" + kilnHome, "-cp", classes + File.separator + "*" + File.pathSeparator + classes.resolve("dirs"),
                Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(run.cwd().toFile()).redirectErrorStream(true);
        pb.environment().putAll(run.env());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), run + "\n" + output);
        return output;
    }

    /** examples/static.yaml for amd64, locked in-process into {@code dir} (readable by everyone). */
    static Path specAndLock(Path dir) throws IOException {
        return specAndLock(dir, "static");
    }

    /** examples/NAME.yaml for amd64, locked in-process into {@code dir} (readable by everyone). */
    static Path specAndLock(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, Files.readString(HOME.resolve("examples/" + name + ".yaml")).replaceAll("(?m)^archs: .*$", "archs: [amd64]"));
        CliRun.useCheckoutAsHome();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"lock", "--store", dir.resolveSibling("lock-store").toString(), spec.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        Files.setPosixFilePermissions(spec.resolveSibling(name + ".lock.json"), PosixFilePermissions.fromString("rw-r--r--"));
        return spec;
    }

    /**
     * A copy of this test's class path that any user can read: jars side by side in {@code dir},
     * class directories under {@code dir/dirs} merged (surefire may hand over a manifest-only jar, and
     * the originals may sit under a home directory that nobody cannot enter).
     */
    static Path copyClassPath(Path dir) throws IOException, URISyntaxException {
        Files.createDirectories(dir.resolve("dirs"));
        Set<Path> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                expand(Path.of(e).toAbsolutePath(), entries);
            }
        }
        int n = 0;
        for (Path e : entries) {
            if (Files.isDirectory(e)) {
                copyTree(e, dir.resolve("dirs"));
            } else if (Files.isRegularFile(e)) {
                Files.copy(e, dir.resolve(String.format("%03d-", n++) + e.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    /** A jar whose manifest has a Class-Path stands for what it lists (surefire's booter jar). */
    private static void expand(Path entry, Set<Path> out) throws IOException, URISyntaxException {
        if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                Manifest m = jar.getManifest();
                String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                if (cp != null && jar.stream().noneMatch(e -> e.getName().endsWith(".class"))) {
                    for (String u : cp.trim().split("\\s+")) {
                        URI uri = entry.toUri().resolve(u);
                        expand(Path.of(uri), out);
                    }
                    return;
                }
            }
        }
        out.add(entry);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
