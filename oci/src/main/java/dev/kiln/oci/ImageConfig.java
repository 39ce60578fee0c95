package dev.kiln.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The execution parameters of an image: the {@code config} object of an OCI image configuration.
 * Empty values are left out of the JSON.
 *
 * @param user {@code user}, {@code uid}, {@code user:group} or {@code uid:gid}, as written
 * @param env {@code KEY=value} in the order given (order is meaningful to some runtimes: kept, never sorted)
 * @param labels sorted by key
 * @param volumes sorted
 * @param exposedPorts {@code port/protocol}, sorted
 */
public record ImageConfig(
        Optional<String> user,
        List<String> env,
        List<String> entrypoint,
        List<String> cmd,
        Optional<String> workingDir,
        Map<String, String> labels,
        Optional<String> stopSignal,
        Set<String> volumes,
        Set<String> exposedPorts) {

    public static final ImageConfig EMPTY = new ImageConfig(Optional.empty(), List.of(), List.of(), List.of(),
            Optional.empty(), Map.of(), Optional.empty(), Set.of(), Set.of());

    public ImageConfig {
        Objects.requireNonNull(user, "user");
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        Objects.requireNonNull(workingDir, "workingDir");
        labels = Descriptor.sortedCopy(labels);
        Objects.requireNonNull(stopSignal, "stopSignal");
        volumes = sortedSet(volumes);
        exposedPorts = sortedSet(exposedPorts);
    }

    private static Set<String> sortedSet(Set<String> set) {
        SortedSet<String> sorted = new TreeSet<>(OciJson.KEY_ORDER);
        for (String s : set) {
            sorted.add(Objects.requireNonNull(s));
        }
        return Collections.unmodifiableSortedSet(sorted);
    }
}
