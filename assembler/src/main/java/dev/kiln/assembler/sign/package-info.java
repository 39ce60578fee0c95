/**
 * Signing images and verifying them: ECDSA P-256 keys ({@link dev.kiln.assembler.sign.SigningKey},
 * {@link dev.kiln.assembler.sign.VerificationKey}, {@link dev.kiln.assembler.sign.KeyFiles}),
 * cosign-compatible signatures ({@link dev.kiln.assembler.sign.Signatures} over
 * {@link dev.kiln.assembler.sign.SimpleSigning} payloads) and DSSE-signed in-toto attestations
 * ({@link dev.kiln.assembler.sign.Attestations}, {@link dev.kiln.assembler.sign.Dsse}), both
 * attached as OCI 1.1 referrers through {@link dev.kiln.assembler.sign.Referrers}: in an image
 * layout ({@link dev.kiln.assembler.sign.LayoutReferrers}) or a registry
 * ({@link dev.kiln.assembler.sign.RegistryReferrers}), by one path
 * ({@link dev.kiln.assembler.sign.ImageSigning}), SPDX SBOMs among the attestations
 * ({@link dev.kiln.assembler.sign.SbomStatement}). The cryptography is the JDK's and Bouncy
 * Castle's; kiln writes none.
 */
package dev.kiln.assembler.sign;
