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

    @Test
    void aDirectoryNothingCanBeCreatedInIsNamedWithWhy() {
        // EROFS reaches Java as a plain FileSystemException whose reason is the OS's words
        Path dir = tmp.resolve("out-parent");
        FileSystemException erofs = new FileSystemException(dir.resolve(".out.kiln-1.lock").toString(), null, "Read-only file system");
        assertEquals(dir + " is on a read-only file system", IoErrors.unwritable(dir, erofs));
        assertEquals("permission denied: this user cannot create files in " + dir,
                IoErrors.unwritable(dir, new AccessDeniedException(dir.resolve(".out.kiln-1.lock").toString())));
        assertEquals("no space left on device: /x", IoErrors.unwritable(dir, new FileSystemException("/x", null, "No space left on device")));
    }
}
