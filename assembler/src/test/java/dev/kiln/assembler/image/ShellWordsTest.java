package dev.kiln.assembler.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.assembler.AssembleException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void splitsOnRunsOfWhitespace() {
        assertEquals(List.of("/usr/bin/openssl", "s_client", "-connect", "x:443"),
                ShellWords.split("  /usr/bin/openssl \t s_client\n-connect   x:443 "));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals(List.of("echo", "a \"b\" \\n $HOME"), ShellWords.split("echo 'a \"b\" \\n $HOME'"));
    }

    @Test
    void doubleQuotesKeepSpacesAndHonourBackslash() {
        assertEquals(List.of("sh", "-c", "echo \"hi\" $X"), ShellWords.split("sh -c \"echo \\\"hi\\\" $X\""));
    }

    @Test
    void backslashEscapesOutsideQuotesAndQuotesJoinWords() {
        assertEquals(List.of("a b", "c'd", "xyz"), ShellWords.split("a\\ b c\\'d x'y'\"z\""));
    }

    @Test
    void emptyQuotesMakeAnEmptyWord() {
        assertEquals(List.of("prog", ""), ShellWords.split("prog ''"));
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void unclosedQuotesAndTrailingBackslashAreErrors() {
        assertThrows(AssembleException.class, () -> ShellWords.split("echo 'oops"));
        assertThrows(AssembleException.class, () -> ShellWords.split("echo \"oops"));
        assertThrows(AssembleException.class, () -> ShellWords.split("echo oops\\"));
    }
}
