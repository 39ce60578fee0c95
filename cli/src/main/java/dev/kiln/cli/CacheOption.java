package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.SharedCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --cache}, {@code --cache-trust}, {@code --cache-push} and {@code --cache-key}, shared by
 * the commands that build ({@code build}, {@code verify}, {@code recipe build}): a store shared
 * through a registry, from the command line or {@code KILN_CACHE} / {@code KILN_CACHE_TRUST}.
 */
final class CacheOption {
    static final String CACHE_ENV = "KILN_CACHE";
    static final String TRUST_ENV = "KILN_CACHE_TRUST";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--cache", paramLabel = "HOST[:PORT]/REPO", description = {"A registry repository shared as a store: packages,"
        + " unpacked packages, layers and recipe builds are looked for there first (default: $KILN_CACHE)."})
    String cache;

    @Option(names = "--cache-trust", paramLabel = "PUB", description = {"Read the cache's memo entries signed by this public key"
        + " (repeatable; default: $KILN_CACHE_TRUST, paths separated by ':'). Without one, only package blobs are read."})
    List<Path> trust = new ArrayList<>();

    @Option(names = "--cache-push", description = {"Send what this command made to the cache after it succeeded, signed with --cache-key."})
    boolean push;

    @Option(names = "--cache-key", paramLabel = "KEY", description = {"The private key (kiln keys generate) --cache-push signs entries with."})
    Path key;

    /** {@code b} with the cache the options (or the environment) name, if any. */
    Kiln.Builder apply(Kiln.Builder b) {
        String repository = cache != null ? cache : blankToNull(System.getenv(CACHE_ENV));
        List<Path> keys = new ArrayList<>(trust);
        String envTrust = blankToNull(System.getenv(TRUST_ENV));
        if (keys.isEmpty() && envTrust != null) {
            for (String p : envTrust.split(":")) {
                if (!p.isBlank()) {
                    keys.add(Path.of(p));
                }
            }
        }
        if (push && key == null) {
            throw new ParameterException(mixee.commandLine(), "--cache-push needs --cache-key KEY: entries are signed by the pushing key");
        }
        if (key != null && !push) {
            throw new ParameterException(mixee.commandLine(), "--cache-key goes with --cache-push");
        }
        if (repository == null) {
            if (push || !trust.isEmpty()) {
                throw new ParameterException(mixee.commandLine(), "--cache-trust and --cache-push need --cache HOST[:PORT]/REPO (or KILN_CACHE)");
            }
            return b;
        }
        SharedCache c;
        try {
            c = SharedCache.of(repository);
        } catch (dev.kiln.store.KilnException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
        for (Path k : keys) {
            c = c.trusting(k);
        }
        if (push) {
            c = c.pushingWith(key);
        }
        return b.cache(c);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
