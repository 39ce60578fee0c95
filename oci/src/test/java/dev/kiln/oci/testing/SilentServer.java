package dev.kiln.oci.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on 127.0.0.1 that accepts every connection and then never answers, or answers with
 * the start of a response and stalls: a registry that hangs. Connections stay open until it is closed.
 */
public final class SilentServer implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] start;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private SilentServer(byte[] start) {
        this.start = start;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.acceptor = new Thread(this::accept, "silent server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Accepts, reads nothing, sends nothing. */
    public static SilentServer silent() {
        return new SilentServer(new byte[0]);
    }

    /** Reads each request's head, sends {@code start} (say a status line, headers and part of a body), then nothing. */
    public static SilentServer stallingAfter(String start) {
        return new SilentServer(start.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return accepted.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.add(s);
                if (start.length > 0) {
                    skipRequestHead(s.getInputStream());
                    s.getOutputStream().write(start);
                    s.getOutputStream().flush();
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void skipRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < end.length && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.join(5000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
