package dev.kiln.builder.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One script step of a pipeline: a built-in ({@code uses} with its {@code with} inputs) or a shell
 * script ({@code runs}). Sources ({@code fetch}, {@code git-checkout}, {@code source}) are not steps:
 * they are {@link dev.kiln.builder.source.Source}s, fetched before any step runs.
 *
 * @param key the step's key path, e.g. {@code pipeline[3]} or {@code subpackages[0].pipeline[0]}
 * @param line where it starts
 * @param uses a built-in's name, e.g. {@code autoconf/make}; empty for a {@code runs} step
 * @param with the built-in's inputs, in the order written
 * @param runs the script as written, {@code ${{...}}} not yet substituted
 * @param name the step's {@code name}
 * @param workingDirectory relative to the workspace, or absolute under it
 * @param environment extra variables for the step, in the order written
 * @param mounts the step's {@code mounts:}, in the order written
 */
public record Step(String key, int line, Optional<String> uses, Map<String, String> with, Optional<String> runs,
                   Optional<String> name, Optional<String> workingDirectory, Map<String, String> environment,
                   List<StepMount> mounts) {
    public Step {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uses, "uses");
        with = Collections.unmodifiableMap(new LinkedHashMap<>(with));
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        mounts = List.copyOf(mounts);
        if (uses.isPresent() == runs.isPresent()) {
            throw new IllegalArgumentException(key + ": a step has exactly one of uses and runs");
        }
    }
}
