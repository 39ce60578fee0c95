package dev.kiln.assembler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.assembler.deb.PackageMismatchException;
import dev.kiln.assembler.tree.DamagedContentException;
import dev.kiln.store.ErrorCodeCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The assembler's error codes are published names: pinned here, listed in the README. */
class AssembleErrorCodesTest {
    @Test
    void everyExceptionClassOfTheAssemblerIsOneThisTestKnows() {
        assertEquals(List.of(
                AssembleException.class.getName(),
                "dev.kiln.assembler.deb.DebReader$LimitRefusal",
                PackageMismatchException.class.getName(),
                DamagedContentException.class.getName()), ErrorCodeCheck.exceptionClasses(AssembleException.class));
    }

    @Test
    void eachClassNamesItsKind() {
        assertEquals("assemble", new AssembleException("x").code());
        assertEquals("assemble.package-mismatch", new PackageMismatchException("x").code());
        assertEquals("store.damaged", new DamagedContentException("x", Path.of("f")).code());
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (AssembleException.Kind k : AssembleException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "assemble",
                "assemble.accounts",
                "assemble.alternatives",
                "assemble.file-conflict",
                "assemble.malformed-package",
                "assemble.package-mismatch",
                "assemble.paths",
                "assemble.unpack-limit"), codes, "assemble");
    }
}
