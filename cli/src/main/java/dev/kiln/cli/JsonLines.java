package dev.kiln.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * What {@code --json} prints on stdout: one JSON object per line, written with jackson-core's
 * streaming generator (no ObjectMapper: start-up matters). Events come from several threads at
 * once (eight downloads, a registry's timer), so each line is written whole under the output's
 * lock; the last line is {@code {"result": ...}} or {@code {"error": ...}}, and nothing follows it.
 */
final class JsonLines {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** The fields of one object, written into a generator that has opened it. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private final PrintWriter out;
    private boolean ended;

    JsonLines(PrintWriter out) {
        this.out = out;
    }

    /** An event line: {@code {"event": NAME, ...fields}}; nothing once the last line is written. */
    void event(String name, Fields fields) {
        line(g -> {
            g.writeStringField("event", name);
            fields.write(g);
        }, false);
    }

    /** The last line of a run that did what it was asked: {@code {"result": {...fields}}}. */
    void result(Fields fields) {
        line(g -> {
            g.writeObjectFieldStart("result");
            fields.write(g);
            g.writeEndObject();
        }, true);
    }

    /**
     * The last line of a run that failed: {@code {"error": {"code", "message", "fix", "cause", "hint"}}},
     * the error's stable code, its message without the fix, the fix, the code of the first kiln error
     * it was caused by, and what the command line can do about it (each null when there is none).
     */
    void error(KilnException e, Optional<String> hint) {
        line(g -> {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.description());
            g.writeStringField("fix", e.fix().orElse(null));
            g.writeStringField("cause", cause(e).map(KilnException::code).orElse(null));
            g.writeStringField("hint", hint.orElse(null));
            g.writeEndObject();
        }, true);
    }

    /** The last line when kiln itself failed (a bug): code {@code internal}, what was thrown. */
    void internalError(Throwable e) {
        line(g -> {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", "internal");
            g.writeStringField("message", "internal error: " + e);
            g.writeNullField("fix");
            g.writeNullField("cause");
            g.writeNullField("hint");
            g.writeEndObject();
        }, true);
    }

    private static Optional<KilnException> cause(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c instanceof KilnException k) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private void line(Fields fields, boolean last) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(text)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        // one lock for every writer of this stream, so lines never interleave
        synchronized (out) {
            if (ended) {
                return;
            }
            ended = last;
            out.println(text);
            out.flush();
        }
    }

    /** {@code "name": "path"}, or null. */
    static void path(JsonGenerator g, String name, Path p) throws IOException {
        g.writeStringField(name, p == null ? null : p.toString());
    }

    /** {@code "name": ["a", "b"]}. */
    static void strings(JsonGenerator g, String name, Collection<?> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (Object v : values) {
            g.writeString(String.valueOf(v));
        }
        g.writeEndArray();
    }
}
