package dev.kiln.resolver.solve;

import java.util.Map;
import java.util.Set;

/**
 * How far the closure reaches.
 *
 * @param exclude names never put in the closure; a dependency on them counts as met
 * @param skipDependencies per package, dependency names not followed (distroless drops libc6 → libgcc-s1)
 * @param recommends follow Recommends as apt does with Install-Recommends
 */
public record SolveOptions(Set<String> exclude, Map<String, Set<String>> skipDependencies, boolean recommends) {
    public static final SolveOptions DEFAULT = new SolveOptions(Set.of(), Map.of(), false);

    public SolveOptions {
        exclude = Set.copyOf(exclude);
        skipDependencies = Map.copyOf(skipDependencies);
    }
}
