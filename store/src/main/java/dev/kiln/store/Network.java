package dev.kiln.store;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * What kiln's two network clients (the mirror fetcher and the registry client) share: which hosts
 * are this machine, how often a request is tried, and network failures said in the user's words.
 */
public final class Network {
    /** How many times a request that failed for a reason that may pass is made in all. */
    public static final int ATTEMPTS = 3;

    private Network() {
    }

    /** {@code localhost}, a name under {@code .localhost}, or a loopback IP literal (no DNS lookup). */
    public static boolean isLoopback(String host) {
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        InetAddress literal = ipLiteral(h);
        return literal != null && literal.isLoopbackAddress();
    }

    /** The address an IP literal names, without ever asking DNS; null for a host name. */
    public static InetAddress ipLiteral(String host) {
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = host.contains(":") && host.matches("[0-9a-f:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** A short account of a network failure, for messages: what the user can act on, not the socket's words. */
    public static String describe(IOException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return whileConnecting(e) ? "timed out connecting to the server" : "timed out waiting for the server";
        }
        if (e instanceof UnknownHostException) {
            return "no such host (DNS has no address for it)";
        }
        String root = rootMessage(e);
        if (root.contains("Connection refused")) {
            return "connection refused";
        }
        if (root.contains("No route to host") || root.contains("Network is unreachable")) {
            return "no route to the server (" + root.toLowerCase(Locale.ROOT) + ")";
        }
        if (e instanceof ConnectException) {
            return "cannot connect (" + root + ")";
        }
        return "connection failed (" + msg + ")";
    }

    /** Whether {@code e} is a timeout while connecting (as opposed to one waiting for an answer). */
    public static boolean whileConnecting(IOException e) {
        return rootMessage(e).toLowerCase(Locale.ROOT).contains("connect timed out")
                || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect timed out");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
