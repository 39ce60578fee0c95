package dev.kiln.resolver.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Debian architecture names, and the other names (apko's, the kernel's) that specs may use for them. */
public final class Architectures {
    /** The architectures Debian builds its main archive for. */
    public static final List<String> DEBIAN =
            List.of("amd64", "arm64", "armhf", "armel", "i386", "ppc64el", "s390x", "riscv64", "mips64el");

    // Only names that mean one Debian architecture without doubt: apk's "armhf" is ARMv6, not Debian's armhf.
    private static final Map<String, String> ALIASES =
            Map.of("x86_64", "amd64", "aarch64", "arm64", "ppc64le", "ppc64el", "386", "i386");

    private Architectures() {}

    /** The Debian name for {@code name}, which may be a Debian name or an alias like {@code x86_64}. */
    public static Optional<String> toDebian(String name) {
        if (DEBIAN.contains(name)) {
            return Optional.of(name);
        }
        return Optional.ofNullable(ALIASES.get(name));
    }

    /** True if {@code name} is a Debian architecture name as written in apt sources. */
    public static boolean isDebian(String name) {
        return DEBIAN.contains(name);
    }

    static String known() {
        return String.join(", ", DEBIAN) + " (or x86_64, aarch64, ppc64le, 386)";
    }
}
