package dev.kiln.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An exclusive lock on a lock file that holds against other threads of this JVM and other
 * processes alike. {@link FileChannel#tryLock} alone does not: the lock is a POSIX record lock,
 * which belongs to the whole process, so a second channel another thread opens on the same file
 * answers {@link OverlappingFileLockException}, and closing that channel drops the first one's lock
 * for every other process. So this JVM opens a lock file only while it holds none on it: one table
 * of held files, and one monitor around every open, lock and close of one.
 */
public final class ProcessFileLock implements AutoCloseable {
    /** How often a lock held elsewhere is tried again. */
    private static final long POLL_MILLIS = 20;
    private static final Map<Path, ProcessFileLock> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private boolean released;

    private ProcessFileLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Takes the lock on {@code file} (created if missing) if no thread or process holds it. */
    public static Optional<ProcessFileLock> tryLock(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.containsKey(abs)) {
                return Optional.empty();
            }
            FileChannel channel = FileChannel.open(abs, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException | IOException e) {
                channel.close(); // this JVM holds no lock on the file: closing drops nothing
                if (e instanceof IOException io) {
                    throw io;
                }
                return Optional.empty();
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            ProcessFileLock held = new ProcessFileLock(abs, channel);
            HELD.put(abs, held);
            return Optional.of(held);
        }
    }

    /**
     * Waits for the lock on {@code file}, telling {@code waiting} once if it has to.
     *
     * @throws InterruptedException when the thread is interrupted while waiting (nothing is held)
     */
    public static ProcessFileLock lock(Path file, Runnable waiting) throws IOException, InterruptedException {
        Objects.requireNonNull(waiting, "waiting");
        boolean told = false;
        while (true) {
            Optional<ProcessFileLock> held = tryLock(file);
            if (held.isPresent()) {
                return held.get();
            }
            if (!told) {
                told = true;
                waiting.run();
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock (once). */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (released) {
                return;
            }
            released = true;
            HELD.remove(file);
            channel.close();
        }
    }
}
