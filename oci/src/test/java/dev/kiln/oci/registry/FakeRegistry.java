package dev.kiln.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * An in-memory OCI registry on MockWebServer for hermetic tests: blobs (HEAD, GET, monolithic and
 * chunked uploads), manifests (PUT, GET), the referrers API (optional), Basic or Bearer auth, and
 * misbehaviour on demand. Every request is recorded.
 */
final class FakeRegistry implements AutoCloseable {
    enum Auth { NONE, BASIC, BEARER }

    record Stored(String mediaType, byte[] bytes) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    /** Manifests by "repo reference" (a tag or a digest). */
    final Map<String, Stored> manifests = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger uploadIds = new AtomicInteger();
    private final Deque<Function<RecordedRequest, MockResponse>> faults = new ArrayDeque<>();
    private final MockWebServer server = new MockWebServer();

    volatile Auth auth = Auth.NONE;
    volatile String user = "kiln";
    volatile String password = "s3cret-pw";
    volatile boolean referrersApi;
    /** Blob bytes served instead of the stored ones (to test that pulls verify). */
    final Map<Digest, byte[]> lies = new ConcurrentHashMap<>();
    /** Rewrites of upload Locations (to test the plain-HTTP rule). */
    volatile Function<String, String> location = l -> l;
    /** Rewrites of the Bearer realm. */
    volatile Function<String, String> realm = r -> r;

