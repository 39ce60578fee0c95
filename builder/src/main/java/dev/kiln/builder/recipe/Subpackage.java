package dev.kiln.builder.recipe;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One of a recipe's {@code subpackages}: another binary package of the same build, at the same
 * version, whose pipeline moves files from {@code ${{targets.destdir}}} into its own
 * {@code ${{targets.subpkgdir}}}.
 */
public record Subpackage(String name, Optional<String> description, Relations dependencies, List<Step> pipeline) {
    public Subpackage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(dependencies, "dependencies");
        pipeline = List.copyOf(pipeline);
    }
}
