/**
 * What {@code kiln verify} needs besides a rebuild, none of it depending on the façade: the image
 * checked, opened from a layout, an archive or a registry
 * ({@link dev.kiln.api.verify.CheckedImage}); its blobs held to their digests
 * ({@link dev.kiln.api.verify.ImageBlobs}); the spec, lock and local files it carries
 * ({@link dev.kiln.api.verify.EmbeddedInputs}, {@link dev.kiln.api.verify.ImageCopies}); and the
 * packages its dpkg records name against those its lock pins
 * ({@link dev.kiln.api.verify.InstalledPackages}). {@link dev.kiln.api.Kiln#verify} puts them
 * together; {@link dev.kiln.api.BuildCheck} is the check of a build made twice.
 */
package dev.kiln.api.verify;
