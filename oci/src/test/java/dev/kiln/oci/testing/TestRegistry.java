package dev.kiln.oci.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real {@code docker-registry} (Debian's build of distribution) on 127.0.0.1 for peer tests: its own
 * storage directory and config, on a port the kernel picks (read from its log, so no port is raced
 * for), ready once {@code GET /v2/} answers 200. {@link #close} stops it.
 */
public final class TestRegistry implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;
    private final List<String> log = new ArrayList<>();

    private TestRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** True if {@code docker-registry} is on the PATH. */
    public static boolean available() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, "docker-registry"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts a registry whose storage and config live under {@code dir}; anyone may push and pull. */
    public static TestRegistry start(Path dir) throws IOException {
        return start(dir, null, null);
    }

    /**
     * Starts a registry that wants the Basic login {@code user}/{@code password} for everything (an
     * htpasswd file with a bcrypt hash), or none when {@code user} is null.
     */
    public static TestRegistry start(Path dir, String user, String password) throws IOException {
        Path storage = Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        String auth = "";
        if (user != null) {
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            Path htpasswd = Files.writeString(dir.resolve("htpasswd"),
                    user + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5) + "\n");
            auth = "auth:\n  htpasswd: {realm: kiln-test, path: " + htpasswd + "}\n";
        }
        Files.writeString(config, """
                version: 0.1
                log:
                  level: info
                  accesslog: {disabled: true}
                storage:
                  filesystem: {rootdirectory: %s}
                  delete: {enabled: true}
                http:
                  addr: 127.0.0.1:0
                  secret: kiln-test-secret
                """.formatted(storage) + auth);
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
        List<String> seen = new ArrayList<>();
        int port = -1;
        // blocks on the registry's own log line that names its socket, then keeps draining the log
        for (String line; port < 0 && (line = out.readLine()) != null; ) {
            seen.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new IOException("docker-registry did not start:\n" + String.join("\n", seen));
        }
        TestRegistry registry = new TestRegistry(p, port);
        registry.log.addAll(seen);
        Thread drain = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (registry.log) {
                        registry.log.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "docker-registry-log");
        drain.setDaemon(true);
        drain.start();
        registry.awaitReady(user);
        return registry;
    }

    /**
     * Polls {@code /v2/} until it answers 200 (401 when it wants a login): the socket is open once the
     * log says so; this confirms the API.
     */
    private void awaitReady(String user) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plusSeconds(30);
        IOException last = null;
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401 && user != null) {
                    return;
                }
                last = new IOException("GET /v2/ answered " + r.statusCode());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            Thread.onSpinWait();
        }
        close();
        throw new IOException("docker-registry on " + host() + " never answered GET /v2/ with 200: " + last + "\n" + log());
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
