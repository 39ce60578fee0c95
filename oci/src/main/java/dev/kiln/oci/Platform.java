package dev.kiln.oci;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The platform an image runs on, in OCI's (Go's) names.
 *
 * @param os always {@code linux} for kiln's images
 * @param architecture GOARCH: {@code amd64}, {@code arm64}, {@code arm}, {@code 386}, ...
 * @param variant the CPU variant where OCI defines one ({@code v8} for arm64, {@code v7} for armhf)
 */
public record Platform(String os, String architecture, Optional<String> variant) {
    private static final List<String> DEBIAN_NAMES =
            List.of("amd64", "arm64", "armhf", "armel", "i386", "ppc64el", "s390x", "riscv64", "mips64el");
    // the other names a spec may use for them, as the resolver's Architectures takes them (a test holds the two together)
    private static final Map<String, String> ALIASES =
            Map.of("x86_64", "amd64", "aarch64", "arm64", "ppc64le", "ppc64el", "386", "i386");

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(variant, "variant");
    }

    /** The OCI platform for a Debian architecture name ({@code amd64}, {@code arm64}, {@code armhf}, ...). */
    public static Platform ofDebian(String debianArch) {
        return switch (debianArch) {
            case "amd64" -> linux("amd64", null);
            case "arm64" -> linux("arm64", "v8");
            case "armhf" -> linux("arm", "v7");
            case "armel" -> linux("arm", "v5");
            case "i386" -> linux("386", null);
            case "ppc64el" -> linux("ppc64le", null);
            case "s390x" -> linux("s390x", null);
            case "riscv64" -> linux("riscv64", null);
            case "mips64el" -> linux("mips64le", null);
            default -> throw new OciException("no OCI platform for the Debian architecture '" + debianArch
                    + "': expected one of " + String.join(", ", DEBIAN_NAMES));
        };
    }

    /** The Debian architecture name of this platform, e.g. {@code armhf} for linux/arm/v7; the inverse of {@link #ofDebian}. */
    public String debianArchitecture() {
        for (String debian : DEBIAN_NAMES) {
            if (ofDebian(debian).equals(this)) {
                return debian;
            }
        }
        throw new OciException("no Debian architecture for the platform " + this);
    }

    /** The Debian name for {@code name}, which may be a Debian name or an alias like {@code x86_64}. */
    public static Optional<String> debianName(String name) {
        if (DEBIAN_NAMES.contains(name)) {
            return Optional.of(name);
        }
        return Optional.ofNullable(ALIASES.get(name));
    }

    private static Platform linux(String architecture, String variant) {
        return new Platform("linux", architecture, Optional.ofNullable(variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
