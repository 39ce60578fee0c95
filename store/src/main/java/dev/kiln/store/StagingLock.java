package dev.kiln.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The owner's mark on what kiln stages beside a target {@code DIR/NAME} (a layout directory being
 * built, a temporary file to be renamed over a lockfile): the lock file
 * {@code DIR/.NAME.kiln-TOKEN.lock}, held locked by the writing process for as long as it stages.
 * The staging paths themselves are {@code .NAME.kiln-TOKEN} plus a suffix ({@link #path}).
 *
 * <p>The kernel drops a dead process's locks, so {@link #sweep} can tell what a killed kiln left
 * (lock free, or no lock file) from what a running one is writing (lock held), and removes only the
 * former. The lock is a POSIX record lock: it belongs to the whole process, and closing any descriptor
 * of the file drops it. So this JVM never opens a lock file it holds: one table of held lock files,
 * and one monitor around every open, lock and close of one, keep it so.
 */
public final class StagingLock implements AutoCloseable {
    private static final String MARK = ".kiln-";
    private static final String LOCK_SUFFIX = ".lock";
    /** After {@code .NAME.kiln-}: a token and an optional suffix ({@code .tmp}, {@code .old}). */
    private static final Pattern STAGED = Pattern.compile("([0-9a-z]+)(\\.[a-z]+)?");
    /** The directory an older kiln moved a replaced layout to, unmarked. */
    private static final Pattern LEGACY_OLD = Pattern.compile("\\.old-[0-9]+");
    private static final Object IN_PROCESS = new Object();
    private static final Set<Object> HELD = new HashSet<>();

    private final Path dir;
    private final String name;
    private final String token;
    private final Path file;
    private final FileChannel channel;
    private final Object key;
    private boolean released;

    private StagingLock(Path dir, String name, String token, Path file, FileChannel channel, Object key) {
        this.dir = dir;
        this.name = name;
        this.token = token;
        this.file = file;
        this.channel = channel;
        this.key = key;
    }

    /** Creates and locks a new mark beside {@code target}, whose directory must exist. */
    public static StagingLock beside(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String name = abs.getFileName().toString();
        for (int attempt = 0; attempt < 100; attempt++) {
            String token = String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
            Path file = dir.resolve("." + name + MARK + token + LOCK_SUFFIX);
            synchronized (IN_PROCESS) {
                FileChannel ch;
                try {
                    ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    continue;
                }
                ExitCleanup.add(file);
                boolean kept = false;
                try {
                    boolean locked;
                    try {
                        locked = ch.tryLock() != null;
                    } catch (IOException noLocks) {
                        // a file system without locks (ENOLCK): staging goes on unmarked by a lock, and
                        // no sweep there can take one either, so it is never removed as abandoned
                        locked = true;
                    }
                    // between creating and locking, another process's sweep may have taken the
                    // fresh file for an abandoned one and removed it: then start again
                    if (locked && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                        Object key = fileKey(file);
                        HELD.add(key);
                        kept = true;
                        return new StagingLock(dir, name, token, file, ch, key);
                    }
                } finally {
                    if (!kept) {
                        ch.close();
                        ExitCleanup.remove(file);
                    }
                }
            }
        }
        throw new IOException("cannot make a staging lock beside " + abs + ": every name tried was taken");
    }

    /** A staging path of this mark: {@code .NAME.kiln-TOKEN} followed by {@code suffix} ("" or {@code .tmp}, {@code .old}). */
    public Path path(String suffix) {
        if (!suffix.isEmpty() && !STAGED.matcher(token + suffix).matches()) {
            throw new IllegalArgumentException("a staging suffix is '.' and lowercase letters, found '" + suffix + "'");
        }
        return dir.resolve("." + name + MARK + token + suffix);
    }

    /** Removes the lock file and lets go of it; the staging paths must already be gone or published. */
    void release() throws IOException {
        synchronized (IN_PROCESS) {
            if (released) {
                return;
            }
            released = true;
            try {
                Files.deleteIfExists(file); // while still locked: nobody else removes a held mark
            } finally {
                try {
                    channel.close();
                } finally {
                    HELD.remove(key);
                    ExitCleanup.remove(file);
                }
            }
        }
    }

    /** As {@link #release}; a lock file that cannot be removed is left for shutdown or the next sweep. */
    @Override
    public void close() {
        try {
            release();
        } catch (IOException ignored) {
            // unlocked now: the next sweep of this target removes it
        }
    }

    /**
     * Removes what killed processes left staged beside {@code target}: every {@code .NAME.kiln-*} whose
     * lock file is missing or can be locked, and the unmarked {@code .NAME.old-*} of older kilns. What a
     * live process stages (its lock held, in this JVM or another) is never touched. Best effort: a
     * leftover that cannot be removed stays (it is never read as a result). Returns what was removed.
     */
    public static List<Path> sweep(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String prefix = "." + abs.getFileName() + MARK;
        String legacyPrefix = "." + abs.getFileName();
        Map<String, List<Path>> byLock = new TreeMap<>();
        List<Path> unmarked = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(legacyPrefix + "."))) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix)) {
                    Matcher m = STAGED.matcher(n.substring(prefix.length()));
                    if (m.matches()) {
                        String lock = prefix + m.group(1) + LOCK_SUFFIX;
                        List<Path> staged = byLock.computeIfAbsent(lock, l -> new ArrayList<>());
                        if (!n.equals(lock)) {
                            staged.add(p);
                        }
                    }
                } else if (LEGACY_OLD.matcher(n.substring(legacyPrefix.length())).matches()) {
                    unmarked.add(p);
                }
            }
        } catch (IOException e) {
            return List.of(); // no directory, or not readable: nothing kiln could have staged there either
        }
        List<Path> removed = new ArrayList<>();
        unmarked.sort(null);
        byLock.values().forEach(staged -> staged.sort(null));
        for (Path p : unmarked) {
            remove(p, removed);
        }
        byLock.forEach((lock, staged) -> removeIfAbandoned(dir.resolve(lock), staged, removed));
        return removed;
    }

    private static void removeIfAbandoned(Path lockFile, List<Path> staged, List<Path> removed) {
        synchronized (IN_PROCESS) {
            Object key;
            try {
                key = fileKey(lockFile);
            } catch (NoSuchFileException e) {
                // staged and never marked (an older kiln), or marked and half cleaned up: abandoned
                staged.forEach(p -> remove(p, removed));
                return;
            } catch (IOException e) {
                return;
            }
            if (HELD.contains(key)) {
                return; // staging in this process right now
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock == null || !Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                    return; // held by a live process, or just removed by another sweep
                }
                staged.forEach(p -> remove(p, removed));
                if (staged.stream().noneMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS))) {
                    remove(lockFile, removed);
                }
            } catch (OverlappingFileLockException e) {
                // locked through another channel of this JVM: live
            } catch (IOException e) {
                // cannot tell (gone meanwhile, or not ours to open): leave it
            }
        }
    }

    private static void remove(Path p, List<Path> removed) {
        try {
            ExitCleanup.discard(p);
            removed.add(p);
        } catch (IOException ignored) {
            // a leftover is never read as a result
        }
    }

    /**
     * Why nothing could be staged beside {@code target}, as a phrase ({@code /x is on a read-only file
     * system}), or empty when it could: a mark is made and removed in the nearest directory on the way
     * to {@code target} that exists (staging makes the missing ones below it). Writes nothing else.
     */
    public static Optional<String> whyUnwritable(Path target) {
        Path child = target.toAbsolutePath().normalize();
        Path dir = child.getParent();
        while (dir != null && !Files.exists(dir)) {
            child = dir;
            dir = dir.getParent();
        }
        if (dir == null) {
            return Optional.of("no directory above it exists");
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of(dir + " is not a directory");
        }
        try {
            beside(child).release();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(IoErrors.unwritable(dir, e));
        }
    }

    private static Object fileKey(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.fileKey() != null ? a.fileKey() : p.toAbsolutePath().normalize();
    }
}
