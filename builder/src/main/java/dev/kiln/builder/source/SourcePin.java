package dev.kiln.builder.source;

import dev.kiln.store.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * What a recipe lock pins for one source, by the key of the step that declares it. Nothing here
 * names the host: URLs are kept as written, local paths relative to the recipe's directory.
 */
public sealed interface SourcePin permits SourcePin.Fetch, SourcePin.Git, SourcePin.Local {
    /** The key of the step that declares the source, e.g. {@code pipeline[0]}. */
    String key();

    /** What the pin stands for, for messages: {@code pipeline[0] (https://...)}. */
    String describe();

    /**
     * A fetched file: the URI as written, the sha256 and size of its bytes (the store keeps them by
     * that sha256), and the sha512 when the recipe gives one.
     */
    record Fetch(String key, String uri, Digest sha256, Optional<String> sha512, long size) implements SourcePin {
        public Fetch {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(sha512, "sha512");
        }

        @Override
        public String describe() {
            return key + " (" + uri + ")";
        }
    }

    /**
     * A git tree: the repository as written, the ref, the commit it resolved to, and the sha256 of
     * the tree kiln exported from it (a {@code kiln-source-1} listing, which the store keeps with every file).
     */
    record Git(String key, String repository, String ref, String commit, Digest tree) implements SourcePin {
        public Git {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(tree, "tree");
        }

        @Override
        public String describe() {
            return key + " (" + repository + " " + ref + ")";
        }
    }

    /** A local file or directory: its path as written and the sha256 of its {@code kiln-source-1} listing. */
    record Local(String key, String path, Digest listing, int files, long size) implements SourcePin {
        public Local {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(listing, "listing");
        }

        @Override
        public String describe() {
            return key + " (" + path + ")";
        }
    }
}
