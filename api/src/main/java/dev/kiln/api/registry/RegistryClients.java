package dev.kiln.api.registry;

import dev.kiln.fetcher.EnvironmentProxies;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.Pushed;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryOptions;
import java.net.ProxySelector;
import java.nio.file.Path;

/**
 * Registry clients as kiln's commands make them: {@code options} from the command, proxies from
 * {@code https_proxy}, {@code http_proxy} and {@code no_proxy} as for mirrors, logins from the auth
 * files the environment names; and the pushes and pulls made with one, which the façade and the
 * verification of a registry image share.
 */
public final class RegistryClients {
    private RegistryClients() {
    }

    /** A builder with {@code options} and the environment's proxies. */
    public static RegistryClient.Builder builder(RegistryOptions options) {
        // still this process's environment here, until the façade passes its own settings in
        EnvironmentProxies proxies = EnvironmentProxies.from(System.getenv(), ProxySelector.getDefault());
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putIfAbsent("HOME", System.getProperty("user.home"));
        return RegistryClient.builder().options(options).proxies(proxies, proxies::credentials)
                .credentials(dev.kiln.oci.registry.RegistryCredentials.fromEnvironment(env));
    }

    /**
     * Pushes the image of an OCI layout to {@code reference} ({@code HOST[:PORT]/REPO[:TAG]}): blobs
     * the registry lacks, each platform's manifest by digest, then the top manifest or index by tag.
     */
    public static Pushed push(Path layout, String reference, RegistryOptions registry) {
        ImageReference ref = ImageReference.parse(reference);
        try (RegistryClient client = builder(registry).build()) {
            return client.push(layout, ref);
        }
    }

    /** Pulls {@code reference} into an OCI image layout at {@code layout}, every manifest and blob verified. */
    public static Descriptor pull(String reference, Path layout, RegistryOptions registry) {
        ImageReference ref = ImageReference.parse(reference);
        try (RegistryClient client = builder(registry).build()) {
            return client.pull(ref, layout);
        }
    }
}
