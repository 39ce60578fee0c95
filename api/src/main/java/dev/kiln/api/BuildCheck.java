package dev.kiln.api;

import dev.kiln.assembler.AssembleException;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.KilnException;
import dev.kiln.store.StagingLock;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.Consumer;

/**
 * {@code kiln build --check}: builds a spec twice from scratch, each time in a fresh temporary
 * store, and compares the two layouts blob by blob. The first build runs here and writes the
 * output; the second runs in a child JVM whose conditions differ in everything that must not
 * reach an image: another JDK when one is installed, another time zone and locale, umask 077, one
 * CPU, another working directory. Any difference is reported with {@link ImageDiff}, and the second
 * layout is kept beside the output ({@code DIR.rebuild}) to look at.
 */
public final class BuildCheck {
    /** Where the second layout goes, beside the output. */
    public static final String REBUILD_SUFFIX = ".rebuild";

    private BuildCheck() {
    }

    /**
     * How the second build differs from the first.
     *
     * @param java the {@code java} launcher of the child
     * @param env variables set (or changed) for the child; the rest of the environment is inherited
     * @param jvmOptions options the child JVM gets before its main class
     */
    public record Variation(Path java, String javaVersion, Map<String, String> env, List<String> jvmOptions, String umask) {
        public Variation {
            env = Map.copyOf(env);
            jvmOptions = List.copyOf(jvmOptions);
        }

        /** One line for people: what the second build ran under. */
        public String describe() {
            return "java " + javaVersion + " (" + java + "), TZ=" + env.get("TZ") + ", LANG=" + env.get("LANG")
                    + ", umask " + umask + ", 1 CPU, another working directory";
        }
    }

    /**
     * What the check found.
     *
     * @param first the first build, at the output
     * @param second where the second layout is kept (only when the two differ)
     */
    public record Result(Kiln.Built first, Optional<Path> second, Variation variation, ImageDiff diff) {
        public boolean reproducible() {
            return diff.identical();
        }
    }

    /**
     * The variation this host allows: the newest other JDK (17 or later) under {@code /usr/lib/jvm},
     * else this one; a time zone and locale other than this JVM's.
     */
    public static Variation variation() {
        Path self = Path.of(System.getProperty("java.home"));
        Path java = self.resolve("bin/java");
        String version = System.getProperty("java.version");
        Optional<Jdk> other = otherJdk();
        if (other.isPresent()) {
            java = other.get().home().resolve("bin/java");
            version = other.get().version();
        }
        String tz = TimeZone.getDefault().getID().equals("Pacific/Chatham") ? "America/St_Johns" : "Pacific/Chatham";
        boolean turkish = Locale.getDefault().getLanguage().equals("tr");
        String lang = turkish ? "de_DE.UTF-8" : "tr_TR.UTF-8";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TZ", tz);
        env.put("LANG", lang);
        env.put("LC_ALL", lang);
        // the JVM takes its locale from setlocale, which ignores a locale the host has not generated
        List<String> opts = List.of("-XX:ActiveProcessorCount=1", "-Duser.language=" + (turkish ? "de" : "tr"),
                "-Duser.country=" + (turkish ? "DE" : "TR"), "-Duser.timezone=" + tz);
        return new Variation(java, version, env, opts, "077");
    }

