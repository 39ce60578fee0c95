package dev.kiln.assembler.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.OciJson;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpecConfigTest {
    static final String MINIMAL = """
            contents:
              repositories: [deb http://deb.example/debian bookworm main]
              packages: [base-files]
            """;

    static ImageSpec spec(String extra) {
        return ImageSpecParser.parse((MINIMAL + extra).getBytes(UTF_8), "spec.yaml");
    }

    static final ImageSpec FULL = spec("""
            accounts:
              groups: [{groupname: nonroot, gid: 65532}]
              users: [{username: nonroot, uid: 65532, gid: 65532}]
              run-as: nonroot
            entrypoint: {command: "/usr/bin/openssl 'a b' \\"c d\\""}
            cmd: version -a
            work-dir: /home/nonroot
            environment:
              SSL_CERT_FILE: /etc/ssl/certs/ca-certificates.crt
              A_FIRST_LOOKING: x
            annotations:
              org.opencontainers.image.title: base
              com.example.a: x
            stop-signal: SIGTERM
            volumes: [/data, /cache]
            ports: [8080/tcp, 53/udp, 9090]
            archs: [amd64, arm64]
            """);

    @Test
    void mapsEveryKeyTheApkoWay() {
        ImageConfig c = SpecConfig.config(FULL);
        assertEquals(Optional.of("nonroot"), c.user());
        assertEquals(List.of("PATH=" + SpecConfig.DEFAULT_PATH, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                "A_FIRST_LOOKING=x"), c.env());
        assertEquals(List.of("/usr/bin/openssl", "a b", "c d"), c.entrypoint());
        assertEquals(List.of("version", "-a"), c.cmd());
        assertEquals(Optional.of("/home/nonroot"), c.workingDir());
        assertEquals(Map.of("org.opencontainers.image.title", "base", "com.example.a", "x"), c.labels());
        assertEquals(Optional.of("SIGTERM"), c.stopSignal());
        assertEquals(Set.of("/data", "/cache"), c.volumes());
        assertEquals(List.of("53/udp", "8080/tcp", "9090/tcp"), List.copyOf(c.exposedPorts()));
        assertEquals(Map.of("org.opencontainers.image.title", "base", "com.example.a", "x"), SpecConfig.annotations(FULL));
    }

    @Test
    void aSpecPathReplacesTheDefaultInItsPlace() {
        ImageConfig c = SpecConfig.config(spec("environment: {A: 1, PATH: /bin, B: 2}\n"));
        assertEquals(List.of("A=1", "PATH=/bin", "B=2"), c.env());
    }

    @Test
    void aMinimalSpecHasOnlyPath() {
        ImageConfig c = SpecConfig.config(spec(""));
        ImageConfig e = ImageConfig.EMPTY;
        assertEquals(new ImageConfig(e.user(), List.of("PATH=" + SpecConfig.DEFAULT_PATH), e.entrypoint(), e.cmd(),
                e.workingDir(), e.labels(), e.stopSignal(), e.volumes(), e.exposedPorts()), c);
    }

    @Test
    void configFileCarriesPlatformEpochAndOneHistoryStepPerLayer() {
        List<Digest> diffIds = List.of(Digest.of("a"), Digest.of("b"));
        ImageConfigFile f = SpecConfig.configFile(FULL, "arm64", diffIds, 1_700_000_000L);
        assertEquals(Platform.ofDebian("arm64"), f.platform());
        assertEquals(Optional.of("v8"), f.platform().variant());
        assertEquals(Optional.of(Instant.ofEpochSecond(1_700_000_000L)), f.created());
        assertEquals(diffIds, f.diffIds());
        assertEquals(2, f.history().size());
        String json = new String(OciJson.config(f), UTF_8);
        assertEquals(true, json.contains("\"created\":\"2023-11-14T22:13:20Z\""), json);
    }
}
