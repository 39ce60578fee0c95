package dev.kiln.api;

import java.net.URI;
import java.util.Objects;

/**
 * How a fetch gets on: the packages a lock pins coming into the store, eight at a time, each
 * checked against its pinned size and sha256 as it streams in. A fetch first says what it will
 * fetch ({@link Planned}); then, per package, it starts on a URL, makes progress, may retry, and
 * finishes or fails. A package the store held with other bytes is {@link Damaged}: removed and
 * fetched again.
 */
public sealed interface FetchEvent extends KilnEvent {
    /** A package to fetch: {@code name} is {@code NAME VERSION ARCH}, {@code sha256} its pinned {@code sha256:...} digest. */
    record Download(String name, String sha256, long size) {
        public Download {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /** The fetch begins: {@code packages} files of {@code bytes} in all, some perhaps in the store already. */
    record Planned(int packages, long bytes) implements FetchEvent {
    }

    /** The download starts on {@code url} (once per URL tried, not per retry). */
    record Started(Download download, URI url) implements FetchEvent {
    }

    /** {@code bytes} of the file are staged; it can go down when a server makes kiln start over. */
    record Progress(Download download, long bytes) implements FetchEvent {
    }

    /** A transient failure on {@code url}; kiln waits a little and tries again, resuming if it can. */
    record Retrying(Download download, URI url, String why) implements FetchEvent {
    }

    /** The store held other bytes ({@code found}, a {@code sha256:...} digest) under the package's digest: removed, fetched again. */
    record Damaged(Download download, String found) implements FetchEvent {
    }

    /** The file is in the store: fetched and verified, or there already. */
    record Finished(Download download, boolean alreadyPresent) implements FetchEvent {
    }

    /** Every URL failed; {@code why} says what each did. The fetch then fails, saying it once for all. */
    record Failed(Download download, String why) implements FetchEvent {
    }
}
