/**
 * OpenPGP signature checking of repository metadata, with BouncyCastle's lightweight (Bc*) API.
 *
 * <p>{@link dev.kiln.fetcher.pgp.Keyring} holds the trusted public keys ({@code keys/},
 * {@code signed-by=}); {@link dev.kiln.fetcher.pgp.SignatureVerifier} checks a clearsigned
 * {@code InRelease} or a {@code Release} with its detached {@code Release.gpg} against it and
 * returns a {@link dev.kiln.fetcher.pgp.VerifiedDocument}, or refuses with a
 * {@link dev.kiln.fetcher.pgp.SignatureException}. The acceptance rules follow apt with gpgv, the
 * implementation users compare kiln with; tests hold the two against each other.
 */
package dev.kiln.fetcher.pgp;
