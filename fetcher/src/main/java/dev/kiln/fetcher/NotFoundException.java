package dev.kiln.fetcher;

/** The server says the file is not there (HTTP 404 or 410). */
public class NotFoundException extends FetchException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, message);
    }
}
