package dev.kiln.cli;

import dev.kiln.api.SystemDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Phase timings on stderr when {@code KILN_TIMING} is set: how a run spends its time, for bench
 * work. The library's {@link dev.kiln.api.PhaseEvent}s and the CLI's own marks, each timed from the
 * process's start.
 */
final class Timing {
    static final boolean ON = SystemDefaults.timing();
    /** System.nanoTime() at the process's start, to 10 ms (Linux /proc), or at the first mark. */
    private static long start = -1;

    private Timing() {
    }

    static synchronized void mark(String phase) {
        if (ON) {
            if (start < 0) {
                start = System.nanoTime() - sinceProcessStartNanos();
            }
            System.err.printf("kiln-timing %6d ms  %s%n", (System.nanoTime() - start) / 1_000_000, phase);
        }
    }

    /**
     * How long this process has run: the system's uptime minus the process's start in clock ticks
     * since boot (field 22 of /proc/self/stat; 100 ticks a second on Linux). The JMX runtime bean
     * would cost a run ~40 ms of its own; ProcessHandle's start instant is only to the second.
     */
    private static long sinceProcessStartNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]);
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return Math.max(0, (long) ((uptime - startTicks / 100.0) * 1e9));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
