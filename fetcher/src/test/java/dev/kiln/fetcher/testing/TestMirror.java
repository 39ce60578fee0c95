package dev.kiln.fetcher.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.BufferedSink;

/**
 * A local HTTP mirror for tests: serves files by path (honouring {@code Range: bytes=N-} with 206),
 * records every request, and misbehaves on demand. Faults queued with {@link #fail} are used up by the
 * next requests for that path, one each, before it serves normally again; {@link #failAlways} never
 * stops. Paths it does not know are 404.
 */
public final class TestMirror implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final MockWebServer server = new MockWebServer();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, Fault> alwaysFaults = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Consumer<RecordedRequest> onRequest = r -> { };

    private TestMirror() {
    }

    public static TestMirror start() {
        TestMirror m = new TestMirror();
        m.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                m.requests.add(request);
                m.onRequest.accept(request);
                return m.answer(request);
            }
        });
        try {
            m.server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** {@code http://127.0.0.1:PORT/path}. */
    public URI uri(String path) {
        return uri("127.0.0.1", path);
    }

    /** The same server under another host name (e.g. {@code localhost}), to tell hosts apart in tests. */
    public URI uri(String host, String path) {
        return URI.create("http://" + host + ":" + server.getPort() + path);
    }

    public int port() {
        return server.getPort();
    }

    public TestMirror serve(String path, byte[] bytes) {
        files.put(path, bytes.clone());
        return this;
    }

    /** The next requests for {@code path} get these faults, one each, in order. */
    public TestMirror fail(String path, Fault... next) {
        faults.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(Arrays.asList(next));
        return this;
    }

    /** Every request for {@code path} gets {@code fault}. */
    public TestMirror failAlways(String path, Fault fault) {
        alwaysFaults.put(path, fault);
        return this;
    }

    /** Runs on the server's thread as each request arrives, before it is answered (e.g. a latch). */
    public TestMirror onRequest(Consumer<RecordedRequest> hook) {
        this.onRequest = hook;
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> requests(String path) {
        return requests.stream().filter(r -> r.getUrl().encodedPath().equals(path)).toList();
    }

    public int requestCount() {
        return requests.size();
    }

    @Override
    public void close() {
        server.close();
    }

    private MockResponse answer(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        Fault fault = alwaysFaults.get(path);
        if (fault == null) {
            Deque<Fault> queue = faults.get(path);
            synchronized (this) {
                fault = queue == null ? null : queue.poll();
            }
        }
        byte[] bytes = files.get(path);
        if (fault instanceof Fault.Status s) {
            MockResponse.Builder b = new MockResponse.Builder().code(s.code);
            for (int i = 0; i + 1 < s.headers.length; i += 2) {
                b.addHeader(s.headers[i], s.headers[i + 1]);
            }
            return b.build();
        }
        if (fault instanceof Fault.Endless e) {
            return new MockResponse.Builder().code(200).body(e)
                    .removeHeader("Content-Length").setHeader("Transfer-Encoding", "chunked").build();
        }
        if (bytes == null) {
            return new MockResponse.Builder().code(404).build();
        }
        long from = 0;
        String range = request.getHeaders().get("Range");
        if (range != null && fault != Fault.IGNORE_RANGE) {
            Matcher m = RANGE.matcher(range);
            if (m.matches()) {
                from = Long.parseLong(m.group(1));
            }
        }
        if (from >= bytes.length && from > 0) {
            return new MockResponse.Builder().code(416).addHeader("Content-Range", "bytes */" + bytes.length).build();
        }
        MockResponse.Builder b = new MockResponse.Builder()
                .code(from > 0 ? 206 : 200)
                .body(new Buffer().write(bytes, (int) from, bytes.length - (int) from));
        if (from > 0) {
            b.addHeader("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        if (fault == Fault.CUT_HALFWAY) {
            b.onResponseBody(new SocketEffect.CloseSocket());
        } else if (fault == Fault.STALL_HALFWAY) {
            b.onResponseBody(SocketEffect.Stall.INSTANCE);
        } else if (fault == Fault.STALL_BEFORE_BODY) {
            b.onResponseStart(SocketEffect.Stall.INSTANCE);
        }
        return b.build();
    }

    /** Ways to misbehave. */
    public abstract static class Fault {
        /** Sends half the body, then drops the connection. */
        public static final Fault CUT_HALFWAY = new Fault() { };
        /** Sends half the body, then nothing more while keeping the connection open. */
        public static final Fault STALL_HALFWAY = new Fault() { };
        /** Sends nothing at all while keeping the connection open. */
        public static final Fault STALL_BEFORE_BODY = new Fault() { };
        /** Answers a Range request with 200 and the whole file. */
        public static final Fault IGNORE_RANGE = new Fault() { };

        private Fault() {
        }

        /** An HTTP status with no body, and headers given as name, value, name, value... */
        public static Fault status(int code, String... headers) {
            return new Status(code, headers);
        }

        /**
         * 200 with no length, then chunks of bytes until the client goes away; {@code sent} counts them.
         * Chunked, because a client that closes a chunked body early may try to drain it to reuse the
         * connection.
         */
        public static Fault endless(AtomicLong sent) {
            return new Endless(sent);
        }

        private static final class Status extends Fault {
            final int code;
            final String[] headers;

            Status(int code, String[] headers) {
                this.code = code;
                this.headers = headers.clone();
            }
        }

        private static final class Endless extends Fault implements MockResponseBody {
            final AtomicLong sent;

            Endless(AtomicLong sent) {
                this.sent = sent;
            }

            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                byte[] chunk = new byte[1 << 14];
                Arrays.fill(chunk, (byte) 'x');
                while (true) {
                    sink.writeUtf8(Integer.toHexString(chunk.length)).writeUtf8("\r\n").write(chunk).writeUtf8("\r\n");
                    sink.flush();
                    sent.addAndGet(chunk.length);
                }
            }
        }
    }

    /** Random-looking but reproducible bytes of a given size: fixtures that are not all one value. */
    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** The list of the requests' {@code Range} headers, null where there was none. */
    public static List<String> ranges(List<RecordedRequest> rs) {
        List<String> out = new ArrayList<>();
        for (RecordedRequest r : rs) {
            out.add(r.getHeaders().get("Range"));
        }
        return out;
    }
}
