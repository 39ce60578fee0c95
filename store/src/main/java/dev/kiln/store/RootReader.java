package dev.kiln.store;

import java.nio.file.Path;
import java.util.Set;

/**
 * Says which blobs a root file (a lockfile, an image layout) refers to, so that gc keeps them. The
 * store knows no file formats; modules that do may supply their own reader, and {@link #scanning()}
 * is a format-blind default that is enough for kiln's lockfiles.
 */
@FunctionalInterface
public interface RootReader {
    /**
     * The digests {@code file} refers to. Reading must not half-succeed: if the file cannot be read,
     * throw a {@link StoreException}, and gc deletes nothing.
     */
    Set<Digest> references(Path file);

    /**
     * The blobs {@code file} itself names (packages, Releases, indexes, listings and their files),
     * without any that a memo step made from them: what gc keeps when it drops every memo
     * ({@link StoreGc.Memos#DROP_ALL}). By default, all of {@link #references}.
     */
    default Set<Digest> ownReferences(Path file) {
        return references(file);
    }

    /**
     * Finds {@code sha256:<64 hex>} anywhere and {@code "sha256": "<64 hex>"} (a lockfile's package
     * pins; {@code "release": "sha256:…"} is the first form), plus the digest of the file's own bytes,
     * so a lockfile that the store also holds (a memoized solve) stays warm. A directory is read file
     * by file. Text it misreads as a digest only keeps a blob longer; it never loses one.
     */
    static RootReader scanning() {
        return DigestScanner::scan;
    }
}
