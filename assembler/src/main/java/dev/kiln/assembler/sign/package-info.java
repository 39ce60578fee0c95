/**
 * Signing images and verifying them: ECDSA P-256 keys ({@link dev.kiln.assembler.sign.SigningKey},
 * {@link dev.kiln.assembler.sign.VerificationKey}, {@link dev.kiln.assembler.sign.KeyFiles}),
 * cosign-compatible signatures ({@link dev.kiln.assembler.sign.Signatures} over
 * {@link dev.kiln.assembler.sign.SimpleSigning} payloads) and DSSE-signed in-toto attestations
 * ({@link dev.kiln.assembler.sign.Attestations}, {@link dev.kiln.assembler.sign.Dsse}), both
 * attached as OCI 1.1 referrers through {@link dev.kiln.assembler.sign.Referrers}: an image
 * layout ({@link dev.kiln.assembler.sign.LayoutReferrers}) now, a registry later. The
 * cryptography is the JDK's and Bouncy Castle's; kiln writes none.
 */
package dev.kiln.assembler.sign;
