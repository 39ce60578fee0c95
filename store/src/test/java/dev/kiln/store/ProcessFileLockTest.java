package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One holder at a time, among threads and processes, and a refused try never frees the holder's lock. */
class ProcessFileLockTest {
    @TempDir
    Path dir;

    @Test
    void anotherThreadsTryDoesNotDropTheLockForOtherProcesses() throws Exception {
        Path file = dir.resolve("x.lock");
        try (ProcessFileLock held = ProcessFileLock.tryLock(file).orElseThrow()) {
            assertEquals(Optional.empty(), CompletableFuture.supplyAsync(() -> {
                try {
                    return ProcessFileLock.tryLock(file);
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            }).get(30, TimeUnit.SECONDS), "held in this process");
            assertFalse(otherProcessGets(file), "another process still sees the lock after this JVM's refused try");
        }
        assertTrue(otherProcessGets(file), "released");
        try (ProcessFileLock again = ProcessFileLock.tryLock(file).orElseThrow()) {
            assertEquals(file.toAbsolutePath().normalize(), again.file());
        }
    }

    @Test
    void aWaiterIsToldOnceAndGetsTheLockWhenItIsReleased() throws Exception {
        Path file = dir.resolve("y.lock");
        ProcessFileLock held = ProcessFileLock.tryLock(file).orElseThrow();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<ProcessFileLock> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return ProcessFileLock.lock(file, waiting::countDown);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(waiting.await(30, TimeUnit.SECONDS), "the waiter says it waits");
        assertFalse(waiter.isDone(), "not while the lock is held");
        held.close();
        held.close(); // twice is once
        waiter.get(30, TimeUnit.SECONDS).close();
    }

    /** Whether another process can take the lock on {@code file} now. */
    private static boolean otherProcessGets(Path file) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path src = file.resolveSibling("Probe.java");
        java.nio.file.Files.writeString(src, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Probe {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
                            System.exit(c.tryLock() != null ? 0 : 1);
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(javaBin, src.toString(), file.toString()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0;
    }
}