    FakeRegistry() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                Function<RecordedRequest, MockResponse> fault;
                synchronized (faults) {
                    fault = faults.poll();
                }
                if (fault != null) {
                    MockResponse r = fault.apply(request);
                    if (r != null) {
                        return r;
                    }
                }
                MockResponse answer;
                try {
                    answer = answer(request);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // a HEAD answer has headers only; bytes after them would be read as the next answer
                return request.getMethod().equals("HEAD") ? new MockResponse.Builder(answer).body(new Buffer()).build() : answer;
            }
        });
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    String host() {
        return "127.0.0.1:" + server.getPort();
    }

    ImageReference ref(String repoAndTag) {
        return ImageReference.parse(host() + "/" + repoAndTag);
    }

    /** The next request is answered by {@code fault} instead (null: served normally). */
    void failNext(Function<RecordedRequest, MockResponse> fault) {
        synchronized (faults) {
            faults.add(fault);
        }
    }

    List<String> lines() {
        return requests.stream().map(r -> r.getMethod() + " " + r.getUrl().encodedPath()
                + (r.getUrl().query() == null ? "" : "?" + r.getUrl().query())).toList();
    }

    private MockResponse answer(RecordedRequest r) throws IOException {
        String path = r.getUrl().encodedPath();
        if (path.equals("/token")) {
            return token(r);
        }
        if (!authorized(r)) {
            MockResponse.Builder b = new MockResponse.Builder().code(401)
                    .body("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
            String scope = "repository:" + name(path) + ":" + (r.getMethod().equals("GET") || r.getMethod().equals("HEAD") ? "pull" : "pull,push");
            if (auth == Auth.BASIC) {
                b.addHeader("WWW-Authenticate", "Basic realm=\"fake\"");
            } else {
                String realmUrl = realm.apply("http://" + host() + "/token");
                b.addHeader("WWW-Authenticate", "Bearer realm=\"" + realmUrl + "\",service=\"fake-registry\",scope=\"" + scope + "\"");
            }
            return b.build();
        }
        if (path.equals("/v2/")) {
            return new MockResponse.Builder().code(200).body("{}").build();
        }
        String name = name(path);
        String method = r.getMethod();
        if (path.contains("/blobs/uploads/")) {
            return upload(r, name, path.substring(path.indexOf("/blobs/uploads/") + "/blobs/uploads/".length()));
        }
        if (path.contains("/blobs/")) {
            Digest d = Digest.parse(path.substring(path.lastIndexOf('/') + 1));
            byte[] bytes = blobs.get(d);
            if (bytes == null) {
                return error(404, "BLOB_UNKNOWN");
            }
            byte[] served = lies.getOrDefault(d, bytes);
            MockResponse.Builder b = new MockResponse.Builder().code(200).setHeader("Docker-Content-Digest", d.toString());
            return b.body(new Buffer().write(served)).build();
        }
        if (path.contains("/manifests/")) {
            String reference = path.substring(path.lastIndexOf('/') + 1);
            if (method.equals("PUT")) {
                byte[] bytes = r.getBody().toByteArray();
                String type = r.getHeaders().get("Content-Type");
                Digest d = Digest.of(bytes);
                manifests.put(name + " " + reference, new Stored(type, bytes));
                manifests.put(name + " " + d, new Stored(type, bytes));
                MockResponse.Builder b = new MockResponse.Builder().code(201).setHeader("Docker-Content-Digest", d.toString());
                JsonNode subject = JSON.readTree(bytes).path("subject");
                if (referrersApi && subject.isObject()) {
                    b.setHeader("OCI-Subject", subject.path("digest").asText());
                }
                return b.build();
            }
            Stored s = manifests.get(name + " " + reference);
            if (s == null) {
                return error(404, "MANIFEST_UNKNOWN");
            }
            return new MockResponse.Builder().code(200).setHeader("Content-Type", s.mediaType())
                    .setHeader("Docker-Content-Digest", Digest.of(s.bytes()).toString()).body(new Buffer().write(s.bytes())).build();
        }
        if (path.contains("/referrers/") && referrersApi) {
            String subject = path.substring(path.lastIndexOf('/') + 1);
            ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
            var list = index.putArray("manifests");
            manifests.forEach((key, s) -> {
                if (key.startsWith(name + " sha256:")) {
                    try {
                        JsonNode m = JSON.readTree(s.bytes());
                        if (m.path("subject").path("digest").asText().equals(subject)) {
                            list.addObject().put("mediaType", s.mediaType()).put("digest", Digest.of(s.bytes()).toString())
                                    .put("size", s.bytes().length).put("artifactType", m.path("artifactType").asText());
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                    .body(JSON.writeValueAsString(index)).build();
        }
        return new MockResponse.Builder().code(404).body("404 page not found").build();
    }

    private MockResponse upload(RecordedRequest r, String name, String id) {
        String method = r.getMethod();
        if (method.equals("POST")) {
            String newId = "u" + uploadIds.incrementAndGet();
            uploads.put(newId, new ByteArrayOutputStream());
            return new MockResponse.Builder().code(202).setHeader("Location", location.apply("/v2/" + name + "/blobs/uploads/" + newId))
                    .setHeader("Range", "0-0").build();
        }
        ByteArrayOutputStream buf = uploads.get(id);
        if (buf == null) {
            return error(404, "BLOB_UPLOAD_UNKNOWN");
        }
        byte[] body = r.getBody() == null ? new byte[0] : r.getBody().toByteArray();
        if (method.equals("PATCH")) {
            String range = r.getHeaders().get("Content-Range");
            if (range != null && !range.startsWith(buf.size() + "-")) {
                return error(416, "BLOB_UPLOAD_INVALID");
            }
            buf.writeBytes(body);
            return new MockResponse.Builder().code(202).setHeader("Location", "/v2/" + name + "/blobs/uploads/" + id)
                    .setHeader("Range", "0-" + (buf.size() - 1)).build();
        }
        if (method.equals("PUT")) {
            buf.writeBytes(body);
            byte[] all = buf.toByteArray();
            Digest claimed = Digest.parse(r.getUrl().queryParameter("digest"));
            if (!Digest.of(all).equals(claimed)) {
                return error(400, "DIGEST_INVALID");
            }
            uploads.remove(id);
            blobs.put(claimed, all);
            return new MockResponse.Builder().code(201).setHeader("Docker-Content-Digest", claimed.toString())
                    .setHeader("Location", "/v2/" + name + "/blobs/" + claimed).build();
        }
        return error(405, "UNSUPPORTED");
    }

    private boolean authorized(RecordedRequest r) {
        String header = r.getHeaders().get("Authorization");
        return switch (auth) {
            case NONE -> true;
            case BASIC -> basic().equals(header);
            case BEARER -> header != null && header.startsWith("Bearer fake-token-");
        };
    }

    private MockResponse token(RecordedRequest r) {
        if (!basic().equals(r.getHeaders().get("Authorization"))) {
            return error(401, "UNAUTHORIZED");
        }
        String scope = r.getUrl().queryParameter("scope");
        return new MockResponse.Builder().code(200)
                .body("{\"token\":\"fake-token-" + scope.replace('"', '_') + "\",\"expires_in\":300}").build();
    }

    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String name(String path) {
        String rest = path.substring("/v2/".length());
        for (String marker : List.of("/blobs/", "/manifests/", "/referrers/")) {
            int i = rest.indexOf(marker);
            if (i >= 0) {
                return rest.substring(0, i);
            }
        }
        return rest;
    }

    static MockResponse error(int code, String error) {
        return new MockResponse.Builder().code(code)
                .body("{\"errors\":[{\"code\":\"" + error + "\",\"message\":\"fake " + error.toLowerCase() + "\"}]}").build();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
