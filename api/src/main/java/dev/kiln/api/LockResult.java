package dev.kiln.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a lock pins, as written to {@code lockFile}: the spec's digest, every package of every
 * architecture, and the local copies the spec makes; and, when it replaced a lock, which pins moved.
 *
 * @param packages by architecture (sorted), each list as the lock orders it
 * @param replaced whether a lock was there before, whose pins this one kept where it could
 * @param changes against that lock, each package whose pin did not stay (sorted by architecture and name)
 */
public record LockResult(Path lockFile, String specDigest, SortedMap<String, List<Package>> packages, List<Copy> copies,
                         boolean replaced, List<Change> changes) {
    public LockResult {
        Objects.requireNonNull(lockFile, "lockFile");
        Objects.requireNonNull(specDigest, "specDigest");
        TreeMap<String, List<Package>> sorted = new TreeMap<>();
        packages.forEach((arch, list) -> sorted.put(arch, List.copyOf(list)));
        packages = Collections.unmodifiableSortedMap(sorted);
        copies = List.copyOf(copies);
        changes = List.copyOf(changes);
    }

    /** A lock made afresh (no lock was there before). */
    public LockResult(Path lockFile, String specDigest, SortedMap<String, List<Package>> packages, List<Copy> copies) {
        this(lockFile, specDigest, packages, copies, false, List.of());
    }

    /** This result, saying whether it replaced a lock and what moved against it. */
    public LockResult withChanges(boolean replaced, List<Change> changes) {
        return new LockResult(lockFile, specDigest, packages, copies, replaced, changes);
    }

    /**
     * A pin that did not stay: {@code from} null for a package added, {@code to} null for one
     * removed; {@code reason} when one is known beyond the spec's own change ({@code "update asked
     * for"}, {@code "... no longer offered by ..."}, {@code "a dependency needs a newer version"}).
     */
    public record Change(String architecture, String name, String from, String to, String reason) {
        public Change {
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(name, "name");
        }
    }

    /** A pinned package: its name, version, architecture, and the {@code size} and {@code sha256:...} digest of its .deb. */
    public record Package(String name, String version, String architecture, long size, String sha256) {
    }

    /**
     * A local file or directory the spec copies into the image, pinned by the {@code sha256:...}
     * digest of its listing: {@code files} files of {@code size} bytes in all.
     */
    public record Copy(String path, String source, String sha256, int files, long size) {
    }

    /** How many packages each architecture has, in order. */
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        packages.forEach((arch, list) -> out.put(arch, list.size()));
        return out;
    }
}
