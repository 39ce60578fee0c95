package dev.kiln.oci.registry;

import dev.kiln.oci.VerifiedCopy;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * Blobs in a repository: a HEAD to see whether one is there, uploads (one PUT, or PATCH chunks
 * with Content-Range then an empty PUT for large ones; a failed try starts a new upload session)
 * and downloads, each hashed and held to its digest before anything is kept.
 */
final class Blobs {
    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");

    private final RegistryTransport transport;
    private final RegistryAuth auth;
    private final RegistryErrors errors;
    private final long chunkThreshold;
    private final long chunkSize;

    Blobs(RegistryTransport transport, RegistryAuth auth, RegistryErrors errors, long chunkThreshold, long chunkSize) {
        this.transport = transport;
        this.auth = auth;
        this.errors = errors;
        this.chunkThreshold = chunkThreshold;
        this.chunkSize = chunkSize;
    }

    boolean hasBlob(ImageReference repo, Digest digest, Access access) {
        return transport.retrying(repo, "check for blob " + digest, a -> {
            Request head = new Request.Builder().url(transport.url(repo, "blobs/" + digest)).head().build();
            try (Response r = auth.exchange(a, repo, access, head)) {
                if (r.code() == 200) {
                    return true;
                }
                if (r.code() == 404) {
                    return false;
                }
                throw errors.failure(repo, access, r, "check for blob " + digest);
            }
        });
    }

    /** Uploads {@code bytes} as a blob of {@code repo} (skipped if there); returns its digest. */
    Digest putBlob(ImageReference repo, byte[] bytes) {
        Digest digest = Digest.of(bytes);
        byte[] copy = bytes.clone();
        if (!hasBlob(repo, digest, Access.PUSH)) {
            upload(repo, digest, copy.length, (offset, length) -> RequestBody.create(copy, OCTET_STREAM, (int) offset, (int) length));
        }
        return digest;
    }

    /**
     * Uploads the file {@code blob}, which must be {@code size} bytes with {@code digest} (the registry
     * checks), unless {@code repo} has it already. Returns true if it was uploaded.
     */
    boolean putBlob(ImageReference repo, Digest digest, long size, Path blob) {
        if (hasBlob(repo, digest, Access.PUSH)) {
            return false;
        }
        upload(repo, digest, size, (offset, length) -> new FileSlice(blob, offset, length));
        return true;
    }

