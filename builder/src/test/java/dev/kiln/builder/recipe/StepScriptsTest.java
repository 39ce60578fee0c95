package dev.kiln.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepScriptsTest {
    @Test
    void builtinsBecomeConcreteScriptsWithTheirInputsAndTheTargetsSubstituted() {
        Recipe r = RecipeParserTest.parse(RecipeParserTest.HELLO.replace("  - uses: autoconf/configure\n",
                "  - uses: autoconf/configure\n    with: {opts: --disable-nls}\n"));
        List<StepScripts.StepScript> steps = StepScripts.of(r, "amd64");
        assertEquals(List.of("autoconf/configure", "autoconf/make", "autoconf/make-install", "strip", "pipeline[5]"),
                steps.stream().map(StepScripts.StepScript::name).toList());
        assertTrue(steps.get(0).script().contains("./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var"), steps.get(0).script());
        assertTrue(steps.get(0).script().contains("--build=x86_64-linux-gnu --host=x86_64-linux-gnu --disable-nls"), steps.get(0).script());
        assertTrue(steps.get(2).script().contains("install DESTDIR='/out/hello'"), steps.get(2).script());
        assertEquals("rm -rf \"/out/hello/usr/share/info/dir\"\n", steps.get(4).script());
        assertEquals("/home/build", steps.get(4).workingDirectory());
        assertTrue(steps.stream().noneMatch(s -> s.script().contains("${{")));
    }

    @Test
    void aSubpackageHasItsOwnDirectoryAndTheMainOne() {
        Recipe r = RecipeParserTest.parse(RecipeParserTest.HELLO);
        StepScripts.StepScript s = StepScripts.of(r, r.subpackages().get(0), "arm64").get(0);
        assertEquals("mkdir -p \"/out/hello-doc/usr/share\" && mv \"/out/hello/usr/share/man\" \"/out/hello-doc/usr/share/\"", s.script());
    }

    @Test
    void aRunsStepKeepsItsNameWorkingDirectoryAndEnvironmentSubstituted() {
        Recipe r = RecipeParserTest.parse(RecipeParserTest.HELLO.replace("  - uses: strip\n",
                "  - uses: strip\n  - name: check\n    runs: make check V=${{package.full-version}}\n    working-directory: src\n"
                + "    environment: {PREFIX: '${{targets.destdir}}/usr', EPOCH: '${{package.epoch}}'}\n"));
        StepScripts.StepScript s = StepScripts.of(r, "amd64").get(4);
        assertEquals("check", s.name());
        assertEquals("make check V=2.10-0kiln1", s.script());
        assertEquals("/home/build/src", s.workingDirectory());
        assertEquals(Map.of("PREFIX", "/out/hello/usr", "EPOCH", "0"), s.environment());
    }

    @Test
    void theBuiltinsVersionsAreForTheBuildKey() {
        Recipe r = RecipeParserTest.parse(RecipeParserTest.HELLO);
        assertEquals(Map.of("autoconf/configure", "1", "autoconf/make", "1", "autoconf/make-install", "1", "strip", "2"),
                StepScripts.builtinVersions(r));
    }
}
