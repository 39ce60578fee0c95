package dev.kiln.api.testing;

import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lock files as tests read them. */
public final class Locks {
    private Locks() {
    }

    public static Lock read(Path lockFile) {
        try {
            return LockJson.read(Files.readAllBytes(lockFile), lockFile.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
