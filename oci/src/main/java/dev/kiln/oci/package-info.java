/**
 * The OCI image model, its readers and writers. Values ({@link dev.kiln.oci.Descriptor},
 * {@link dev.kiln.oci.ImageConfigFile}, {@link dev.kiln.oci.Manifest},
 * {@link dev.kiln.oci.Index}) are kept apart from their JSON form, which
 * {@link dev.kiln.oci.OciJson} alone produces: sorted keys, no whitespace, so an
 * object's digest depends on its content only ({@link dev.kiln.oci.OciJsonReader} reads it back,
 * strictly). {@link dev.kiln.oci.ImageLayout} writes an OCI image layout directory atomically
 * (a layer's blob is written by whoever made the layer, hashing as it writes) and
 * {@link dev.kiln.oci.LayoutReader} reads one; {@link dev.kiln.oci.DockerArchive} writes an image
 * as {@code docker load} reads it, with the tar headers of {@link dev.kiln.oci.TarWriter}.
 * No time in any of these objects comes from a clock: {@code created} is the image epoch.
 * Nothing here knows Debian packages or image specs: this module depends on the store alone.
 */
package dev.kiln.oci;
