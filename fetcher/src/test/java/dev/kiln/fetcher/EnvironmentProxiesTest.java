package dev.kiln.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentProxiesTest {
    private static final Proxy HTTP_PROXY = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.kiln.test", 3128));

    private static List<Proxy> select(Map<String, String> env, String uri) {
        return EnvironmentProxies.from(env, null).select(URI.create(uri));
    }

    @Test
    void eachSchemeUsesItsOwnVariable() {
        Map<String, String> env = Map.of(
                "http_proxy", "http://proxy.kiln.test:3128",
                "https_proxy", "http://secure.kiln.test:8080");
        assertEquals(List.of(HTTP_PROXY), select(env, "http://mirror.kiln.test/debian"));
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("secure.kiln.test", 8080))),
                select(env, "https://mirror.kiln.test/debian"));
    }

    @Test
    void uppercaseVariablesWorkAndAllProxyIsTheFallback() {
        assertEquals(List.of(HTTP_PROXY), select(Map.of("HTTPS_PROXY", "proxy.kiln.test:3128"), "https://m.kiln.test/"));
        assertEquals(List.of(HTTP_PROXY), select(Map.of("ALL_PROXY", "http://proxy.kiln.test:3128"), "http://m.kiln.test/"));
    }

    @Test
    void withoutAVariableTheConnectionIsDirect() {
        assertEquals(List.of(Proxy.NO_PROXY), select(Map.of(), "http://mirror.kiln.test/"));
        assertEquals(List.of(Proxy.NO_PROXY), select(Map.of("https_proxy", "proxy.kiln.test:3128"), "http://mirror.kiln.test/"));
    }

    @Test
    void noProxyMatchesHostsDomainsAndAddresses() {
        EnvironmentProxies p = EnvironmentProxies.from(Map.of(
                "http_proxy", "proxy.kiln.test:3128",
                "no_proxy", "internal.kiln.test, .corp.kiln.test,10.0.0.0/8 ,192.168.1.5,exact.kiln.test:8080"), null);
        assertTrue(p.bypassed("internal.kiln.test"));
        assertTrue(p.bypassed("deb.internal.kiln.test"));
        assertTrue(p.bypassed("corp.kiln.test"));
        assertTrue(p.bypassed("a.corp.kiln.test"));
        assertTrue(p.bypassed("10.1.2.3"));
        assertTrue(p.bypassed("192.168.1.5"));
        assertTrue(p.bypassed("exact.kiln.test"));
        assertFalse(p.bypassed("notinternal.kiln.test"));
        assertFalse(p.bypassed("11.1.2.3"));
        assertFalse(p.bypassed("192.168.1.50"));
        assertEquals(List.of(Proxy.NO_PROXY), p.select(URI.create("http://deb.internal.kiln.test/debian")));
        assertEquals(List.of(HTTP_PROXY.type()), p.select(URI.create("http://mirror.kiln.test/")).stream().map(Proxy::type).toList());
    }

    @Test
    void aStarInNoProxyTurnsProxiesOff() {
        assertEquals(List.of(Proxy.NO_PROXY), select(Map.of("http_proxy", "proxy.kiln.test:3128", "NO_PROXY", "*"), "http://m.kiln.test/"));
    }

    @Test
    void loopbackIsNeverProxied() {
        Map<String, String> env = Map.of("http_proxy", "proxy.kiln.test:3128");
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://127.0.0.1:3142/debian"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://localhost:3142/debian"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://[::1]:3142/debian"));
    }

    @Test
    void socksProxiesAreSocks() {
        List<Proxy> ps = select(Map.of("all_proxy", "socks5h://socks.kiln.test"), "https://m.kiln.test/");
        assertEquals(List.of(new Proxy(Proxy.Type.SOCKS, InetSocketAddress.createUnresolved("socks.kiln.test", 1080))), ps);
    }

    @Test
    void credentialsComeFromTheUserInfo() {
        EnvironmentProxies p = EnvironmentProxies.from(Map.of("http_proxy", "http://u%3Ax:p+w@proxy.kiln.test:3128"), null);
        assertEquals(Optional.of("Basic " + java.util.Base64.getEncoder().encodeToString("u:x:p+w".getBytes())), p.credentials(HTTP_PROXY));
    }
}
