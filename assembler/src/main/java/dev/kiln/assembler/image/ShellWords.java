package dev.kiln.assembler.image;

import dev.kiln.assembler.AssembleException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way apko does for {@code entrypoint.command} and
 * {@code cmd} (google/shlex): words are separated by whitespace; single quotes keep everything
 * literally; double quotes keep everything but a backslash, which escapes the next character;
 * outside quotes a backslash escapes the next character. Nothing is expanded: no variables, no
 * globs. Unlike shlex, {@code #} is an ordinary character (a comment in an entrypoint would only
 * hide words).
 */
public final class ShellWords {
    private ShellWords() {}

    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\\') {
                if (i == line.length()) {
                    throw new AssembleException("cannot split '" + line + "' into words: it ends in a backslash");
                }
                word.append(line.charAt(i++));
                inWord = true;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i);
                if (end < 0) {
                    throw new AssembleException("cannot split '" + line + "' into words: an unclosed single quote");
                }
                word.append(line, i, end);
                i = end + 1;
                inWord = true;
            } else if (c == '"') {
                boolean closed = false;
                while (i < line.length()) {
                    char d = line.charAt(i++);
                    if (d == '"') {
                        closed = true;
                        break;
                    }
                    if (d == '\\' && i < line.length()) {
                        d = line.charAt(i++);
                    }
                    word.append(d);
                }
                if (!closed) {
                    throw new AssembleException("cannot split '" + line + "' into words: an unclosed double quote");
                }
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }
}
