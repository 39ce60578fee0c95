package dev.kiln.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetrcTest {
    @TempDir
    Path dir;

    private static Optional<Netrc.Login> login(String user, String password) {
        return Optional.of(new Netrc.Login(user, password));
    }

    @Test
    void aMachineEntryOnOneLine() {
        Netrc n = Netrc.parse("machine mirror.kiln.test login alice password secret\n", "netrc");
        assertEquals(login("alice", "secret"), n.machine("mirror.kiln.test"));
        assertEquals(Optional.empty(), n.machine("other.kiln.test"));
    }

    @Test
    void entriesMaySpreadOverLinesAndHostsMatchInAnyCase() {
        Netrc n = Netrc.parse("""
                machine Mirror.Kiln.Test
                    login alice
                    password secret
                machine b.kiln.test login bob password pw
                """, "netrc");
        assertEquals(login("alice", "secret"), n.machine("mirror.kiln.test"));
        assertEquals(login("bob", "pw"), n.machine("B.KILN.TEST"));
    }

    @Test
    void theFirstEntryForAHostWins() {
        Netrc n = Netrc.parse("machine h login first password 1\nmachine h login second password 2\n", "netrc");
        assertEquals(login("first", "1"), n.machine("h"));
    }

    @Test
    void defaultAnswersForAnyOtherHostButIsNoMachineEntry() {
        Netrc n = Netrc.parse("machine h login a password 1\ndefault login anon password guest\n", "netrc");
        assertEquals(login("a", "1"), n.forHost("h"));
        assertEquals(login("anon", "guest"), n.forHost("elsewhere"));
        assertEquals(Optional.empty(), n.machine("elsewhere"));
    }

    @Test
    void macdefBodiesCommentsAndAccountsAreSkipped() {
        Netrc n = Netrc.parse("""
                # my credentials
                macdef init
                machine not-a-real-entry login x password y
                cd /pub

                machine h login a password 1 account acct
                """, "netrc");
        assertEquals(Optional.empty(), n.machine("not-a-real-entry"));
        assertEquals(login("a", "1"), n.machine("h"));
    }

    @Test
    void quotedTokensMayHoldSpacesAndQuotes() {
        Netrc n = Netrc.parse("machine h login \"a b\" password \"p \\\"q\\\" r\"\n", "netrc");
        assertEquals(login("a b", "p \"q\" r"), n.machine("h"));
    }

    @Test
    void aKeywordWithoutAValueIsAnError() {
        FetchException e = assertThrows(FetchException.class, () -> Netrc.parse("machine h login a password", "/home/u/.netrc"));
        assertTrue(e.getMessage().startsWith("/home/u/.netrc: 'password'"), e.getMessage());
    }

    @Test
    void aMissingFileHoldsNoCredentials() {
        assertEquals(Optional.empty(), Netrc.load(dir.resolve("absent")).forHost("h"));
    }

    @Test
    void thePasswordIsNotPrinted() {
        assertTrue(!new Netrc.Login("u", "hunter2").toString().contains("hunter2"));
    }
}
