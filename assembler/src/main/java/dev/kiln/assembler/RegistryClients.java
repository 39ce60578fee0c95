package dev.kiln.assembler;

import dev.kiln.fetcher.EnvironmentProxies;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryOptions;
import java.net.ProxySelector;

/**
 * Registry clients as kiln's commands make them: {@code options} from the command, proxies from
 * {@code https_proxy}, {@code http_proxy} and {@code no_proxy} as for mirrors, logins from the auth
 * files the environment names.
 */
public final class RegistryClients {
    private RegistryClients() {
    }

    /** A builder with {@code options} and the environment's proxies. */
    public static RegistryClient.Builder builder(RegistryOptions options) {
        EnvironmentProxies proxies = EnvironmentProxies.from(System.getenv(), ProxySelector.getDefault());
        return RegistryClient.builder().options(options).proxies(proxies, proxies::credentials);
    }
}
