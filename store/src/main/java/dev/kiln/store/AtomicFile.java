package dev.kiln.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Publishes a file whole and durably, the one way kiln writes every file it hands to its users
 * (lockfiles, SBOMs, provenance, {@code index.json}, archives, keys): the bytes go to a temporary
 * file beside the target, marked by a {@link StagingLock}; it is given its final mode, fsynced,
 * renamed over the target in one step, and the directory is fsynced. A reader, or a machine that
 * lost power, finds the old file or the new one, never a part of one. A failed write leaves the
 * target as it was and no temporary file; one left by a killed process is removed by the next write
 * of the same target.
 */
public final class AtomicFile {
    /** {@code rw-r--r--}: for everyone who may read the directory, as lockfiles and layouts are. */
    public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    /** What the temporary file has until its final mode is set, so that a private file is never readable by others. */
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

    private AtomicFile() {
    }

    /** Writes a file's content into the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} (or creates it) with {@code bytes}, mode {@code mode} whatever the umask. */
    public static void write(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, mode, out -> out.write(bytes));
    }

    /** Replaces {@code target} (or creates it) with what {@code content} writes, mode {@code mode}. */
    public static void write(Path target, Set<PosixFilePermission> mode, Content content) throws IOException {
        try (Staged staged = stage(target, mode, content)) {
            staged.commit();
        }
    }

    /**
     * Creates {@code target} with {@code bytes} and mode {@code mode}, never replacing a file: a
     * {@link FileAlreadyExistsException} if one is there (also one that appeared meanwhile).
     */
    public static void create(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        try (Staged staged = stage(target, mode, out -> out.write(bytes))) {
            staged.commitNew();
        }
    }

    /** As {@link #stage(Path, Set, Content)} with {@code bytes}. */
    public static Staged stage(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return stage(target, mode, out -> out.write(bytes));
    }

    /**
     * The first half of {@link #write}: the content written and fsynced beside {@code target}, not yet
     * in place ({@link Staged#commit} puts it there, {@link Staged#close} without a commit removes it).
     * For files that must appear together with something else, as the SBOMs with their layout.
     */
    public static Staged stage(Path target, Set<PosixFilePermission> mode, Content content) throws IOException {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(content, "content");
        Path abs = target.toAbsolutePath().normalize();
        StagingLock.sweep(abs);
        StagingLock lock = StagingLock.beside(abs);
        Path temp = lock.path(".tmp");
        try {
            ExitCleanup.add(temp);
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PRIVATE))) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                Files.setPosixFilePermissions(temp, mode); // the umask may not narrow it
                ch.force(true);
            }
            return new Staged(abs, temp, lock);
        } catch (IOException | RuntimeException | Error e) {
            try {
                ExitCleanup.discard(temp);
            } catch (IOException ignored) {
                // shutdown or the next write of the target removes it
            }
            lock.close();
            throw e;
        }
    }

    /** A file written and fsynced beside its target, waiting to be put in place. */
    public static final class Staged implements AutoCloseable {
        private final Path target;
        private final Path temp;
        private final StagingLock lock;
        private boolean done;

        private Staged(Path target, Path temp, StagingLock lock) {
            this.target = target;
            this.temp = temp;
            this.lock = lock;
        }

        public Path target() {
            return target;
        }

        /** Renames the file over its target in one step and fsyncs the directory. */
        public void commit() throws IOException {
            check();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            published();
        }

        /** Puts the file in place only if nothing is there: a hard link never replaces. */
        void commitNew() throws IOException {
            check();
            try {
                Files.createLink(target, temp);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof FileAlreadyExistsException exists) {
                    throw exists;
                }
                // no hard links on this file system: check, then rename (a narrow race, as without kiln)
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(temp);
            published();
        }

        private void check() {
            if (done) {
                throw new IllegalStateException(target + " was already put in place");
            }
        }

        private void published() throws IOException {
            done = true;
            ExitCleanup.remove(temp);
            syncDirectory(target.getParent());
            lock.close();
        }

        /** Removes the temporary file unless it was put in place. */
        @Override
        public void close() {
            if (!done) {
                try {
                    ExitCleanup.discard(temp);
                } catch (IOException ignored) {
                    // shutdown or the next write of the target removes it
                }
            }
            lock.close();
        }
    }

    /**
     * Creates {@code dir} and the missing directories above it, each one's parent fsynced so the new
     * entries survive a crash too.
     */
    public static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(abs);
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(abs)) {
                return; // made meanwhile by another writer
            }
            throw e;
        }
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    /** fsyncs a file's content and metadata. */
    public static void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** fsyncs a directory: the names in it (a rename into it, a file created) survive a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory (EINVAL): their renames are as durable as they get
            if (!(e.getMessage() != null && e.getMessage().contains("Invalid argument"))) {
                throw e;
            }
        }
    }

    /** fsyncs every file and directory under {@code root} (and it), directories after what they hold. */
    public static void syncTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                syncFile(p);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                syncDirectory(p);
            }
        }
    }
}
