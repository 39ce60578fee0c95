package dev.kiln.store.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes that are not one JSON document, said in the reader's terms: {@code line 10, column 71:
 * expected '"' to end the string, found the end of the file}. The parser's own messages name its
 * token types, its configuration switches and a redacted source ({@code [Source: REDACTED ...]});
 * none of that reaches a user. Callers put the file's name in front.
 */
public final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    private static final Pattern UNEXPECTED_CHAR = Pattern.compile("^Unexpected character \\('(.)' \\(code (\\d+)\\)\\)");
    private static final Pattern TOKEN = Pattern.compile("^(?:Unrecognized|Non-standard) token '(.*?)'");
    private static final Pattern CLOSE_MARKER = Pattern.compile("^Unexpected close marker '(.)'");
    private static final Pattern CONTROL_CHAR = Pattern.compile("^Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern ESCAPE = Pattern.compile("^Unrecognized character escape '(.)'");
    private static final Pattern NOT_UTF8 = Pattern.compile("^Invalid UTF-8 (?:start |middle )?byte (0x[0-9a-fA-F]+)");
    private static final Pattern OPENED_AT = Pattern.compile("(Object|Array) (?:starting at|\\(start marker at) .*?line: (\\d+), column: (\\d+)");
    private static final Pattern TOO_DEEP = Pattern.compile("^Document nesting depth \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    private static final Pattern TOO_LONG = Pattern.compile("^(String value|Number value|Name) length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    private static final String A_VALUE = "a value (a string in double quotes, a number, an object, a list, true, false or null)";

    private final int line;
    private final int column;
    private final String expected;
    private final String found;

    /**
     * @param line 1-based, or 0 when not known
     * @param column 1-based, or 0 when not known
     */
    public MalformedJsonException(int line, int column, String expected, String found) {
        super(format(line, column, expected, found), null, false, false);
        this.line = line;
        this.column = column;
        this.expected = expected;
        this.found = found;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String expected() {
        return expected;
    }

    public String found() {
        return found;
    }

    private static String format(int line, int column, String expected, String found) {
        String where = line < 1 ? "" : "line " + line + (column < 1 ? "" : ", column " + column) + ": ";
        return where + "expected " + expected + ", found " + found;
    }

    /**
     * The parser's complaint in plain words. {@code at} is where the parser stood, for complaints
     * that carry no location of their own (a document nested too deeply).
     */
    static MalformedJsonException of(JsonProcessingException e, JsonLocation at) {
        JsonLocation loc = e.getLocation() != null ? e.getLocation() : at;
        int line = loc == null ? 0 : Math.max(loc.getLineNr(), 0);
        int column = loc == null ? 0 : Math.max(loc.getColumnNr(), 0);
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String[] ef = expectedAndFound(m);
        return new MalformedJsonException(line, column, ef[0], ef[1]);
    }

    /** {expected, found} for each complaint jackson-core 2.x makes of a document; anything else cleaned up. */
    private static String[] expectedAndFound(String m) {
        Matcher deep = TOO_DEEP.matcher(m);
        if (deep.find()) {
            return new String[] {"objects and lists nested at most " + deep.group(2) + " deep", "deeper nesting"};
        }
        Matcher longer = TOO_LONG.matcher(m);
        if (longer.find()) {
            String what = longer.group(1).equals("Name") ? "a key" : longer.group(1).startsWith("String") ? "a string" : "a number";
            return new String[] {what + " of at most " + longer.group(3) + " characters", "one of " + longer.group(2)};
        }
        if (m.startsWith("Unexpected end-of-input")) {
            return new String[] {endOfInputExpected(m), "the end of the file (is it cut short?)"};
        }
        Matcher utf8 = NOT_UTF8.matcher(m);
        if (utf8.find()) {
            return new String[] {"UTF-8 text", "the byte " + utf8.group(1).toLowerCase(Locale.ROOT) + ", which is not UTF-8 there"};
        }
        Matcher control = CONTROL_CHAR.matcher(m);
        if (control.find()) {
            return new String[] {"a control character in a string written as an escape such as \\n or \\t",
                    "the control character " + controlName(Integer.parseInt(control.group(1)))};
        }
        Matcher escape = ESCAPE.matcher(m);
        if (escape.find()) {
            return new String[] {"an escape \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX", "\\" + escape.group(1)};
        }
        Matcher close = CLOSE_MARKER.matcher(m);
        if (close.find()) {
            String found = "'" + close.group(1) + "'";
            Matcher opened = OPENED_AT.matcher(m);
            if (opened.find()) {
                return new String[] {closer(opened.group(1)) + " to close the " + noun(opened.group(1)) + " begun at line "
                        + opened.group(2) + ", column " + opened.group(3), found};
            }
            return new String[] {"the end of the document (no " + (close.group(1).equals("}") ? "object" : "list")
                    + " is open here)", found};
        }
        String found = null;
        Matcher ch = UNEXPECTED_CHAR.matcher(m);
        Matcher token = TOKEN.matcher(m);
        if (ch.find()) {
            found = character(ch.group(1).charAt(0), Integer.parseInt(ch.group(2)));
        } else if (token.find()) {
            found = "'" + token.group(1) + "'";
        }
        boolean closing = "'}'".equals(found) || "']'".equals(found);
        String expected;
        if (m.contains("double-quote to start field name")) {
            expected = closing ? "another key after ',' (JSON allows no comma before '}')" : "a key in double quotes";
        } else if (m.contains("colon to separate field name and value")) {
            expected = "':' after the key";
        } else if (m.contains("comma to separate Object entries")) {
            expected = "',' or '}' after a value in an object";
        } else if (m.contains("comma to separate Array entries")) {
            expected = "',' or ']' after a value in a list";
        } else if (m.contains("Non-standard token")) {
            expected = "a value (JSON has no NaN or Infinity)";
        } else if (m.contains("hex-digit for character escape")) {
            expected = "four hex digits after \\u";
        } else if (m.contains("Leading zeroes not allowed")) {
            return new String[] {"a number without leading zeros", "a leading zero"};
        } else if (m.contains("in numeric value") || m.startsWith("Invalid numeric value")) {
            expected = "a number like -12, 3.5 or 1e6";
        } else if (m.contains("expected a value") || m.contains("expected a valid value") || m.contains("was expecting (JSON String")) {
            expected = closing ? "a value after ',' (JSON allows no comma before '" + found.charAt(1) + "')" : A_VALUE;
        } else {
            return new String[] {"JSON", cleaned(m)};
        }
        return new String[] {expected, found == null ? "something else" : found};
    }

    private static String endOfInputExpected(String m) {
        if (m.contains("VALUE_STRING") || m.contains("FIELD_NAME")) {
            return "'\"' to end the string";
        }
        Matcher opened = OPENED_AT.matcher(m);
        if (opened.find()) {
            return closer(opened.group(1)) + " to close the " + noun(opened.group(1)) + " begun at line " + opened.group(2)
                    + ", column " + opened.group(3);
        }
        if (m.contains("Object entries")) {
            return "the rest of the object";
        }
        return "the rest of the document";
    }

    private static String closer(String container) {
        return container.equals("Object") ? "'}'" : "']'";
    }

    private static String noun(String container) {
        return container.equals("Object") ? "object" : "list";
    }

    private static String character(char c, int code) {
        return code < 0x20 || code == 0x7f ? "the control character " + controlName(code) : "'" + c + "'";
    }

    private static String controlName(int code) {
        return switch (code) {
            case '\n' -> "newline";
            case '\r' -> "carriage return";
            case '\t' -> "tab";
            default -> String.format(Locale.ROOT, "U+%04X", code);
        };
    }

    /** A complaint this class has no words for, without the parser's switches and source marks. */
    private static String cleaned(String m) {
        String s = m.replaceAll("\\s*\\[Source:.*?\\]", "")
                .replaceAll(":?\\s*enable `[^`]*` to allow", "")
                .replaceAll("\\s*\\(from `[^`]*`\\)", "")
                .replaceAll("`[^`]*`", "")
                .replaceAll("\\s*\\(code \\d+\\)", "")
                .strip();
        return s.isEmpty() ? "something else" : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
