/**
 * Signing images and verifying them: ECDSA P-256 keys ({@link dev.kiln.trust.SigningKey},
 * {@link dev.kiln.trust.VerificationKey}, {@link dev.kiln.trust.KeyFiles}),
 * cosign-compatible signatures ({@link dev.kiln.trust.Signatures} over
 * {@link dev.kiln.trust.SimpleSigning} payloads) and DSSE-signed in-toto attestations
 * ({@link dev.kiln.trust.Attestations}, {@link dev.kiln.trust.Dsse}), both
 * attached as OCI 1.1 referrers through {@link dev.kiln.oci.Referrers}: in an image
 * layout ({@link dev.kiln.oci.LayoutReferrers}) or a registry
 * ({@link dev.kiln.oci.registry.RegistryReferrers}), by one path
 * ({@link dev.kiln.trust.ImageSigning}), SPDX SBOMs among the attestations
 * ({@link dev.kiln.trust.SbomStatement}). The cryptography is the JDK's and Bouncy
 * Castle's; kiln writes none.
 */
package dev.kiln.trust;
