package dev.vela.util;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void readsEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5, 3e2, true, false, null], \"b\": {}, \"c\": [], \"d\": \"x\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(m.keySet()), "document order");
        assertEquals(Arrays.asList(1L, -2.5, 300.0, true, false, null), m.get("a"));
        assertEquals(Map.of(), m.get("b"));
        assertEquals(List.of(), m.get("c"));
        assertEquals("x", m.get("d"));
        assertNull(Json.parse("null"));
    }

    @Test
    void numbersAreLongWhenIntegralAndDoubleOtherwise() {
        assertEquals(9007199254740993L, Json.parse("9007199254740993"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(1e20, Json.parse("100000000000000000000"));
        assertEquals(0.5, Json.parse("0.5"));
    }

    @Test
    void decodesEscapes() {
        assertEquals("q\"b\\s/\b\f\n\r\té😀", Json.parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""));
        assertEquals("é", Json.parse("\"é\""));
    }

    @Test
    void errorsNameThePlace() {
        assertError("{\"a\" 1}", "bad JSON at character 5: expected ':'");
        assertError("[1, 2", "bad JSON at character 5: unexpected end of input, expected ',' or ']'");
        assertError("[1,]", "bad JSON at character 3: unexpected ']'");
        assertError("{\"a\":1,}", "bad JSON at character 7: expected a string key");
        assertError("01", "bad JSON at character 1: unexpected '1' after the end of the value");
        assertError("\"a\nb\"", "bad JSON at character 2: control character in a string");
        assertError("\"\\x\"", "bad JSON at character 2: bad escape \\ followed by 'x'");
        assertError("tru", "bad JSON at character 0: unexpected 't'");
        assertError("", "bad JSON at character 0: unexpected end of input");
        assertError("-", "bad JSON at character 1: expected a digit");
        assertError("1.", "bad JSON at character 2: expected a digit after '.'");
        assertError("\u0001", "bad JSON at character 0: unexpected U+0001");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000);
        VelaException e = assertThrows(VelaException.class, () -> Json.parse(deep));
        assertEquals("bad JSON at character 513: nested deeper than 512 levels", e.getMessage());
    }

    private static void assertError(String text, String message) {
        VelaException e = assertThrows(VelaException.class, () -> Json.parse(text));
        assertEquals(message, e.getMessage());
    }
}
