/**
 * From an image spec and its packages to an OCI image: {@link dev.kiln.assembler.image.SpecConfig}
 * maps an image spec onto a config with apko's meaning for each key.
 */
package dev.kiln.assembler.image;
