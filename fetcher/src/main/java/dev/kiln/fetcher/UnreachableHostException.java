package dev.kiln.fetcher;

import java.net.URI;

/**
 * No connection could be made to a server: its name does not resolve, it refuses, or it does not
 * answer the connection. Every file on that host fails the same way, so it is said once per host.
 */
public class UnreachableHostException extends TransientFetchException {
    private static final long serialVersionUID = 1L;

    private final String host;

    public UnreachableHostException(URI uri, String message, Throwable cause) {
        super(Kind.UNREACHABLE, message, cause);
        this.host = hostOf(uri);
    }

    /** {@code HOST} or {@code HOST:PORT} as the URL gives it, without any credentials in it. */
    public String host() {
        return host;
    }

    static String hostOf(URI uri) {
        String h = uri.getHost() == null ? String.valueOf(uri.getAuthority()) : uri.getHost();
        return uri.getPort() < 0 ? h : h + ":" + uri.getPort();
    }
}
