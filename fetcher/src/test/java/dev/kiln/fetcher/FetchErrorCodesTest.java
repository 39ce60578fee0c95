package dev.kiln.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.fetcher.pgp.SignatureException;
import dev.kiln.store.ErrorCodeCheck;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fetcher's error codes are published names: pinned here, listed in the README. */
class FetchErrorCodesTest {
    @Test
    void everyExceptionClassOfTheFetcherIsOneThisTestKnows() {
        assertEquals(List.of(
                DownloadsFailedException.class.getName(),
                FetchException.class.getName(),
                NotFoundException.class.getName(),
                TransientFetchException.class.getName(),
                UnreachableHostException.class.getName(),
                SignatureException.class.getName()), ErrorCodeCheck.exceptionClasses(FetchException.class));
    }

    @Test
    void eachClassNamesItsKind() {
        assertEquals("fetch", new FetchException("x").code());
        assertEquals("fetch.not-found", new NotFoundException("x").code());
        assertEquals("fetch.network", new TransientFetchException("x").code());
        assertEquals("fetch.unreachable", new UnreachableHostException(URI.create("http://h/"), "x", null).code());
        assertEquals("fetch.signature.unknown-key", new SignatureException(SignatureException.Reason.UNKNOWN_KEY, "x").code());
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (FetchException.Kind k : FetchException.Kind.values()) {
            codes.add(k.code());
        }
        for (SignatureException.Reason r : SignatureException.Reason.values()) {
            codes.add(r.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "fetch",
                "fetch.keys",
                "fetch.netrc",
                "fetch.network",
                "fetch.not-found",
                "fetch.offline-missing",
                "fetch.proxy",
                "fetch.refused",
                "fetch.signature.bad-signature",
                "fetch.signature.expired-key",
                "fetch.signature.expired-signature",
                "fetch.signature.future-signature",
                "fetch.signature.malformed",
                "fetch.signature.not-signed",
                "fetch.signature.revoked-key",
                "fetch.signature.unknown-key",
                "fetch.signature.unsigned-text",
                "fetch.signature.unusable-key",
                "fetch.signature.weak-digest",
                "fetch.unreachable",
                "fetch.wrong-bytes"), codes, "fetch");
    }
}
