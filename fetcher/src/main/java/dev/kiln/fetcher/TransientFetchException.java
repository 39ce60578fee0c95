package dev.kiln.fetcher;

/**
 * A failure that trying again may cure: no connection, a dropped connection, a timeout, or HTTP 5xx,
 * 429 or 408 from the server.
 */
public class TransientFetchException extends FetchException {
    private static final long serialVersionUID = 1L;

    public TransientFetchException(String message) {
        super(Kind.NETWORK, message, null);
    }

    public TransientFetchException(String message, Throwable cause) {
        super(Kind.NETWORK, message, cause);
    }

    protected TransientFetchException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