    /** An installed JDK: its home and {@code JAVA_VERSION}. */
    public record Jdk(Path home, String version) {
        int feature() {
            try {
                return Integer.parseInt(version.split("[.+-]")[0]);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** The newest JDK of version 17 or later under {@code /usr/lib/jvm} that is not the one running. */
    public static Optional<Jdk> otherJdk() {
        Path self;
        try {
            self = Path.of(System.getProperty("java.home")).toRealPath();
        } catch (IOException e) {
            self = Path.of(System.getProperty("java.home"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        List<Jdk> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(jvms)) {
            for (Path p : s) {
                Path home = p.toRealPath();
                Path release = home.resolve("release");
                if (home.equals(self) || !Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)
                        || found.stream().anyMatch(j -> j.home().equals(home))) {
                    continue;
                }
                for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                    if (line.startsWith("JAVA_VERSION=")) {
                        Jdk jdk = new Jdk(home, line.substring("JAVA_VERSION=".length()).replace("\"", "").strip());
                        if (jdk.feature() >= 17) {
                            found.add(jdk);
                        }
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.stream().max(Comparator.comparingInt(Jdk::feature).thenComparing(j -> j.home().toString()));
    }

    /**
     * Builds twice and compares. {@code frozen} applies to the first build (which may write the lock
     * as {@code kiln build} does); the second always uses the lock the first one used. {@code log}
     * hears one line between the builds.
     */
    public static Result run(Path spec, Optional<Path> context, Path lock, Path out, boolean frozen, FetchListener listener,
            Consumer<String> log) {
        return run(spec, context, lock, out, frozen, listener, log, variation());
    }

    /**
     * Builds twice, the second time under {@code variation}, and compares; both builds take local
     * sources from {@code context} (else the spec's directory).
     */
    public static Result run(Path spec, Optional<Path> context, Path lock, Path out, boolean frozen, FetchListener listener,
            Consumer<String> log, Variation variation) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path rebuild = parent.resolve(target.getFileName() + REBUILD_SUFFIX);
        StagingLock mark = null;
        Path work = null;
        try {
            Files.createDirectories(parent);
            // marked as a layout's staging is, so a killed check's stores are swept by the next build
            mark = StagingLock.beside(target);
            work = Files.createDirectory(mark.path(".check"));
            ExitCleanup.add(work);
            Kiln.Built first;
            try (Kiln kiln = Kiln.builder().store(work.resolve("store-1")).context(context.orElse(null)).open()) {
                first = kiln.build(spec, lock, target, frozen, listener);
            }
            log.accept("first build " + first.top().digest() + "; building again from scratch in another JVM");
            Path cwd = Files.createDirectory(work.resolve("cwd"));
            second(variation, spec.toAbsolutePath(), context.map(Path::toAbsolutePath), lock.toAbsolutePath(), rebuild,
                    work.resolve("store-2"), cwd, work.resolve("child.log"));
            ImageDiff diff = ImageDiff.between(target, rebuild);
            if (diff.identical()) {
                ImageLayout.deleteRecursively(rebuild);
                // and the SBOMs and provenance the second build wrote beside it
                try (var beside = java.nio.file.Files.list(parent)) {
                    for (Path f : beside.filter(f -> f.getFileName().toString().startsWith(rebuild.getFileName() + ".")).toList()) {
                        java.nio.file.Files.deleteIfExists(f);
                    }
                } catch (java.io.IOException e) {
                    throw new dev.kiln.assembler.AssembleException("cannot remove the second build's documents in " + parent
                            + ": " + dev.kiln.store.IoErrors.why(e), e);
                }
                return new Result(first, Optional.empty(), variation, diff);
            }
            return new Result(first, Optional.of(rebuild), variation, diff);
        } catch (IOException e) {
            throw new AssembleException("cannot check the build in " + parent + ": " + dev.kiln.store.IoErrors.why(e), e);
        } finally {
            try {
                if (work != null) {
                    ImageLayout.deleteRecursively(work);
                }
            } finally {
                if (mark != null) {
                    mark.close();
                }
            }
        }
    }

    private static void second(Variation v, Path spec, Optional<Path> context, Path lock, Path out, Path store, Path cwd, Path log)
            throws IOException {
        List<String> java = new ArrayList<>();
        java.add(v.java().toString());
        java.addAll(v.jvmOptions());
        java.add("-Dkiln.home=" + SystemDefaults.home().toAbsolutePath());
        java.add("-cp");
        java.add(classPath());
        java.add(BuildCheck.class.getName());
        java.addAll(List.of(spec.toString(), lock.toString(), out.toString(), store.toString()));
        context.ifPresent(c -> java.add(c.toString()));
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + v.umask() + " && exec \"$@\"", "sh"));
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(v.env());
        Process p = pb.start();
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssembleException("interrupted while the second build ran");
        }
        if (code != 0) {
            throw new AssembleException("the second build (in another JVM: " + v.describe() + ") failed with exit code " + code
                    + ":\n" + Files.readString(log, StandardCharsets.UTF_8).strip()
                    + "\n  fix: the first build succeeded, so this is kiln depending on its environment: please report it");
        }
    }

    /** This JVM's class path with every entry absolute, since the child runs in another directory. */
    private static String classPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    /** The second build, in the child JVM: {@code SPEC LOCK OUT STORE [CONTEXT]}; prints the top digest. */
    public static void main(String[] args) {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: BuildCheck SPEC LOCK OUT STORE [CONTEXT] (the second build of 'kiln build --check')");
            System.exit(2);
        }
        try (Kiln kiln = Kiln.builder().store(Path.of(args[3])).context(args.length == 5 ? Path.of(args[4]) : null).open()) {
            Kiln.Built built = kiln.build(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), true, FetchListener.NONE);
            System.out.println("built " + built.top().digest());
        } catch (KilnException e) {
            System.err.println("kiln: " + e.getMessage());
            System.exit(3);
        }
    }
}
