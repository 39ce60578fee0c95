package dev.kiln.api;

import java.util.Objects;

/**
 * A build wrote its image but could not do all that a Debian install of its packages does: for
 * example a package's {@code postinst} registers alternatives in a way kiln cannot read, so those
 * links are not in the image. {@code message} names the package and says what to do; the build
 * still succeeds. The same warning comes once per build, not once per architecture.
 */
public record BuildWarningEvent(String message) implements KilnEvent {
    public BuildWarningEvent {
        Objects.requireNonNull(message, "message");
    }
}
