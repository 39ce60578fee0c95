package dev.kiln.resolver.repo;

import dev.kiln.resolver.solve.PackageSource;
import dev.kiln.resolver.debian.Release;
import dev.kiln.store.Digest;
import java.util.List;

/**
 * One repository (an apt source line) read for one architecture: its verified Release and the
 * packages of its indexes.
 *
 * @param releaseDigest sha256 of the InRelease (or Release) bytes as fetched and verified
 * @param signers primary-key fingerprints of the good signatures
 * @param indexes the Packages files read, by path below {@code dists/SUITE/}, with their digests
 */
public record SuiteIndex(
        String line,
        Release release,
        Digest releaseDigest,
        List<String> signers,
        List<Release.FileEntry> indexes,
        PackageSource packages) {
}
