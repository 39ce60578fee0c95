/**
 * The OCI image model and its writers. Values ({@link dev.kiln.assembler.oci.Descriptor},
 * {@link dev.kiln.assembler.oci.ImageConfigFile}, {@link dev.kiln.assembler.oci.Manifest},
 * {@link dev.kiln.assembler.oci.Index}) are kept apart from their JSON form, which
 * {@link dev.kiln.assembler.oci.OciJson} alone produces: sorted keys, no whitespace, so an
 * object's digest depends on its content only. {@link dev.kiln.assembler.oci.SpecConfig} maps an
 * image spec onto a config with apko's meaning for each key;
 * {@link dev.kiln.assembler.oci.ImageLayout} writes an OCI image layout directory atomically.
 * No time in any of these objects comes from a clock: {@code created} is the image epoch.
 */
package dev.kiln.assembler.oci;
