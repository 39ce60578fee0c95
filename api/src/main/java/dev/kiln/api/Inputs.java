package dev.kiln.api;

import dev.kiln.assembler.copy.BuildContext;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.SpecException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A spec as a lock or a build takes it: its checked model, where its lock is, what the lock calls
 * it, and where its relative paths start. A spec file's relative paths start in its directory; a
 * spec made in code is placed in the build context when there is one (its copies come from there),
 * else beside its lock.
 *
 * @param lockPath the spec as the lock names it: relative to the lock's directory, or a spec made in code's name
 * @param baseDir the spec's directory: where a relative {@code signed-by} key file is looked for
 *     first, and what a relative {@code file:} repository is relative to
 */
record Inputs(Spec spec, ImageSpec parsed, Path lockFile, String lockPath, Path baseDir) {
    static Inputs of(Spec spec, Path lockFile, Optional<Path> context) {
        Path lockDir = lockFile.toAbsolutePath().getParent();
        if (spec.file().isPresent()) {
            Path file = spec.file().get().toAbsolutePath();
            return new Inputs(spec, spec.parsed(), lockFile, lockDir.relativize(file).toString(), file.getParent());
        }
        if (context.isPresent()) {
            Path dir = context.get().toAbsolutePath().normalize();
            ImageSpec placed = spec.parsedAs(dir.resolve(Path.of(spec.name()).getFileName()));
            return new Inputs(spec, placed, lockFile, spec.name(), dir);
        }
        if (!spec.parsed().copies().isEmpty()) {
            throw new SpecException(SpecException.Kind.CONTEXT, "the spec " + spec.name() + " was made in code and copies local files ("
                    + spec.parsed().copies().get(0).path() + "), which come only from a build context given for it",
                    "give the directory its sources are relative to as the Kiln's build context");
        }
        return new Inputs(spec, spec.parsed(), lockFile, spec.name(), lockDir);
    }

    /** Where the spec's copies must lie (a spec without copies has a context that nothing reads). */
    BuildContext buildContext(Optional<Path> context) {
        if (spec.file().isPresent()) {
            return BuildContext.of(spec.file().get(), context);
        }
        return BuildContext.of(context.isPresent() ? parsed.source() : lockFile.toAbsolutePath(), context);
    }

    /** These inputs with {@code dir} as the spec's directory (a rebuild from a copy of the spec taken elsewhere). */
    Inputs withBaseDir(Path dir) {
        return new Inputs(spec, parsed, lockFile, lockPath, dir.toAbsolutePath().normalize());
    }

    /** The spec as messages name it. */
    Path specPath() {
        return spec.file().orElse(Path.of(spec.name()));
    }
}
