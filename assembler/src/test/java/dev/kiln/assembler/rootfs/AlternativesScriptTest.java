package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlternativesScriptTest {
    static String realPostinst(String pkg) {
        try (InputStream in = AlternativesScriptTest.class.getResourceAsStream("postinst/" + pkg)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String render(AlternativeInstall i) {
        StringBuilder b = new StringBuilder(i.link() + " " + i.name() + " " + i.path() + " " + i.priority());
        i.slaves().forEach(s -> b.append(" | ").append(s.link()).append(' ').append(s.name()).append(' ').append(s.path()));
        return b.toString();
    }

    private static List<String> installs(String script) {
        AlternativesScript.Reading r = AlternativesScript.read("p", script);
        assertEquals(List.of(), r.unreadable());
        return r.installs().stream().map(AlternativesScriptTest::render).toList();
    }

    @Test
    void aContinuedCallWithSlavesInsideAConfigureTestIsRead() {
        assertEquals(List.of("/usr/bin/awk awk /usr/bin/mawk 5 | /usr/share/man/man1/awk.1.gz awk.1.gz /usr/share/man/man1/mawk.1.gz"
                + " | /usr/bin/nawk nawk /usr/bin/mawk | /usr/share/man/man1/nawk.1.gz nawk.1.gz /usr/share/man/man1/mawk.1.gz"),
                installs(realPostinst("mawk")));
    }

    @Test
    void aCommentedSlaveAfterABackslashEndsTheCallAsInTheShell() {
        assertEquals(List.of("/usr/bin/cc cc /usr/bin/gcc 20",
                "/usr/bin/c89 c89 /usr/bin/c89-gcc 20 | /usr/share/man/man1/c89.1.gz c89.1.gz /usr/share/man/man1/c89-gcc.1.gz",
                "/usr/bin/c99 c99 /usr/bin/c99-gcc 20 | /usr/share/man/man1/c99.1.gz c99.1.gz /usr/share/man/man1/c99-gcc.1.gz"),
                installs(realPostinst("gcc")));
        assertEquals(List.of("/usr/bin/c++ c++ /usr/bin/g++ 20"), installs(realPostinst("g++")));
    }

    @Test
    void quietAndOrTrueAndAFunctionBodyAreRead() {
        assertEquals(List.of("/lib/cpp cpp /usr/bin/cpp 10"), installs(realPostinst("cpp")));
        assertEquals(List.of("/usr/share/man/man7/builtins.7.gz builtins.7.gz /usr/share/man/man7/bash-builtins.7.gz 10"),
                installs(realPostinst("bash")));
        List<String> which = installs(realPostinst("debianutils"));
        assertEquals(1, which.size());
        assertTrue(which.get(0).startsWith("/usr/bin/which which /usr/bin/which.debianutils 0 | /usr/share/man/man1/which.1.gz"), which.get(0));
        assertEquals(9, which.get(0).split(" \\| ").length);
    }

    @Test
    void quotedWordsLoseTheirQuotesAndNegativePrioritiesAreNumbers() {
        assertEquals(List.of("/usr/bin/editor editor /bin/ed -100"),
                installs("update-alternatives --quiet --install '/usr/bin/editor' \"editor\" /bin/ed -100\n"));
    }

    @Test
    void callsWithExpansionsAreUnreadableAndNamed() {
        AlternativesScript.Reading xz = AlternativesScript.read("xz-utils", realPostinst("xz-utils"));
        assertEquals(List.of(), xz.installs());
        assertEquals(1, xz.unreadable().size());
        assertTrue(xz.unreadable().get(0).startsWith("update-alternatives --install /usr/bin/lzma lzma /usr/bin/xz 20 $("),
                xz.unreadable().get(0));
        AlternativesScript.Reading loop = AlternativesScript.read("jre", "for i in $jre_tools; do\n"
                + "  update-alternatives \\\n    --install \\\n    /usr/bin/$i \\\n    $i \\\n    $basedir/bin/$i \\\n    $priority \\\n"
                + "    $slave1 $slave2\ndone\n");
        assertEquals(List.of("update-alternatives --install /usr/bin/$i $i $basedir/bin/$i $priority $slave1 $slave2"), loop.unreadable());
    }

    @Test
    void otherActionsCommentsAndMentionsRegisterNothing() {
        assertEquals(List.of(), installs("""
                #!/bin/sh
                # update-alternatives --install /usr/bin/program program /usr/bin/alternative 50
                update-alternatives --remove rename /usr/bin/prename
                oldp=$(update-alternatives --query java | awk '{print $2}')
                echo "run update-alternatives --install yourself"
                """));
    }

    @Test
    void aCallMissingAnArgumentIsUnreadable() {
        AlternativesScript.Reading r = AlternativesScript.read("p", "update-alternatives --install /usr/bin/x x /usr/bin/y\n");
        assertEquals(List.of("update-alternatives --install /usr/bin/x x /usr/bin/y"), r.unreadable());
    }
}
