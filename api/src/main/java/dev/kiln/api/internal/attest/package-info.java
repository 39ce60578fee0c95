/**
 * How an image was made: an in-toto Statement v1 with a SLSA provenance v1 predicate naming the
 * built digests, the spec, and every signed Release and package the lock pinned. Signing it is a
 * separate step.
 */
package dev.kiln.api.internal.attest;
