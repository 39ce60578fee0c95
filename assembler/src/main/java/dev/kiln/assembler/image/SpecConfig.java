package dev.kiln.assembler.image;

import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@link ImageSpec} says about the image's config and manifest, with apko's meaning for
 * each key. Pure: values in, values out.
 *
 * <ul>
 *   <li>{@code entrypoint.command} and {@code cmd} are split into words by {@link ShellWords};
 *   <li>{@code work-dir} is {@code WorkingDir};
 *   <li>{@code environment} is {@code Env} as {@code K=V} in the spec's order, after
 *       {@code PATH=}{@value #DEFAULT_PATH} unless the spec sets {@code PATH} (apko sorts Env and
 *       also adds {@code SSL_CERT_FILE}; kiln keeps the author's order and adds only PATH);
 *   <li>{@code accounts.run-as} is {@code User} verbatim, as apko writes it: a name stays a name
 *       and the runtime resolves it through the image's {@code /etc/passwd};
 *   <li>{@code annotations} are the manifest's annotations and also the config's {@code Labels},
 *       as apko sets both;
 *   <li>{@code stop-signal}, {@code volumes} and {@code ports} ({@code 8080/tcp}) map one to one.
 * </ul>
 */
public final class SpecConfig {
    /** Debian's default PATH for a login-less process (as in base-files' /etc/profile for root). */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What each layer's history entry names as its maker. */
    public static final String CREATED_BY = "kiln";

    private SpecConfig() {}

    /**
     * The config file for one architecture's image.
     *
     * @param debianArch a Debian architecture name, e.g. {@code arm64}
     * @param diffIds the uncompressed digests of the image's layers, base first
     * @param epoch the image's time in seconds since 1970 (SOURCE_DATE_EPOCH): {@code created} and
     *     every history entry's time
     */
    public static ImageConfigFile configFile(ImageSpec spec, String debianArch, List<Digest> diffIds, long epoch) {
        return configFile(spec, debianArch, diffIds, java.util.Collections.nCopies(diffIds.size(), null), epoch);
    }

    /**
     * As {@link #configFile(ImageSpec, String, List, long)}, with a history comment per layer
     * ({@code null} for none) saying what the layer holds.
     */
    public static ImageConfigFile configFile(ImageSpec spec, String debianArch, List<Digest> diffIds, List<String> comments,
            long epoch) {
        if (comments.size() != diffIds.size()) {
            throw new IllegalArgumentException(diffIds.size() + " layers but " + comments.size() + " comments");
        }
        Optional<Instant> created = Optional.of(Instant.ofEpochSecond(epoch));
        List<ImageConfigFile.History> history = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            history.add(new ImageConfigFile.History(created, Optional.of(CREATED_BY), Optional.ofNullable(comments.get(i)), false));
        }
        return new ImageConfigFile(Platform.ofDebian(debianArch), created, config(spec), diffIds, history);
    }

    /** The runtime config ({@code config} in the config file). */
    public static ImageConfig config(ImageSpec spec) {
        List<String> env = new ArrayList<>();
        if (!spec.environment().containsKey("PATH")) {
            env.add("PATH=" + DEFAULT_PATH);
        }
        spec.environment().forEach((k, v) -> env.add(k + "=" + v));
        Set<String> ports = new LinkedHashSet<>();
        for (ImageSpec.Port p : spec.ports()) {
            ports.add(p.number() + "/" + p.protocol());
        }
        return new ImageConfig(
                spec.accounts().runAs(),
                env,
                spec.entrypoint().map(ShellWords::split).orElse(List.of()),
                spec.cmd().map(ShellWords::split).orElse(List.of()),
                spec.workDir(),
                spec.annotations(),
                spec.stopSignal(),
                new LinkedHashSet<>(spec.volumes()),
                ports);
    }

    /** The manifest's annotations. */
    public static Map<String, String> annotations(ImageSpec spec) {
        return spec.annotations();
    }
}
