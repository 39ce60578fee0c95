package dev.kiln.builder.recipe;

import java.util.List;

/**
 * A package's {@code dependencies}: what its control file says, each in Debian's relation syntax.
 *
 * @param runtime {@code Depends:}, e.g. {@code libc6 (>= 2.34)} or {@code awk | mawk}
 * @param provides {@code Provides:}, e.g. {@code hello-impl} or {@code hello-impl (= 1.0)}
 * @param replaces {@code Replaces:}, e.g. {@code hello-old (<< 2.0)}
 */
public record Relations(List<String> runtime, List<String> provides, List<String> replaces) {
    public static final Relations NONE = new Relations(List.of(), List.of(), List.of());

    public Relations {
        runtime = List.copyOf(runtime);
        provides = List.copyOf(provides);
        replaces = List.copyOf(replaces);
    }
}
