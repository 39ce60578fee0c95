package dev.kiln.assembler.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Unpacking is safe by construction because the tree lives in memory: this keeps it so. The
 * packages that read archives and hold trees must not call anything that writes to the host.
 */
class NoHostWritesTest {
    private static final List<String> WRITES = List.of(
            "Files.write", "Files.newOutputStream", "Files.newBufferedWriter", "Files.newByteChannel", "Files.create",
            "Files.copy", "Files.move", "Files.delete", "Files.setAttribute", "Files.setPosixFilePermissions",
            "Files.setLastModifiedTime", "Files.setOwner", "FileOutputStream", "FileWriter", "RandomAccessFile",
            "FileChannel", "import java.io.File;", "toFile()", "createTempFile", "createTempDirectory");

    @Test
    void treeAndDebPackagesNeverWriteToTheHost() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String pkg : List.of("deb", "tree")) {
            Path dir = Path.of("src/main/java/dev/kiln/assembler", pkg);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path source : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String text = Files.readString(source);
                    for (String call : WRITES) {
                        if (text.contains(call)) {
                            found.add(source + ": " + call);
                        }
                    }
                }
            }
        }
        assertTrue(files >= 8, "expected the sources under src/main/java, found " + files);
        assertEquals(List.of(), found);
    }
}
