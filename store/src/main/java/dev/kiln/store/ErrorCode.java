package dev.kiln.store;

/**
 * A kind of failure, named by a stable code such as {@code store.disk-full}: what an exception
 * tracker groups by. Each module lists its kinds in an enum beside its exception (for instance
 * {@link StoreException.Kind}); the README's table of error codes lists every one. A code, once
 * published, does not change: a test in each module pins its list.
 */
@FunctionalInterface
public interface ErrorCode {
    /** A short dotted lowercase name: the family first ({@code store}), then the kind ({@code disk-full}). */
    String code();
}