    /** A blob of at most {@code maxBytes}, verified against {@code digest}. */
    byte[] getBlob(ImageReference repo, Digest digest, long maxBytes) {
        return transport.retrying(repo, "download blob " + digest, a -> {
            try (Response r = blobResponse(a, repo, digest)) {
                long declared = r.body().contentLength();
                if (declared > maxBytes) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + ": blob " + digest + " in " + repo.repository() + " has "
                            + declared + " bytes, more than the " + maxBytes + " expected");
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                }
                if (bytes.length > maxBytes) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + ": blob " + digest + " in " + repo.repository()
                            + " has more than the " + maxBytes + " bytes expected");
                }
                RegistryErrors.checkDigest(repo, "blob", digest, Digest.of(bytes));
                return bytes;
            }
        });
    }

    /**
     * Downloads a blob of {@code size} bytes into {@code target}, hashing as it comes; {@code target} is
     * written only when size and digest match (atomically), else nothing is left.
     */
    void getBlob(ImageReference repo, Digest digest, long size, Path target) {
        Path abs = target.toAbsolutePath();
        readBlob(repo, digest, in -> {
            AtomicFile.write(abs, AtomicFile.PUBLIC,
                    out -> VerifiedCopy.copy(in, out, digest, size, repo.registry() + "/" + repo.repository() + " blob " + digest));
            return null;
        });
    }

    /**
     * Hands the body of the blob {@code digest} to {@code reader} as it streams (the reader checks
     * the bytes, e.g. into a store with an expected digest); tried again, from the start, on a
     * transient failure.
     */
    <T> T readBlob(ImageReference repo, Digest digest, RegistryClient.BlobReader<T> reader) {
        return transport.retrying(repo, "download blob " + digest, a -> {
            try (Response r = blobResponse(a, repo, digest); InputStream in = r.body().byteStream()) {
                return reader.read(in);
            }
        });
    }

    /** An open 200 response for the blob {@code digest} (redirects followed). */
    Response blobResponse(Retrying.Attempt a, ImageReference repo, Digest digest) throws IOException {
        Request get = new Request.Builder().url(transport.url(repo, "blobs/" + digest)).get().build();
        Response r = auth.exchange(a, repo, Access.PULL, get);
        if (r.code() != 200) {
            try (r) {
                throw errors.failure(repo, Access.PULL, r, "download blob " + digest);
            }
        }
        return r;
    }

    /** Slices of a blob as request bodies, so an upload can be sent again. */
    @FunctionalInterface
    private interface BlobSlices {
        RequestBody slice(long offset, long length);
    }

    private void upload(ImageReference repo, Digest digest, long size, BlobSlices blob) {
        transport.retrying(repo, "upload blob " + digest, a -> {
            HttpUrl location = startUpload(a, repo);
            Request put;
            if (size <= chunkThreshold) {
                put = new Request.Builder().url(withDigest(location, digest)).put(blob.slice(0, size)).build();
            } else {
                long offset = 0;
                while (offset < size) {
                    long n = Math.min(chunkSize, size - offset);
                    Request patch = new Request.Builder().url(location)
                            .header("Content-Range", offset + "-" + (offset + n - 1))
                            .patch(blob.slice(offset, n)).build();
                    try (Response r = auth.exchange(a, repo, Access.PUSH, patch)) {
                        if (r.code() != 202) {
                            throw errors.failure(repo, Access.PUSH, r, "upload a chunk of blob " + digest);
                        }
                        checkRange(repo, digest, r.header("Range"), offset + n);
                        location = nextLocation(repo, r);
                    }
                    offset += n;
                }
                put = new Request.Builder().url(withDigest(location, digest)).put(RequestBody.create(new byte[0], OCTET_STREAM)).build();
            }
            try (Response r = auth.exchange(a, repo, Access.PUSH, put)) {
                if (r.code() != 201 && r.code() != 204) {
                    throw errors.failure(repo, Access.PUSH, r, "finish the upload of blob " + digest);
                }
                String stored = r.header("Docker-Content-Digest");
                if (stored != null && !stored.trim().equals(digest.toString())) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + " stored blob " + digest + " of " + repo.repository()
                            + " under another digest, " + stored.trim() + "\n  fix: report it to the registry's operators");
                }
            }
            return null;
        });
    }

    private HttpUrl startUpload(Retrying.Attempt a, ImageReference repo) throws IOException {
        Request post = new Request.Builder().url(transport.url(repo, "blobs/uploads/")).post(RequestBody.create(new byte[0], null)).build();
        try (Response r = auth.exchange(a, repo, Access.PUSH, post)) {
            if (r.code() != 202) {
                throw errors.failure(repo, Access.PUSH, r, "start a blob upload");
            }
            return nextLocation(repo, r);
        }
    }

    private HttpUrl nextLocation(ImageReference repo, Response r) {
        String location = r.header("Location");
        HttpUrl next = location == null ? null : r.request().url().resolve(location);
        if (next == null) {
            throw new RegistryException(repo.registry() + " answered an upload to " + repo.repository()
                    + " without a usable Location header (found " + location + ")\n  fix: check that this is an OCI registry");
        }
        transport.checkScheme(next);
        return next;
    }

    private static void checkRange(ImageReference repo, Digest digest, String range, long received) {
        if (range == null) {
            return;
        }
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) != received - 1) {
            String has = "has bytes " + range + " of blob " + digest + ", expected 0-" + (received - 1);
            throw new RegistryException.Transient(repo.registry() + " " + has, "it " + has, null);
        }
    }

    private static HttpUrl withDigest(HttpUrl location, Digest digest) {
        return location.newBuilder().addQueryParameter("digest", digest.toString()).build();
    }

    /** A part of a file as a request body that can be sent again. */
    private static final class FileSlice extends RequestBody {
        private final Path file;
        private final long offset;
        private final long length;

        FileSlice(Path file, long offset, long length) {
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public MediaType contentType() {
            return OCTET_STREAM;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                in.skipNBytes(offset);
                try (Source source = Okio.source(in)) {
                    long left = length;
                    while (left > 0) {
                        long n = source.read(sink.getBuffer(), Math.min(left, 1 << 16));
                        if (n < 0) {
                            throw new IOException(file + " ended " + left + " bytes early");
                        }
                        left -= n;
                        sink.emitCompleteSegments();
                    }
                }
            }
        }
    }
}
