package dev.kiln.api;

import dev.kiln.api.internal.BuildVariation;
import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StagingLock;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@link Kiln#checkBuild}: builds a spec twice from scratch, each time in a fresh temporary store,
 * and compares the two layouts blob by blob. The first build runs here and writes the output; the
 * second runs in a child JVM ({@link SecondBuild}) whose conditions differ in everything that must
 * not reach an image ({@link BuildVariation}). Any difference is reported with {@link ImageDiff},
 * and the second layout is kept beside the output ({@code DIR.rebuild}) to look at.
 *
 * <p>The child is this JVM's class path ({@code java.class.path}) under another {@code java}: its
 * settings are the session's, passed in a file, since kiln reads no environment.
 */
final class BuildCheck {
    /** Where the second layout goes, beside the output. */
    static final String REBUILD_SUFFIX = ".rebuild";

    private BuildCheck() {
    }

    /**
     * What the check found.
     *
     * @param first the first build, at the output
     * @param second where the second layout is kept (only when the two differ)
     */
    record Result(BuildResult first, Optional<Path> second, BuildVariation variation, ImageDiff diff) {
        boolean reproducible() {
            return diff.identical();
        }
    }

    static BuildCheckResult check(Session s, BuildRequest request, BuildVariation variation) {
        Result r = run(s, request, variation);
        return new BuildCheckResult(r.first(), r.second(), variation.describe(), Verification.differences(r.diff()),
                r.reproducible() ? "" : r.diff().render());
    }

    /**
     * Builds twice, the second time under {@code variation}, and compares. The request's mode
     * applies to the first build (which may write the lock as a build does); the second always uses
     * the lock the first one used.
     */
    static Result run(Session s, BuildRequest request, BuildVariation variation) {
        if (request.targets().size() != 1 || !(request.targets().get(0) instanceof Target.Layout layout)) {
            throw new IllegalArgumentException("a build check writes one layout: give it exactly one Target.layout");
        }
        Path target = layout.dir().toAbsolutePath().normalize();
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
            BuildResult first;
            try (Session fresh = s.withStore(work.resolve("store-1"), false)) {
                first = Building.build(fresh, request);
            }
            s.events.emit(new BuildCheckEvent(first.digest()));
            Path cwd = Files.createDirectory(work.resolve("cwd"));
            second(s, request, first, variation, rebuild, work, cwd);
            ImageDiff diff = ImageDiff.between(target, rebuild);
            if (diff.identical()) {
                ImageLayout.deleteRecursively(rebuild);
                // and the SBOMs and provenance the second build wrote beside it
                try (var beside = Files.list(parent)) {
                    for (Path f : beside.filter(f -> f.getFileName().toString().startsWith(rebuild.getFileName() + ".")).toList()) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    throw new AssembleException("cannot remove the second build's documents in " + parent + ": " + IoErrors.why(e), e);
                }
                return new Result(first, Optional.empty(), variation, diff);
            }
            return new Result(first, Optional.of(rebuild), variation, diff);
        } catch (IOException e) {
            throw new AssembleException("cannot check the build in " + parent + ": " + IoErrors.why(e), e);
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

    private static void second(Session s, BuildRequest request, BuildResult first, BuildVariation v, Path out, Path work, Path cwd)
            throws IOException {
        Properties settings = new Properties();
        settings.putAll(s.settings(work.resolve("store-2")));
        Spec spec = request.spec();
        if (spec.file().isPresent()) {
            settings.put("spec", spec.file().get().toAbsolutePath().toString());
        } else {
            settings.put("spec.yaml", Files.write(work.resolve("spec.yaml"), spec.yaml()).toString());
            settings.put("spec.name", spec.name());
        }
        settings.put("lock", first.lockFile().toAbsolutePath().toString());
        settings.put("out", out.toString());
        settings.put("epoch", Long.toString(v.epoch().orElse(first.epoch())));
        Path file = work.resolve("second.properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            settings.store(w, "the second build of a build check");
        }
        Path log = work.resolve("child.log");
        Path error = work.resolve("child.error");
        List<String> java = new ArrayList<>();
        java.add(v.java().toString());
        java.addAll(v.jvmOptions());
        java.add("-cp");
        java.add(classPath());
        java.add(SecondBuild.class.getName());
        java.add(file.toString());
        java.add(error.toString());
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + v.umask() + " && exec \"$@\"", "sh"));
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
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
            String said = Files.exists(error) ? Files.readString(error, StandardCharsets.UTF_8) : Files.readString(log, StandardCharsets.UTF_8);
            throw new AssembleException("the second build (in another JVM: " + v.describe() + ") failed with exit code " + code
                    + ":\n" + said.strip()
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

    /** The settings a {@link SecondBuild} reads back. */
    static Map<String, String> read(Path file) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
