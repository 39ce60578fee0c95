package dev.kiln.api.internal.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full JSON Schema validator (python3-jsonschema, draft 7) holds kiln's SBOM against the SPDX 2.3 schema. */
class SpdxSchemaPeerTest {
    private static final String VALIDATE = String.join("\n",
            "import json, sys, jsonschema",
            "schema = json.load(open(sys.argv[1]))",
            "doc = json.load(open(sys.argv[2]))",
            "errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]",
            "print('\\n'.join(errors) or 'valid')",
            "sys.exit(1 if errors else 0)");

    @TempDir
    Path tmp;

    private String validate(byte[] doc) throws Exception {
        Path schema = Path.of(getClass().getResource("/spdx/spdx-schema-2.3.json").toURI());
        Path file = tmp.resolve("sbom-" + Digest.of(doc).shortHex() + ".spdx.json");
        Files.write(file, doc);
        Process p = new ProcessBuilder(List.of("python3", "-c", VALIDATE, schema.toString(), file.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 jsonschema did not finish");
        }
        return p.exitValue() + " " + out;
    }

    @Test
    void jsonschemaAcceptsKilnsSbom() throws Exception {
        assertEquals("0 valid", validate(SpdxSbomTest.sbom().json()));
    }

    @Test
    void jsonschemaRejectsABrokenOneSoTheCheckCanFail() throws Exception {
        String broken = new String(SpdxSbomTest.sbom().json(), StandardCharsets.UTF_8).replace("\"PACKAGE-MANAGER\"", "\"PACKAGE_MANAGER\"");
        assertNotEquals("0 valid", validate(broken.getBytes(StandardCharsets.UTF_8)));
    }
}
