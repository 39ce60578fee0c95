/**
 * Where two OCI image layouts part: {@link dev.kiln.oci.compare.ImageDiff} walks both from their
 * tops (indexes, manifests, configs, layers) and names each {@link dev.kiln.oci.compare.Difference}
 * down to the JSON field, the tar entry and its attribute; layers are read in one streaming pass
 * each and never unpacked.
 */
package dev.kiln.oci.compare;
