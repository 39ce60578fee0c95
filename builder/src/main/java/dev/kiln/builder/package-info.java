/**
 * The package builder: recipes ({@code packages/NAME.yaml}, melange's keys), their locks (the build
 * environment's lock and every source pinned by sha256), the build environment as a kiln image
 * root, the bubblewrap sandbox a build runs in, deterministic {@code .deb} files and the signed
 * Debian repository they are published into, which images then resolve like any other.
 */
package dev.kiln.builder;
