package dev.kiln.fetcher;

import dev.kiln.store.IoErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The transport of {@code file:} repositories: a {@code file:///...} URI is read from this machine's
 * disk, any other goes to the network transport it wraps. What it reads is checked exactly as what a
 * mirror sends (the InRelease's signature, each index's and package's size and SHA256): a directory
 * is not trusted more than a mirror. A missing file is a {@link NotFoundException} naming its path,
 * so the callers' fallbacks (InRelease to Release, by-hash to the plain path) work as over HTTP.
 */
public final class FileTransport implements Transport {
    private final Transport network;

    private FileTransport(Transport network) {
        this.network = network;
    }

    /** {@code network} with {@code file:} URIs read from disk; a transport that already does so is returned as it is. */
    public static Transport over(Transport network) {
        Objects.requireNonNull(network, "network");
        return network instanceof FileTransport ? network : new FileTransport(network);
    }

    /** Whether {@code uri} is one this transport reads from disk. */
    public static boolean reads(URI uri) {
        return "file".equalsIgnoreCase(uri.getScheme());
    }

    @Override
    public Body get(URI uri) {
        return reads(uri) ? open(uri, 0) : network.get(uri);
    }

    @Override
    public Body get(URI uri, long fromByte) {
        return reads(uri) ? open(uri, fromByte) : network.get(uri, fromByte);
    }

    private static Body open(URI uri, long fromByte) {
        Path file;
        try {
            file = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new FetchException(uri + ": not a path on this machine (" + e.getMessage() + ")"
                    + "\n  expected: file:///DIR/... naming a local file");
        }
        if (Files.isDirectory(file)) {
            throw new FetchException(FetchException.Kind.NOT_FOUND, file + " is a directory"
                    + "\n  expected: a file of the repository");
        }
        FileChannel channel;
        long size;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
        } catch (NoSuchFileException e) {
            throw new NotFoundException(file + ": no such file" + missingWhat(file));
        } catch (AccessDeniedException e) {
            throw new FetchException(FetchException.Kind.REFUSED, "cannot read " + file + ": permission denied"
                    + "\n  fix: make the repository readable by the user running kiln");
        } catch (IOException e) {
            throw new FetchException("cannot read " + file + ": " + IoErrors.why(e), e);
        }
        long start = Math.min(Math.max(fromByte, 0), size);
        try {
            channel.position(start);
        } catch (IOException e) {
            close(channel);
            throw new FetchException("cannot read " + file + ": " + IoErrors.why(e), e);
        }
        return new FileBody(size - start, start, Channels.newInputStream(channel), channel);
    }

    /** A file's bytes from {@code start} on, read from its open channel. */
    private record FileBody(long length, long start, InputStream stream, FileChannel channel) implements Body {
        @Override
        public void close() {
            FileTransport.close(channel);
        }
    }

    /** When the missing file's directories are missing too, the first of them: a wrong path, not a missing file. */
    private static String missingWhat(Path file) {
        Path dir = file.getParent();
        Path firstMissing = null;
        while (dir != null && !Files.isDirectory(dir)) {
            firstMissing = dir;
            dir = dir.getParent();
        }
        return firstMissing == null ? "" : " (the directory " + firstMissing + " does not exist)";
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a read-only channel loses nothing on close
        }
    }

    @Override
    public void close() throws IOException {
        network.close();
    }
}
