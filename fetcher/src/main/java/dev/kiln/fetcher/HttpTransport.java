package dev.kiln.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** HTTP(S) through okhttp, with connect and read timeouts and retries of transient failures. */
public final class HttpTransport implements Transport {
    private static final int ATTEMPTS = 3;

    private final OkHttpClient client;

    public HttpTransport(Duration connectTimeout, Duration readTimeout) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequestsPerHost(16);
        this.client = new OkHttpClient.Builder()
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES))
                .dispatcher(dispatcher)
                .retryOnConnectionFailure(true)
                .followRedirects(true)
                .build();
    }

    public static HttpTransport withDefaults() {
        return new HttpTransport(Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    @Override
    public Body get(URI uri) {
        FetchException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Request request = new Request.Builder().url(uri.toString()).header("User-Agent", "kiln").build();
            Response response;
            try {
                response = client.newCall(request).execute();
            } catch (IOException e) {
                last = new FetchException("cannot reach " + uri + ": " + e.getMessage()
                        + "\n  fix: check the mirror (DEBIAN_MIRROR or the host's apt sources) and the network", e);
                backoff(attempt);
                continue;
            }
            int code = response.code();
            if (code == 404 || code == 410) {
                response.close();
                throw new NotFoundException(uri + ": HTTP " + code + " (not found)");
            }
            if (code >= 500 || code == 429 || code == 408) {
                response.close();
                last = new FetchException(uri + ": HTTP " + code + " from the server (tried " + attempt + " times)");
                backoff(attempt);
                continue;
            }
            if (code != 200) {
                response.close();
                throw new FetchException(uri + ": expected HTTP 200, found HTTP " + code);
            }
            ResponseBody body = response.body();
            return new Body() {
                @Override
                public long length() {
                    return body.contentLength();
                }

                @Override
                public InputStream stream() {
                    return body.byteStream();
                }

                @Override
                public void close() {
                    response.close();
                }
            };
        }
        throw last;
    }

    private static void backoff(int attempt) {
        if (attempt >= ATTEMPTS) {
            return;
        }
        try {
            // backoff between retries of a failed request, not test synchronisation
            Thread.sleep(200L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while waiting to retry");
        }
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
