package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceLineTest {
    @Test
    void parsesUriSuiteAndComponents() {
        SourceLine line = SourceLine.parse("deb http://mirror.example/debian bookworm main contrib non-free-firmware");
        assertEquals("http://mirror.example/debian", line.uriTemplate());
        assertEquals("bookworm", line.suite());
        assertEquals(List.of("main", "contrib", "non-free-firmware"), line.components());
        assertEquals(List.of(), line.signedBy());
        assertEquals(List.of(), line.archs());
    }

    @Test
    void keepsTheTextAsWrittenWithItsVariable() {
        String text = "deb  ${DEBIAN_MIRROR}   bookworm main";
        SourceLine line = SourceLine.parse(text);
        assertEquals(text, line.written());
        assertEquals("${DEBIAN_MIRROR}", line.uriTemplate());
        assertEquals(List.of("DEBIAN_MIRROR"), line.variables());
    }

    @Test
    void readsSignedByAndArchOptions() {
        SourceLine line = SourceLine.parse(
                "deb [signed-by=keys/debian-bookworm-stable.asc,/etc/keys/extra.asc arch=amd64,arm64] ${DEBIAN_MIRROR} bookworm main");
        assertEquals(List.of("keys/debian-bookworm-stable.asc", "/etc/keys/extra.asc"), line.signedBy());
        assertEquals(List.of("amd64", "arm64"), line.archs());
        assertEquals("bookworm", line.suite());
    }

    @Test
    void allowsSpacesInsideTheOptionBrackets() {
        SourceLine line = SourceLine.parse("deb [ arch=arm64 ] http://mirror.example/debian bookworm main");
        assertEquals(List.of("arm64"), line.archs());
    }

    @Test
    void refusesUnknownOptionsNamingThem() {
        SpecException e = assertThrows(SpecException.class,
                () -> SourceLine.parse("deb [trusted=yes] http://mirror.example/debian bookworm main"));
        assertEquals("unknown source option 'trusted=yes'; kiln always checks a repository's signature; give its key with signed-by=",
                e.getMessage());
    }

    @Test
    void refusesAnEmptyOptionValue() {
        SpecException e = assertThrows(SpecException.class,
                () -> SourceLine.parse("deb [signed-by=a.asc,] http://mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().startsWith("option 'signed-by=a.asc,' has an empty value"), e.getMessage());
    }

    @Test
    void refusesNonDebianArchitectureNamesInArchOption() {
        SpecException e = assertThrows(SpecException.class,
                () -> SourceLine.parse("deb [arch=x86_64] http://mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().startsWith("unknown architecture 'x86_64'"), e.getMessage());
    }

    @Test
    void refusesDebSrc() {
        SpecException e = assertThrows(SpecException.class,
                () -> SourceLine.parse("deb-src http://mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().contains("'deb-src'"), e.getMessage());
    }

    @Test
    void refusesOtherTypes() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("http://mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().startsWith("expected a source line starting with 'deb', found 'http://mirror.example/debian'"),
                e.getMessage());
    }

    @Test
    void refusesFlatRepositoriesAsUnsupported() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb http://mirror.example/repo ./"));
        assertTrue(e.getMessage().contains("flat repository, which kiln does not support yet"), e.getMessage());
    }

    @Test
    void needsAtLeastOneComponent() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb http://mirror.example/debian bookworm"));
        assertTrue(e.getMessage().startsWith("expected at least one component after suite 'bookworm'"), e.getMessage());
    }

    @Test
    void needsAUriAndASuite() {
        assertThrows(SpecException.class, () -> SourceLine.parse("deb"));
        assertThrows(SpecException.class, () -> SourceLine.parse("deb [arch=amd64]"));
        assertThrows(SpecException.class, () -> SourceLine.parse("deb [arch=amd64 http://mirror.example/debian bookworm main"));
    }

    @Test
    void needsAnHttpUrlOrAFilePathWhenThereIsNoVariable() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb ftp://mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().startsWith("expected an http or https URL, a file: path or ${DEBIAN_MIRROR}, found 'ftp://mirror.example/debian'"),
                e.getMessage());
    }

    @Test
    void fileRepositoriesAreAbsoluteOrRelativeToTheSpecsDirectory() {
        Path base = Path.of("/work/images");
        assertEquals(URI.create("file:///srv/repo/"), SourceLine.parse("deb file:/srv/repo recipes main").expandUri(Map.of(), base));
        assertEquals(URI.create("file:///srv/repo/"), SourceLine.parse("deb file:///srv/repo recipes main").expandUri(Map.of(), base));
        assertEquals(URI.create("file:///work/repo/"), SourceLine.parse("deb file:../repo recipes main").expandUri(Map.of(), base));
        assertEquals(List.of(URI.create("file:///work/images/repo/")),
                SourceLine.parse("deb file:repo recipes main").expandAll(Map.of(), base));
        SourceLine line = SourceLine.parse("deb [signed-by=keys/recipes/r.asc] file:../repo recipes main");
        assertEquals("file:../repo", line.uriTemplate(), "the line is kept as written");
        assertTrue(line.isFile(Map.of()));
        assertTrue(line.isRelativeFile());
        assertFalse(SourceLine.parse("deb file:///srv/repo recipes main").isRelativeFile());
        assertFalse(SourceLine.parse("deb http://mirror.example/debian bookworm main").isFile(Map.of()));
        assertEquals(Path.of("/work/repo"), SourceLine.directoryOf(line.expandUri(Map.of(), base)));
    }

    @Test
    void aMirrorVariableMayHoldAFileUrl() {
        SourceLine line = SourceLine.parse("deb ${RECIPES_MIRROR} recipes main");
        assertEquals(URI.create("file:///srv/repo/"), line.expandUri(Map.of("RECIPES_MIRROR", "file:///srv/repo"), null));
        assertTrue(line.isFile(Map.of("RECIPES_MIRROR", "file:/srv/repo")));
        assertEquals(URI.create("file:///work/repo/"), line.expandUri(Map.of("RECIPES_MIRROR", "file:../repo"), Path.of("/work/x")));
    }

    @Test
    void aRelativeFileRepositoryNeedsTheSpecsDirectory() {
        SourceLine line = SourceLine.parse("deb file:../repo recipes main");
        SpecException e = assertThrows(SpecException.class, () -> line.expandAll(Map.of()));
        assertTrue(e.getMessage().contains("'file:../repo' is relative to the spec's directory"), e.getMessage());
    }

    @Test
    void aFileRepositoryOnAnotherHostIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb file://repo recipes main"));
        assertTrue(e.getMessage().contains("names the host 'repo'"), e.getMessage());
        assertTrue(e.fix().orElse("").contains("file:../repo"), e.getMessage());
        assertThrows(SpecException.class, () -> SourceLine.parse("deb file: recipes main"));
    }

    @Test
    void refusesVariablesWithoutBraces() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb $DEBIAN_MIRROR bookworm main"));
        assertTrue(e.getMessage().contains("write ${NAME}, with braces"), e.getMessage());
    }

    @Test
    void refusesVariablesNotNamedMirror() {
        SpecException e = assertThrows(SpecException.class, () -> SourceLine.parse("deb http://${API_TOKEN}@mirror.example/debian bookworm main"));
        assertTrue(e.getMessage().startsWith("variable ${API_TOKEN} cannot be used: only variables named *_MIRROR are expanded"),
                e.getMessage());
    }

    @Test
    void expandsVariablesFromTheGivenMap() {
        SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
        assertEquals(URI.create("http://mirror.example/debian"),
                line.expandUri(Map.of("DEBIAN_MIRROR", "http://mirror.example/debian")));
        assertEquals("deb ${DEBIAN_MIRROR} bookworm main", line.written());
    }

    @Test
    void expandsAVariableInsideALongerUri() {
        SourceLine line = SourceLine.parse("deb ${LOCAL_MIRROR}/debian bookworm main");
        assertEquals(URI.create("https://mirror.example:8443/debian"),
                line.expandUri(Map.of("LOCAL_MIRROR", "https://mirror.example:8443")));
    }

    @Test
    void anUnsetVariableIsNamedWithWhatIsSet() {
        SourceLine line = SourceLine.parse("deb ${LOCAL_MIRROR} bookworm main");
        SpecException e = assertThrows(SpecException.class,
                () -> line.expandUri(Map.of("DEBIAN_MIRROR", "http://mirror.example/debian")));
        assertEquals("'deb ${LOCAL_MIRROR} bookworm main': ${LOCAL_MIRROR} is not set; set LOCAL_MIRROR in the environment"
                + " (set now: DEBIAN_MIRROR)", e.getMessage());
    }

    @Test
    void anUnsetDebianMirrorSaysToSetItOrAddAnAptSource() {
        SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
        SpecException e = assertThrows(SpecException.class, () -> line.expandUri(Map.of()));
        assertTrue(e.getMessage().contains("${DEBIAN_MIRROR} is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("set DEBIAN_MIRROR to a Debian mirror URL"), e.getMessage());
        assertTrue(e.getMessage().contains("or add an apt source"), e.getMessage());
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
        assertThrows(SpecException.class, () -> line.expandUri(Map.of("DEBIAN_MIRROR", "")));
    }

    @Test
    void anExpansionThatIsNotAUrlIsAnError() {
        SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
        SpecException e = assertThrows(SpecException.class, () -> line.expandUri(Map.of("DEBIAN_MIRROR", "mirror.example/debian")));
        assertTrue(e.getMessage().contains("expands to 'mirror.example/debian', which is not an http or https URL"), e.getMessage());
    }

    @Test
    void aVariableWithSeveralMirrorsExpandsToEachInOrder() {
        SourceLine line = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
        assertEquals(List.of(URI.create("http://a.example/debian"), URI.create("http://b.example/debian")),
                line.expandAll(Map.of("DEBIAN_MIRROR", "http://a.example/debian http://b.example/debian")));
        assertEquals(List.of(URI.create("http://a.example/debian"), URI.create("http://b.example/debian")),
                line.expandAll(Map.of("DEBIAN_MIRROR", "http://a.example/debian,http://b.example/debian")));
    }
}
