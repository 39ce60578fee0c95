package dev.kiln.api;

import dev.kiln.resolver.spec.PackageRequest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to explain: why a package is in the closure of a spec's lock, by the dependency chains that
 * pulled it in. Immutable; each {@code with} method returns a copy.
 */
public final class WhyRequest {
    /** How many chains an answer lists unless told otherwise; the rest are counted. */
    public static final int DEFAULT_MAX_CHAINS = 5;

    private final String packageName;
    private final Path specOrLock;
    private final LockMode mode;
    private final int maxChains;

    private WhyRequest(String packageName, Path specOrLock, LockMode mode, int maxChains) {
        this.packageName = Objects.requireNonNull(packageName, "packageName");
        this.specOrLock = Objects.requireNonNull(specOrLock, "specOrLock");
        this.mode = Objects.requireNonNull(mode, "mode");
        if (!PackageRequest.isName(packageName)) {
            throw new IllegalArgumentException("not a Debian package name: '" + packageName
                    + "' (expected lowercase letters, digits, '+', '-' and '.', at least two characters)");
        }
        if (mode == LockMode.FROZEN) {
            throw new IllegalArgumentException("why reads a lock ONLINE or OFFLINE; it never resolves, so FROZEN says nothing more");
        }
        if (maxChains < 1) {
            throw new IllegalArgumentException("expected at least one chain, found " + maxChains);
        }
        this.maxChains = maxChains;
    }

    /**
     * Why {@code packageName} is in the closure of {@code specOrLock}: a spec ({@code NAME.yaml},
     * with its lock {@code NAME.lock.json} beside it), or a lock (with the spec it names beside it).
     * The packages the lock pins are fetched when the store lacks them.
     */
    public static WhyRequest of(String packageName, Path specOrLock) {
        return new WhyRequest(packageName, specOrLock, LockMode.ONLINE, DEFAULT_MAX_CHAINS);
    }

    /** This request; {@link LockMode#OFFLINE} touches no network and fails naming what the store lacks. */
    public WhyRequest withMode(LockMode mode) {
        return new WhyRequest(packageName, specOrLock, mode, maxChains);
    }

    /** This request, listing at most {@code max} chains per answer (default {@value #DEFAULT_MAX_CHAINS}). */
    public WhyRequest withMaxChains(int max) {
        return new WhyRequest(packageName, specOrLock, mode, max);
    }

    public String packageName() {
        return packageName;
    }

    public Path specOrLock() {
        return specOrLock;
    }

    public LockMode mode() {
        return mode;
    }

    public int maxChains() {
        return maxChains;
    }

    @Override
    public String toString() {
        return "WhyRequest[" + packageName + ", " + specOrLock + ", " + mode + ", " + maxChains + "]";
    }
}
