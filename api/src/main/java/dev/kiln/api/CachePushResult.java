package dev.kiln.api;

/**
 * What {@link Kiln#pushToCache} sent: {@code entries} memo entries (unpacked packages, control
 * files, layers) and {@code blobs} blobs the registry did not have, {@code bytes} in all, for
 * {@code locks} lock files.
 */
public record CachePushResult(int locks, int entries, int blobs, long bytes) {
}
