package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.store.ErrorCodeCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The api module's error codes (a verification's answers) are published names: pinned here, listed in the README. */
class ApiErrorCodesTest {
    @Test
    void everyExceptionClassOfTheApiModuleIsOneThisTestKnows() {
        assertEquals(List.of(CheckFailedException.class.getName(), CopyMismatchException.class.getName()),
                ErrorCodeCheck.exceptionClasses(CheckFailedException.class));
    }

    @Test
    void aCheckThatFailedSaysWhichCheck() {
        assertEquals("verify.mismatch", new CheckFailedException("x").code());
        assertEquals("verify.copies", new CopyMismatchException("x").code());
        assertEquals("verify.signature", new CheckFailedException(CheckFailedException.Kind.SIGNATURE, "x", null).code());
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (CheckFailedException.Kind k : CheckFailedException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of("verify.copies", "verify.mismatch", "verify.signature"), codes, "verify");
    }
}
