package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DigestTest {
    @Test
    void digestOfEmptyInputIsTheWellKnownSha256() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.of(new byte[0]).toString());
    }

    @Test
    void streamAndArrayDigestsAgree() throws IOException {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        assertEquals(Digest.of(data), Digest.of(new ByteArrayInputStream(data)));
    }

    @Test
    void parseAcceptsPrefixedAndBareHexAndRoundTrips() {
        Digest d = Digest.of("kiln");
        assertEquals(d, Digest.parse(d.toString()));
        assertEquals(d, Digest.parse(d.hex()));
    }

    @Test
    void parseRefusesWrongLengthAndUppercase() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(Digest.of("x").hex().toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + Digest.of("x").hex()));
    }
}
