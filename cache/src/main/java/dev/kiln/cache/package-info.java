/**
 * A store shared through an OCI registry ({@link dev.kiln.cache.RegistryStore}, a
 * {@link dev.kiln.store.RemoteStore}): blobs by sha256 in a registry repository, and memo entries
 * as OCI artifacts ({@link dev.kiln.cache.MemoEntry}) whose config is a DSSE envelope signed by a
 * builder's key; read only when signed by a trusted key and naming exactly the step and key asked
 * for, every blob hashed as it streams in.
 */
package dev.kiln.cache;
