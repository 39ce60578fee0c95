package dev.kiln.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A second, shared store a {@link ContentStore} asks for what it lacks (kiln's {@code cache}
 * module keeps one on an OCI registry), so that the code that fetches, unpacks and compresses
 * need not know where a blob or a memo came from. Both reads bring what they find into the local
 * store, verified, and answer empty on anything else: a remote store that is down, slow or lying
 * is a miss, never an error and never a wrong result. Called from several threads at once.
 */
public interface RemoteStore {
    /** A remote store that has nothing. */
    RemoteStore NONE = new RemoteStore() {
        @Override
        public boolean fetchBlob(ContentStore local, Digest digest, long size) {
            return false;
        }

        @Override
        public Optional<Digest> memo(ContentStore local, MemoStep step, Digest key, Function<byte[], Set<Digest>> later) {
            return Optional.empty();
        }
    };

    /**
     * Brings the blob {@code digest} of {@code size} bytes into {@code local} if the remote has it,
     * hashed as it streams; true when {@code local} now holds it.
     */
    boolean fetchBlob(ContentStore local, Digest digest, long size);

    /**
     * On a local miss of a {@linkplain MemoStep#shared() shared} step: the value the remote holds a
     * trusted entry for, its value and every blob it lists put into {@code local} and the memo
     * recorded there ({@link ContentStore#putMemoFetched}); empty on a miss. The blobs {@code later}
     * names (given the value's bytes, already verified) may be left in the remote store, for the
     * caller to bring in through {@link #fetchBlob} when something reads them (an unpacked package's
     * files, whose index is a blob of its own). A remote store that cannot leave a blob behind
     * fetches them all.
     */
    Optional<Digest> memo(ContentStore local, MemoStep step, Digest key, Function<byte[], Set<Digest>> later);

    /**
     * A memo this store made in this session, with the blobs its value refers to (the unpacked
     * blob, a layer, a recipe build's packages): what a remote store is sent after a command
     * succeeded.
     */
    record Made(MemoStep step, Digest key, Digest value, List<Digest> blobs) {
        public Made {
            blobs = List.copyOf(blobs);
        }
    }
}
