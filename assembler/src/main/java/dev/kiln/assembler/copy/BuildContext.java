package dev.kiln.assembler.copy;

import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.IoErrors;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The directory a spec's local sources must stay inside, as Docker confines {@code COPY} to its
 * build context: by default the spec's own directory; a wider one only from the person running
 * kiln ({@code --context}, {@code Kiln.Builder.context}), never from the spec, and it must contain
 * the spec. A spec reviewed in a repository cannot then copy a runner's {@code /etc/shadow} or
 * {@code /proc/self/environ} into an image it pushes.
 *
 * <p>{@link #check} holds every source a spec copies to the rule before anything is read: a source
 * must be relative, must not leave the context by {@code ..} (lexically), and, every symlink on the
 * way followed (the source itself and every directory above it), must lie inside the context and
 * be a regular file or a directory. {@code /proc}, {@code /sys}, {@code /dev} and the kernel's other
 * pseudo file systems are refused whatever the context. A rebuild from the store ({@code kiln
 * verify}) reads no local source from disk and is not checked: the image's inputs are pinned.
 */
public final class BuildContext {
    /** Directories kiln never copies from, whatever the context: the kernel's views of processes and devices. */
    private static final List<Path> NEVER = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));
    /** File system types whose files are the kernel's state, not content: refused however they are mounted. */
    static final Set<String> PSEUDO = Set.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2",
            "debugfs", "tracefs", "securityfs", "configfs", "efivarfs", "bpf", "pstore", "mqueue", "binfmt_misc", "fusectl");

    private final Path dir;
    private final boolean given;

    private BuildContext(Path dir, boolean given) {
        this.dir = dir;
        this.given = given;
    }

    /**
     * The context for {@code specFile}: {@code dir} when the person running kiln gave one (it must
     * be a directory containing the spec), else the spec's own directory.
     */
    public static BuildContext of(Path specFile, Optional<Path> dir) {
        Path specDir = specFile.toAbsolutePath().normalize().getParent();
        Path realSpecDir = realDirectory(specDir, "the spec's directory " + specDir);
        if (dir.isEmpty()) {
            return new BuildContext(realSpecDir, false);
        }
        Path given = realDirectory(dir.get().toAbsolutePath().normalize(), "the build context " + dir.get());
        if (!realSpecDir.startsWith(given)) {
            throw new SpecException(SpecException.Kind.CONTEXT,
                    specFile.toString(), 0, "", "the build context " + dir.get() + " (" + given
                    + ") does not contain the spec (in " + realSpecDir + ")",
                    "give a context directory that holds the spec and its sources, e.g. the repository's root");
        }
        return new BuildContext(given, true);
    }

    private static Path realDirectory(Path p, String what) {
        try {
            Path real = p.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new SpecException(SpecException.Kind.CONTEXT, what + " is not a directory", "give a directory");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new SpecException(SpecException.Kind.CONTEXT, what + " does not exist", "check the path");
        } catch (IOException e) {
            throw new SpecException(SpecException.Kind.CONTEXT, "cannot read " + what + ": " + IoErrors.why(e), null);
        }
    }

    /** The context directory, every symlink followed. */
    public Path dir() {
        return dir;
    }

    /**
     * Holds every source {@code spec} copies to the rule (see the class comment), reading only
     * their paths and types; returns where each lies on disk, every symlink followed, by the
     * image path it is copied to. The first source that breaks the rule is a {@link SpecException}
     * naming the spec's line and key.
     */
    public Map<String, Path> check(ImageSpec spec) {
        Map<String, Path> out = new LinkedHashMap<>();
        List<ImageSpec.PathEntry> paths = spec.paths();
        for (int i = 0; i < paths.size(); i++) {
            ImageSpec.PathEntry p = paths.get(i);
            if (p.copiesSource()) {
                out.put(p.path(), locate(spec, p, where(spec, i)));
            }
        }
        return out;
    }

    /** Where the {@code i}th path entry's source is named, for messages. */
    static CopyReader.Where where(ImageSpec spec, int i) {
        String key = "paths[" + i + "].source";
        return new CopyReader.Where(spec.source().toString(), spec.line(key), key, spec.paths().get(i).source().orElseThrow());
    }

    private Path locate(ImageSpec spec, ImageSpec.PathEntry entry, CopyReader.Where where) {
        String source = where.source();
        String fix = given ? "copy what you need into " + dir + " and name it from the spec's directory"
                : "copy what you need beside the spec and name it from there, or, to reach wider, give a wider build"
                        + " context that holds both";
        if (source.startsWith("/")) {
            throw where.error(SpecException.Kind.COPY_OUTSIDE_CONTEXT,
                    "'" + source + "' is an absolute path, and local sources come only from inside the build context ("
                    + describe() + ")", fix);
        }
        Path specDir = realDirectory(spec.source().toAbsolutePath().normalize().getParent(), "the spec's directory");
        Path named = specDir.resolve(source).normalize();
        if (!named.startsWith(dir)) {
            throw where.error(SpecException.Kind.COPY_OUTSIDE_CONTEXT, "'" + source + "' leads outside the build context ("
                    + describe() + ") to " + named, fix);
        }
        Path real;
        try {
            real = named.toRealPath();
        } catch (NoSuchFileException e) {
            throw where.error(SpecException.Kind.COPY_NOT_FOUND, "no such file or directory: " + named,
                    "relative sources are taken from the spec's directory; check the path");
        } catch (IOException e) {
            throw where.error("cannot read " + named + ": " + IoErrors.why(e), null);
        }
        for (Path never : NEVER) {
            if (real.startsWith(never)) {
                throw where.error(SpecException.Kind.COPY_REFUSED,
                        "'" + source + "' is " + real + (real.equals(named) ? "" : " (symlinks followed)")
                        + ", and kiln never copies from " + never + ": its files are the kernel's state of this machine",
                        "copy regular files from the build context");
            }
        }
        if (!real.startsWith(dir)) {
            throw where.error(SpecException.Kind.COPY_OUTSIDE_CONTEXT, "'" + source + "' leads outside the build context ("
                    + describe() + "): with its symlinks followed"
                    + " it is " + real, fix);
        }
        PosixFileAttributes a;
        String type;
        try {
            a = Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            FileStore fs = Files.getFileStore(real);
            type = fs.type();
        } catch (IOException e) {
            throw where.error("cannot read " + real + ": " + IoErrors.why(e), null);
        }
        if (PSEUDO.contains(type)) {
            throw where.error(SpecException.Kind.COPY_REFUSED,
                    "'" + source + "' is " + real + ", on a " + type + " file system, whose files are the kernel's"
                    + " state of this machine; kiln never copies from one", "copy regular files from the build context");
        }
        if (!a.isRegularFile() && !a.isDirectory()) {
            throw where.error(SpecException.Kind.COPY_REFUSED, "'" + source + "' is " + CopyReader.describe(real, a)
                    + (real.equals(named) ? "" : " (" + real + ")") + "; only regular files and directories can be copied",
                    "copy a regular file or a directory");
        }
        return real;
    }

    /** The context for messages: where it is, and whether the spec's directory or given. */
    private String describe() {
        return given ? dir + ", the context given" : dir + ", the spec's directory";
    }
}
