package dev.kiln.store.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTreeTest {
    @Test
    void theTreeIsWhatObjectMapperReads() throws Exception {
        String json = "{\"a\": [1, 9223372036854775807, 18446744073709551616, 1.5, true, false, null, \"x\\u00e9\"],"
                + " \"b\": {\"c\": {}, \"d\": []}}";
        JsonNode ours = JsonTree.read(json.getBytes(UTF_8));
        assertEquals(new ObjectMapper().readTree(json), ours);
        assertTrue(ours.get("a").get(1).isLong());
        assertTrue(ours.get("a").get(2).isBigInteger());
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        MalformedJsonException e = assertThrows(MalformedJsonException.class,
                () -> JsonTree.read("{\"a\": 1,\n \"a\": 2}".getBytes(UTF_8)));
        assertEquals("line 2, column 2: expected each key once in an object, found \"a\" a second time", e.getMessage());
    }

    @Test
    void anythingAfterTheDocumentOrNothingAtAllIsRefused() {
        MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonTree.read("{} {}".getBytes(UTF_8)));
        assertEquals("line 1, column 4: expected the end of the file after the document, found more: another object", e.getMessage());
        assertEquals("expected a JSON document, found nothing (the file is empty or blank)",
                assertThrows(MalformedJsonException.class, () -> JsonTree.read(" \n".getBytes(UTF_8))).getMessage());
        assertThrows(MalformedJsonException.class, () -> JsonTree.read("{\"a\": ".getBytes(UTF_8)));
    }

    /** What the parser says of each mistake, in kiln's words: where, what was expected, what was found. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"a\": \"abc                    | line 1, column 11: expected '\"' to end the string, found the end of the file (is it cut short?)",
        "{\"a\": 1]                        | line 1, column 8: expected '}' to close the object begun at line 1, column 1, found ']'",
        "{\"a\": 1}}                       | line 1, column 9: expected the end of the document (no object is open here), found '}'",
        "{\"a\" 1}                         | line 1, column 6: expected ':' after the key, found '1'",
        "{a: 1}                            | line 1, column 2: expected a key in double quotes, found 'a'",
        "{\"a\": 1,}                       | line 1, column 9: expected another key after ',' (JSON allows no comma before '}'), found '}'",
        "[1,]                              | line 1, column 4: expected a value after ',' (JSON allows no comma before ']'), found ']'",
        "{\"a\": 1 \"b\": 2}               | line 1, column 9: expected ',' or '}' after a value in an object, found '\"'",
        "[1 2]                             | line 1, column 4: expected ',' or ']' after a value in a list, found '2'",
        "{\"a\": tru}                      | line 1, column 7: expected a value (a string in double quotes, a number, an object, a list, true, false or null), found 'tru'",
        "not json                          | line 1, column 1: expected a value (a string in double quotes, a number, an object, a list, true, false or null), found 'not'",
        "{\"a\": NaN}                      | line 1, column 10: expected a value (JSON has no NaN or Infinity), found 'NaN'",
        "{\"a\": \"\\q\"}                    | line 1, column 9: expected an escape \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX, found \\q",
        "{\"a\": 01}                       | line 1, column 8: expected a number without leading zeros, found a leading zero",
        "{\"a\": -}                        | line 1, column 8: expected a number like -12, 3.5 or 1e6, found '}'",
    })
    void eachMistakeIsSaidInPlainWords(String json, String said) {
        MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonTree.read(json.getBytes(UTF_8)));
        assertEquals(said, e.getMessage());
    }

    @Test
    void anUnclosedListIsNamedWithWhereItBegins() {
        MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonTree.read("{\"a\": [1,\n 2".getBytes(UTF_8)));
        assertEquals("line 2, column 3: expected ']' to close the list begun at line 1, column 7,"
                + " found the end of the file (is it cut short?)", e.getMessage());
        assertEquals(2, e.line());
        assertEquals(3, e.column());
    }

    @Test
    void controlCharactersBadBytesAndDeepNestingAreNamed() {
        assertEquals("line 1, column 8: expected a control character in a string written as an escape such as \\n or \\t,"
                + " found the control character tab", assertThrows(MalformedJsonException.class,
                        () -> JsonTree.read("{\"a\": \"\t\"}".getBytes(UTF_8))).getMessage());
        assertEquals("line 1, column 2: expected UTF-8 text, found the byte 0xff, which is not UTF-8 there",
                assertThrows(MalformedJsonException.class, () -> JsonTree.read(new byte[] {(byte) 0xff})).getMessage());
        MalformedJsonException deep = assertThrows(MalformedJsonException.class,
                () -> JsonTree.read("[".repeat(1200).getBytes(UTF_8)));
        assertTrue(deep.getMessage().startsWith("line 1, column 100"), deep.getMessage());
        assertTrue(deep.getMessage().endsWith("expected objects and lists nested at most 1000 deep, found deeper nesting"),
                deep.getMessage());
    }

    /** Whatever the mistake, the parser's internals (its source marks, token and switch names) stay out. */
    @Test
    void noMessageNamesTheParsersInternals() {
        String[] broken = {"{\"a\": 1]", "{\"a\": [1, 2", "{\"a\": {", "{\"a\": \"x", "{\"a\"", "{\"a\": +1}",
            "{\"a\": 1.}", "{\"a\": 1e}", "{\"a\": \"\\u12\"}", "'a'", "[".repeat(1001), "{\"a\": Infinity}"};
        for (String json : broken) {
            MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonTree.read(json.getBytes(UTF_8)));
            String m = e.getMessage();
            for (String internal : new String[] {"Source", "REDACTED", "`", "VALUE_", "FIELD_NAME", "Object", "Array",
                "code ", "JsonReadFeature", "StreamReadConstraints"}) {
                assertFalse(m.contains(internal), json + " gave " + m);
            }
            assertTrue(m.matches("line \\d+, column \\d+: expected .+, found .+"), json + " gave " + m);
        }
    }
}
