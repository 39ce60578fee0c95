package dev.kiln.builder.source;

import dev.kiln.store.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * Something a recipe builds from, fetched and checked by kiln on the host before any step runs:
 * an archive or file by URL ({@code uses: fetch}), a git tree ({@code uses: git-checkout}) or a
 * local file or directory beside the recipe ({@code source:}). Each is written at a key of the
 * recipe ({@code pipeline[0]}) and line, which errors name.
 */
public sealed interface Source permits Source.Fetch, Source.Git, Source.Local {
    /** The key path of the step that declares it, e.g. {@code pipeline[0]}. */
    String key();

    /** The line the step starts on. */
    int line();

    /**
     * {@code uses: fetch}: a file by URL, checked while streaming.
     *
     * @param uri as written, {@code ${..._MIRROR}} variables unexpanded (the lock keeps it so)
     * @param sha256 {@code expected-sha256}
     * @param sha512 {@code expected-sha512}, lowercase hex; at least one of the two is given
     * @param stripComponents leading path components dropped from each archive entry
     * @param extract whether the file is an archive to unpack into the workspace, or a file put there as it is
     */
    record Fetch(String key, int line, String uri, Optional<Digest> sha256, Optional<String> sha512,
                 int stripComponents, boolean extract) implements Source {
        public Fetch {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(sha512, "sha512");
            if (sha256.isEmpty() && sha512.isEmpty()) {
                throw new IllegalArgumentException("a fetch needs expected-sha256 or expected-sha512");
            }
        }

        /** The file's name in the workspace when it is not extracted: the last segment of the URI's path. */
        public String fileName() {
            String path = uri;
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
            String name = path.substring(path.lastIndexOf('/') + 1);
            return name.isEmpty() || name.equals(".") || name.equals("..") ? "download" : name;
        }
    }

    /**
     * {@code uses: git-checkout}: a commit's tree, exported by kiln.
     *
     * @param repository the repository's URL as written ({@code ${..._MIRROR}} variables unexpanded)
     * @param ref {@code refs/tags/NAME} or {@code refs/heads/NAME}
     * @param expectedCommit the full commit id the ref must resolve to
     * @param destination where the tree goes, relative to the workspace ({@code .} for the workspace itself)
     */
    record Git(String key, int line, String repository, String ref, String expectedCommit, String destination) implements Source {
        public Git {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(expectedCommit, "expectedCommit");
            Objects.requireNonNull(destination, "destination");
        }
    }

    /**
     * {@code source:}: a local file or directory under the recipe's directory, copied as image
     * specs copy theirs (symlinks leading out and {@code ..} refused).
     *
     * @param path as written, relative to the recipe's directory
     * @param destination where it goes, relative to the workspace
     */
    record Local(String key, int line, String path, String destination) implements Source {
        public Local {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(destination, "destination");
        }
    }
}
