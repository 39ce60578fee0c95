/**
 * Local files and directories a spec copies into its image ({@code paths} with a {@code source}),
 * as inputs pinned by content: {@link dev.kiln.assembler.copy.CopyReader} reads one as untrusted
 * input into a {@link dev.kiln.resolver.lock.CopyListing}, whose sha256 the lock pins;
 * {@link dev.kiln.assembler.copy.Copies} pins, loads into the store, holds to the lock and
 * takes back from the store for a rebuild.
 */
package dev.kiln.assembler.copy;
