package dev.kiln.resolver.lock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class JsonTreeTest {
    @Test
    void theTreeIsWhatObjectMapperReads() throws IOException {
        String json = "{\"a\": [1, 9223372036854775807, 18446744073709551616, 1.5, true, false, null, \"x\\u00e9\"],"
                + " \"b\": {\"c\": {}, \"d\": []}}";
        JsonNode ours = JsonTree.read(json.getBytes(UTF_8));
        assertEquals(new ObjectMapper().readTree(json), ours);
        assertTrue(ours.get("a").get(1).isLong());
        assertTrue(ours.get("a").get(2).isBigInteger());
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        IOException e = assertThrows(IOException.class, () -> JsonTree.read("{\"a\": 1, \"a\": 2}".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("\"a\" is given twice"), e.getMessage());
    }

    @Test
    void anythingAfterTheDocumentOrNothingAtAllIsRefused() {
        IOException e = assertThrows(IOException.class, () -> JsonTree.read("{} {}".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("more after the JSON value ends"), e.getMessage());
        assertThrows(IOException.class, () -> JsonTree.read(new byte[0]));
        assertThrows(IOException.class, () -> JsonTree.read("{\"a\": ".getBytes(UTF_8)));
    }
}
