package dev.kiln.builder.testing;

import dev.kiln.resolver.spec.HostAptSources;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** For live tests: the host's Debian mirror and kiln's shipped keys, so that no host name is written down. */
public final class HostMirror {
    private HostMirror() {
    }

    /** {@code DEBIAN_MIRROR}, else the Debian mirror of the host's apt sources. */
    public static URI debian() {
        String fromEnvironment = System.getenv("DEBIAN_MIRROR");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return URI.create(fromEnvironment);
        }
        return HostAptSources.readHost().debianMirror()
                .orElseThrow(() -> new IllegalStateException("no Debian mirror in the host's apt sources; set DEBIAN_MIRROR"));
    }

    /** The repository's {@code keys/}, found above the working directory. */
    public static Path shippedKeys() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("keys")) && Files.exists(at.resolve("pom.xml"))) {
                return at.resolve("keys");
            }
        }
        throw new IllegalStateException("keys/ not found above " + Path.of("").toAbsolutePath());
    }
}
