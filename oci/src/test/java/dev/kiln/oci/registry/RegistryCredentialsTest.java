package dev.kiln.oci.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryCredentialsTest {
    @TempDir
    Path tmp;

    static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
    }

    Path write(String relative, String json) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, json);
        return p;
    }

    @Test
    void withoutHomeOnlyTheFilesTheVariablesNameAreSearched() {
        // kiln reads no environment itself: what is not given is not guessed from the JVM's user.home
        assertEquals(List.of(), RegistryCredentials.fromEnvironment(Map.of()).files());
        assertEquals(List.of(tmp.resolve("c/containers/auth.json"), tmp.resolve("d/config.json")),
                RegistryCredentials.fromEnvironment(Map.of("XDG_CONFIG_HOME", tmp.resolve("c").toString(),
                        "DOCKER_CONFIG", tmp.resolve("d").toString())).files());
    }

    @Test
    void theFilesAreSearchedInTheContainersOrderThenDockers() throws IOException {
        Map<String, String> env = Map.of("HOME", tmp.toString(), "XDG_RUNTIME_DIR", tmp.resolve("run").toString());
        RegistryCredentials c = RegistryCredentials.fromEnvironment(env);
        assertEquals(List.of(tmp.resolve("run/containers/auth.json"), tmp.resolve(".config/containers/auth.json"),
                tmp.resolve(".docker/config.json")), c.files());
        write(".docker/config.json", "{\"auths\":{\"reg.example\":{\"auth\":\"" + auth("docker", "d") + "\"}}}");
        assertEquals("docker", c.find("reg.example", "a/b").orElseThrow().user());
        write("run/containers/auth.json", "{\"auths\":{\"reg.example\":{\"auth\":\"" + auth("podman", "p") + "\"}}}");
        assertEquals("podman", c.find("reg.example", "a/b").orElseThrow().user(), "the runtime file comes first");
        assertEquals(Optional.empty(), c.find("other.example", "a/b"));
    }

    @Test
    void registryAuthFileReplacesTheRuntimeFile() throws IOException {
        Path file = write("custom.json", "{\"auths\":{\"reg.example\":{\"auth\":\"" + auth("custom", "c:with:colons") + "\"}}}");
        RegistryCredentials c = RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString(),
                "REGISTRY_AUTH_FILE", file.toString(), "XDG_RUNTIME_DIR", tmp.resolve("run").toString()));
        assertEquals(file, c.files().get(0));
        assertFalse(c.files().contains(tmp.resolve("run/containers/auth.json")));
        RegistryCredentials.Login login = c.find("reg.example", "x").orElseThrow();
        assertEquals("c:with:colons", login.password());
        assertFalse(login.toString().contains("c:with:colons"), "toString hides the password");
    }

    @Test
    void theLongestMatchingNamespaceWinsAndOldDockerUrlsAreHosts() throws IOException {
        Path file = write("auth.json", "{\"auths\":{"
                + "\"reg.example\":{\"auth\":\"" + auth("host", "1") + "\"},"
                + "\"reg.example/team\":{\"auth\":\"" + auth("team", "2") + "\"},"
                + "\"reg.example/team/app\":{\"auth\":\"" + auth("app", "3") + "\"},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "4") + "\"},"
                + "\"http://old.example:5000/v2/\":{\"username\":\"plain\",\"password\":\"5\"}}}");
        RegistryCredentials c = RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString(), "REGISTRY_AUTH_FILE", file.toString()));
        assertEquals("app", c.find("reg.example", "team/app").orElseThrow().user());
        assertEquals("team", c.find("reg.example", "team/other").orElseThrow().user());
        assertEquals("host", c.find("reg.example", "teamx/app").orElseThrow().user(), "a namespace is matched by whole parts");
        assertEquals("hub", c.find("docker.io", "library/debian").orElseThrow().user());
        assertEquals("plain", c.find("old.example:5000", "x").orElseThrow().user());
    }

    @Test
    void aBrokenFileIsNamedWithoutQuotingIt() throws IOException {
        Path file = write("auth.json", "{\"auths\":{\"reg.example\":{\"auth\":\"" + auth("u", "topsecret") + "\"\n");
        RegistryCredentials c = RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString(), "REGISTRY_AUTH_FILE", file.toString()));
        RegistryException e = assertThrows(RegistryException.class, () -> c.find("reg.example", "x"));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(auth("u", "topsecret")), e.getMessage());
        Path bad = write("bad.json", "{\"auths\":{\"reg.example\":{\"auth\":\"" + Base64.getEncoder().encodeToString("nocolon".getBytes(UTF_8)) + "\"}}}");
        RegistryCredentials c2 = RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString(), "REGISTRY_AUTH_FILE", bad.toString()));
        RegistryException e2 = assertThrows(RegistryException.class, () -> c2.find("reg.example", "x"));
        assertTrue(e2.getMessage().contains("not base64 of USER:PASSWORD"), e2.getMessage());
        assertFalse(e2.getMessage().contains("nocolon"), e2.getMessage());
    }

    @Test
    void aCredentialHelperIsNamedForTheMessage() throws IOException {
        write(".docker/config.json", "{\"credHelpers\":{\"reg.example\":\"ecr-login\"},\"credsStore\":\"desktop\"}");
        RegistryCredentials c = RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString()));
        assertEquals(Optional.empty(), c.find("reg.example", "x"));
        assertTrue(c.helper("reg.example").orElseThrow().startsWith("docker-credential-ecr-login"));
        assertTrue(c.helper("other.example").orElseThrow().startsWith("docker-credential-desktop"));
    }
}
