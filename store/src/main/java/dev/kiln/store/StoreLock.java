package dev.kiln.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The store-wide lock file {@code store.lock}: every process that uses the store holds it shared,
 * gc and repair hold it exclusively. The OS lock is a POSIX record lock, which belongs to the whole
 * process and is dropped when the process closes any descriptor of the file, so each JVM keeps
 * exactly one channel per store and counts its own handles here: that is why this one table is
 * process-wide.
 */
final class StoreLock {
    private static final Map<Path, StoreLock> LOCKS = new HashMap<>();

    private final Path file;
    private FileChannel channel;
    private FileLock held;
    private int handles;
    private boolean exclusive;

    private StoreLock(Path file) {
        this.file = file;
    }

    /** The lock for {@code file}, one per real path in this JVM; the file is created if needed. */
    static StoreLock of(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process created it first
            }
        }
        Path key = file.toRealPath();
        synchronized (LOCKS) {
            return LOCKS.computeIfAbsent(key, StoreLock::new);
        }
    }

    /** Takes a shared hold for one handle; waits while another process (or this one) holds it exclusively. */
    synchronized void acquireShared(Duration timeout, Consumer<String> waiting) {
        long deadline = deadline(timeout);
        boolean told = false;
        while (exclusive) {
            if (!told) {
                waiting.accept("waiting for gc or repair in this process to finish with the store at " + storeRoot());
                told = true;
            }
            waitUntil(deadline, () -> "the store at " + storeRoot() + " is still held for gc or repair by this process after "
                    + human(timeout));
        }
        if (handles == 0) {
            openChannel();
            try {
                lockOs(true, deadline, timeout, waiting);
            } catch (RuntimeException e) {
                closeChannel();
                throw e;
            }
        }
        handles++;
    }

    synchronized void releaseShared() {
        if (handles <= 0) {
            return;
        }
        handles--;
        if (handles == 0) {
            releaseOs();
            closeChannel();
        }
        notifyAll();
    }

    /**
     * Turns the caller's shared hold into an exclusive one: waits for this JVM's other handles to close
     * and for other processes to let go, or fails after {@code timeout} naming who holds the store.
     */
    synchronized void acquireExclusive(Duration timeout, Consumer<String> waiting) {
        if (handles == 0) {
            throw new IllegalStateException("the store was closed");
        }
        long deadline = deadline(timeout);
        boolean told = false;
        while (exclusive || handles > 1) {
            if (!told) {
                waiting.accept("waiting for " + (handles - 1) + " other open handle(s) on the store at " + storeRoot()
                        + " in this process to close");
                told = true;
            }
            waitUntil(deadline, () -> "the store at " + storeRoot() + " is still open " + (handles - 1)
                    + " more time(s) in this process after " + human(timeout)
                    + "\n  fix: close the other ContentStore handles before gc or repair");
        }
        // Java refuses overlapping locks from one JVM, so the shared lock is dropped before the
        // exclusive one is taken; no writer of ours runs meanwhile because handles == 1.
        releaseOs();
        try {
            lockOs(false, deadline, timeout, waiting);
        } catch (RuntimeException e) {
            lockOs(true, deadline(ContentStore.DEFAULT_LOCK_TIMEOUT), ContentStore.DEFAULT_LOCK_TIMEOUT, waiting);
            throw e;
        }
        exclusive = true;
    }

    /** Back from exclusive to the caller's shared hold. */
    synchronized void releaseExclusive(Consumer<String> waiting) {
        if (!exclusive) {
            return;
        }
        exclusive = false;
        releaseOs();
        notifyAll();
        lockOs(true, deadline(ContentStore.DEFAULT_LOCK_TIMEOUT), ContentStore.DEFAULT_LOCK_TIMEOUT, waiting);
    }

    private void openChannel() {
        try {
            // shared locks need a readable channel, exclusive ones a writable one
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.CANNOT_CREATE, "cannot open the store's lock file " + file + ": "
                    + IoErrors.why(e) + "\n  expected: a writable store directory (or give the store another one)", e);
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the OS lock is gone with the descriptor either way
        }
        channel = null;
    }

    private void releaseOs() {
        if (held != null) {
            try {
                held.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            held = null;
        }
    }

    /** Polls for the OS lock: Java's blocking lock cannot time out, and interrupting it closes the channel. */
    private void lockOs(boolean shared, long deadline, Duration timeout, Consumer<String> waiting) {
        long pause = 2;
        boolean told = false;
        while (true) {
            FileLock l;
            try {
                l = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (IOException e) {
                throw new StoreException("cannot lock " + file + ": " + IoErrors.why(e), e);
            }
            if (l != null) {
                held = l;
                return;
            }
            if (!told) {
                waiting.accept(shared
                        ? "waiting for " + holders() + " to finish gc or repair of the store at " + storeRoot()
                                + " (up to " + human(timeout) + ")"
                        : "waiting for " + holders() + " to stop using the store at " + storeRoot()
                                + " (up to " + human(timeout) + ")");
                told = true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new StoreException(StoreException.Kind.LOCKED, shared
                        ? "the store at " + storeRoot() + " is still locked for gc or repair by " + holders()
                                + " after " + human(timeout)
                                + "\n  fix: wait for it to finish, or stop it, then run this again"
                        : "the store at " + storeRoot() + " is still in use by " + holders() + " after " + human(timeout)
                                + "\n  gc and repair need the store to themselves"
                                + "\n  fix: let those finish (or stop them), then run this again");
            }
            try {
                Thread.sleep(Math.max(1, Math.min(pause, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for the lock on the store at " + storeRoot(), e);
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    private void waitUntil(long deadline, java.util.function.Supplier<String> timeoutMessage) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new StoreException(StoreException.Kind.LOCKED, timeoutMessage.get());
        }
        try {
            wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the lock on the store at " + storeRoot(), e);
        }
    }

    private Path storeRoot() {
        return file.getParent();
    }

    /** Who else holds the lock file, from {@code /proc/locks} where there is one. */
    String holders() {
        List<Long> pids = holderPids(file);
        if (pids.isEmpty()) {
            return "another process";
        }
        List<String> named = new ArrayList<>();
        for (long pid : pids) {
            named.add("pid " + pid + commandOf(pid).map(c -> " (" + c + ")").orElse(""));
        }
        return (pids.size() == 1 ? "" : pids.size() + " processes: ") + String.join(", ", named);
    }

    /** Pids other than ours holding a lock on {@code file}'s inode, in the order the kernel lists them. */
    static List<Long> holderPids(Path file) {
        List<Long> pids = new ArrayList<>();
        try {
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            String id = String.format(java.util.Locale.ROOT, "%02x:%02x:%d", major, minor, ino);
            long self = ProcessHandle.current().pid();
            for (String line : Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII)) {
                // "1: POSIX  ADVISORY  READ 4242 fd:01:1234 0 EOF"; "1: -> POSIX ..." lines are waiters
                String[] f = line.trim().split("\\s+");
                if (f.length < 6 || f[1].equals("->") || !f[5].equals(id)) {
                    continue;
                }
                long pid = Long.parseLong(f[4]);
                if (pid > 0 && pid != self && !pids.contains(pid)) {
                    pids.add(pid);
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // not Linux, or no /proc: the message says "another process"
        }
        return pids;
    }

    private static java.util.Optional<String> commandOf(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> args = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\u0000")));
            // a JVM's class path says nothing to the user and runs to kilobytes
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equals("-cp") || args.get(i).equals("-classpath") || args.get(i).equals("--class-path")) {
                    args.set(i + 1, "...");
                }
            }
            String cmd = String.join(" ", args).trim();
            if (cmd.isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(cmd.length() > 160 ? cmd.substring(0, 157) + "..." : cmd);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static long deadline(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        return s < 120 ? s + "s" : (s / 60) + "min";
    }
}
