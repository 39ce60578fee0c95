package dev.kiln.api.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * A read-only proxy on 127.0.0.1 in front of a registry, for tests: it forwards GET and HEAD,
 * records every request's method and path, and can flip one byte of every blob it passes on (bytes
 * altered in transit). Any other method is recorded and answered 405.
 */
public final class RegistryProxy implements AutoCloseable {
    private static final Set<String> FORWARDED = Set.of("accept", "authorization", "range");
    private static final Set<String> KEPT = Set.of("content-type", "docker-content-digest", "www-authenticate");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String upstream;
    private final boolean flipBlobs;
    private final List<String> requests = new ArrayList<>();

    private RegistryProxy(String upstream, boolean flipBlobs) throws IOException {
        this.upstream = upstream;
        this.flipBlobs = flipBlobs;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** A proxy in front of {@code upstream} ({@code HOST:PORT}) passing bytes as they are. */
    public static RegistryProxy of(String upstream) throws IOException {
        return new RegistryProxy(upstream, false);
    }

    /** A proxy that flips the first byte of every blob body it passes on. */
    public static RegistryProxy flippingBlobs(String upstream) throws IOException {
        return new RegistryProxy(upstream, true);
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request so far, as {@code METHOD PATH}. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().toString();
            synchronized (requests) {
                requests.add(method + " " + ex.getRequestURI().getPath());
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + path)).method(method,
                    HttpRequest.BodyPublishers.noBody());
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (FORWARDED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                    vs.forEach(v -> b.header(k, v));
                }
            });
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            r.headers().map().forEach((k, vs) -> {
                if (KEPT.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            byte[] body = r.body();
            if (flipBlobs && r.statusCode() == 200 && path.contains("/blobs/") && body.length > 0) {
                body[0] ^= 1;
            }
            if (method.equals("HEAD")) {
                r.headers().firstValue("content-length").ifPresent(v -> ex.getResponseHeaders().add("Content-Length", v));
                ex.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
