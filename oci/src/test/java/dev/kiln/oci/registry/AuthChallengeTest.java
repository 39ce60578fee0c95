package dev.kiln.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void aBearerChallengeWithAQuotedScopeHoldingCommas() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\""));
        assertEquals(List.of(new AuthChallenge("bearer", Map.of("realm", "https://auth.example/token",
                "service", "registry.example", "scope", "repository:a/b:pull,push"))), c);
    }

    @Test
    void severalChallengesInOneHeaderAndBareValues() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of("Basic realm=\"x y\", BEARER realm=https://t.example/token , service=reg"));
        assertEquals(2, c.size());
        assertEquals(new AuthChallenge("basic", Map.of("realm", "x y")), c.get(0));
        assertEquals(new AuthChallenge("bearer", Map.of("realm", "https://t.example/token", "service", "reg")), c.get(1));
    }

    @Test
    void escapesInQuotedStringsAndSeveralHeaders() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of("Basic realm=\"a \\\"b\\\"\"", "Bearer realm=\"r\""));
        assertEquals("a \"b\"", c.get(0).param("realm").orElseThrow());
        assertEquals("bearer", c.get(1).scheme());
    }

    @Test
    void aSchemeWithoutParameters() {
        assertEquals(List.of(new AuthChallenge("negotiate", Map.of())), AuthChallenge.parse(List.of("Negotiate")));
    }
}
