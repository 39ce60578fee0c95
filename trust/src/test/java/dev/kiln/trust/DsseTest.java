package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseTest {
    static final SigningKey KEY = SigningKey.generate();
    static final byte[] STATEMENT = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(UTF_8);

    @Test
    void thePreAuthenticationEncodingIsTheSpecsExample() {
        assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
                new String(Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(UTF_8)), UTF_8));
    }

    @Test
    void lengthsCountBytesNotCharacters() {
        assertEquals("DSSEv1 4 t/\u00e9 5 \u00fcn\u00ef",
                new String(Dsse.pae("t/\u00e9", "\u00fcn\u00ef".getBytes(UTF_8)), UTF_8));
    }

    @Test
    void anEnvelopeRoundTripsThroughItsJsonAndVerifies() {
        Dsse.Envelope envelope = Dsse.sign(STATEMENT, Dsse.IN_TOTO, KEY);
        Dsse.Envelope back = Dsse.parse(envelope.json());
        assertArrayEquals(STATEMENT, back.payload());
        assertEquals(Dsse.IN_TOTO, back.payloadType());
        assertEquals(KEY.verificationKey().fingerprint(), back.signatures().get(0).keyid());
        assertEquals(KEY.verificationKey(), Dsse.signer(back, Dsse.IN_TOTO, List.of(KEY.verificationKey())));
    }

    @Test
    void theJsonHasTheSpecsFieldsInOrder() {
        String json = new String(Dsse.sign(STATEMENT, Dsse.IN_TOTO, KEY).json(), UTF_8);
        assertTrue(json.startsWith("{\"payload\":\"" + Base64.getEncoder().encodeToString(STATEMENT)
                + "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"keyid\":\"sha256:"), json);
    }

    @Test
    void theSignatureCoversThePaeNotThePayloadAlone() {
        Dsse.Envelope envelope = Dsse.sign(STATEMENT, Dsse.IN_TOTO, KEY);
        byte[] sig = envelope.signatures().get(0).sig();
        assertTrue(KEY.verificationKey().verifies(Dsse.pae(Dsse.IN_TOTO, STATEMENT), sig));
        assertTrue(!KEY.verificationKey().verifies(STATEMENT, sig));
    }

    @Test
    void aChangedPayloadOrAnotherKeyDoesNotVerify() {
        Dsse.Envelope envelope = Dsse.sign(STATEMENT, Dsse.IN_TOTO, KEY);
        Dsse.Envelope changed = new Dsse.Envelope(Dsse.IN_TOTO, "{\"_type\":\"x\"}".getBytes(UTF_8), envelope.signatures());
        assertNull(Dsse.signer(changed, Dsse.IN_TOTO, List.of(KEY.verificationKey())));
        assertNull(Dsse.signer(envelope, Dsse.IN_TOTO, List.of(SigningKey.generate().verificationKey())));
    }

    @Test
    void aChangedPayloadTypeIsRefused() {
        Dsse.Envelope envelope = Dsse.sign(STATEMENT, Dsse.IN_TOTO, KEY);
        Dsse.Envelope retyped = new Dsse.Envelope("text/plain", STATEMENT, envelope.signatures());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dsse.signer(retyped, Dsse.IN_TOTO, List.of(KEY.verificationKey())));
        assertTrue(e.getMessage().contains("'text/plain'"), e.getMessage());
        // and signed as text/plain, it does not verify as the in-toto type either
        Dsse.Envelope forged = new Dsse.Envelope(Dsse.IN_TOTO, STATEMENT, Dsse.sign(STATEMENT, "text/plain", KEY).signatures());
        assertNull(Dsse.signer(forged, Dsse.IN_TOTO, List.of(KEY.verificationKey())));
    }

    @Test
    void malformedEnvelopesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse("[]".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse("{\"payload\":\"!!\",\"payloadType\":\"t\",\"signatures\":[]}".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse("{\"payload\":\"\"}".getBytes(UTF_8)));
    }
}
