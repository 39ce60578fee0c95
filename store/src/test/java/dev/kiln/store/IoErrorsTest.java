package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void theJdksBareFileNamesBecomeSentences() throws IOException {
        // the JDK's message for these is the file name alone
        assertEquals("permission denied: /etc/x", IoErrors.why(new AccessDeniedException("/etc/x")));
        assertEquals("no such file or directory: /a -> /b", IoErrors.why(new NoSuchFileException("/a", "/b", null)));
        assertEquals("read-only file system: /r", IoErrors.why(new FileSystemException("/r", null, "Read-only file system")));
        assertEquals("plain", IoErrors.why(new IOException("plain")));
        Path file = Files.writeString(tmp.resolve("f"), "x");
        IOException real = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Files.createDirectories(file.resolve("sub")));
        assertEquals("not a directory: " + file.resolve("sub"), IoErrors.why(real)); // the reason the OS gave
    }
}
