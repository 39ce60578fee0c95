package dev.kiln.api;

import java.util.Objects;

/**
 * A lock took a package name from a {@code file:} repository (a recipes repository) that another
 * repository of the spec offers too: the {@code file:} repositories shadow the others for the names
 * they offer, even when another offers a higher version (Debian's {@code hello 2.10-3} against a
 * recipe's {@code 2.10-0kiln1}), so the choice is never silent. Said once per name, whatever the
 * architectures; the lock pins the {@code file:} repository's package.
 *
 * @param name the package name
 * @param version the version locked, from {@code repository}
 * @param repository the {@code file:} repository's line, as the spec writes it
 * @param hiddenVersion the highest version the other repositories offer
 * @param hiddenRepository the line of the repository offering it, as the spec writes it
 * @param message the whole of it in words: "hello: taken from file:../repo recipes (2.10-0kiln1), not from ..."
 */
public record ShadowedPackageEvent(String name, String version, String repository, String hiddenVersion, String hiddenRepository,
        String message) implements KilnEvent {
    public ShadowedPackageEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(hiddenVersion, "hiddenVersion");
        Objects.requireNonNull(hiddenRepository, "hiddenRepository");
        Objects.requireNonNull(message, "message");
    }
}
