package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.testing.TestLayouts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutReferrersConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void artifactsAttachedAtOnceFromManyThreadsAreAllListed() throws Exception {
        Path dir = TestLayouts.single(tmp.resolve("image"), "hello");
        Descriptor image = LayoutReferrers.open(dir).image(Optional.empty());
        int threads = 6;
        int each = 5;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    // each thread opens the layout itself, as separate kiln sign runs do
                    LayoutReferrers target = LayoutReferrers.open(dir);
                    start.await();
                    for (int i = 0; i < each; i++) {
                        AttestationsTest.attachEnvelope(target, image, ("envelope " + thread + "." + i).getBytes(UTF_8));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // without the lock around index.json's read-add-replace, entries written meanwhile are lost
        assertEquals(threads * each, LayoutReferrers.open(dir).referrers(image.digest()).size());
    }
}
