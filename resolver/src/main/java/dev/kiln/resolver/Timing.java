package dev.kiln.resolver;

/** Phase timings on stderr when {@code KILN_TIMING} is set: how a run spends its time, for bench work. */
public final class Timing {
    private static final boolean ON = System.getenv("KILN_TIMING") != null;

    private Timing() {
    }

    public static void mark(String phase) {
        if (ON) {
            // the process's start time from /proc (the JMX runtime bean would cost a run ~40 ms of its own)
            long sinceStart = System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                    .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis());
            System.err.printf("kiln-timing %6d ms  %s%n", sinceStart, phase);
        }
    }
}
