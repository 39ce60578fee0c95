/**
 * Deterministic image layers: a {@link dev.kiln.assembler.tree.FileTree} becomes a tar
 * ({@link dev.kiln.assembler.layer.TarLayerWriter}) and a gzip blob
 * ({@link dev.kiln.assembler.layer.GzipWriter}) whose bytes depend on the tree and the image epoch
 * only.
 *
 * <p><b>Why kiln has its own DEFLATE.</b> {@code java.util.zip.Deflater} is a thin layer over
 * whatever zlib the JVM links: Debian's OpenJDK uses the system zlib, Temurin bundles its own, and
 * some distributions ship zlib-ng, whose output differs for the same level. A layer digest made
 * with it would change with the JDK or the host. {@link dev.kiln.assembler.layer.DeterministicDeflater}
 * is plain Java with every choice fixed in constants (window, chain limits, lazy rule, block size,
 * package-merge code lengths, block-type choice), so its output is a function of the input bytes
 * alone. Golden digests in the tests pin it, and a test runs every other JDK on the host against
 * them. Changing any of those constants changes layer digests: bump the layer format version (and
 * the memo keys derived from it) in the same change. It searches as zlib's level 4 does (not 6: 45%
 * less CPU for about 2% more bytes), and its ratio matches {@code gzip -4} to within a fraction of a
 * percent. Decompression may use any inflater: reading is not affected.
 */
package dev.kiln.assembler.layer;
