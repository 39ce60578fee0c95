package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

class CdsTrainingTest {
    @Test
    void theTrainingRunLoadsWhatARunNeedsAndChecksItsSignedMessage() {
        // fails if the training resources are missing, or their signature no longer verifies
        // (the launcher would then record no archive at all)
        CliRun.useCheckoutAsHome();
        assertDoesNotThrow(CdsTraining::run);
    }
}
