package dev.kiln.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.store.ErrorCodeCheck;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache module's error codes are published names: pinned here, listed in the README. */
class CacheErrorCodesTest {
    @Test
    void everyExceptionClassOfTheCacheModuleIsOneThisTestKnows() {
        assertEquals(List.of(CacheException.class.getName()), ErrorCodeCheck.exceptionClasses(CacheException.class));
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        ErrorCodeCheck.assertPublished(List.of("cache", "cache.push-failed", "cache.reference"),
                Arrays.stream(CacheException.Kind.values()).map(CacheException.Kind::code).toList(), "cache");
    }
}
