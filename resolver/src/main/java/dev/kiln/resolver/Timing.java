package dev.kiln.resolver;

import java.lang.management.ManagementFactory;

/** Phase timings on stderr when {@code KILN_TIMING} is set: how a run spends its time, for bench work. */
public final class Timing {
    private static final boolean ON = System.getenv("KILN_TIMING") != null;

    private Timing() {
    }

    public static void mark(String phase) {
        if (ON) {
            long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.printf("kiln-timing %6d ms  %s%n", sinceStart, phase);
        }
    }
}
