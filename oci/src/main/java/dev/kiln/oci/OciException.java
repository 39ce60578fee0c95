package dev.kiln.oci;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/**
 * An image layout, an archive or a registry's answer is not what OCI says it must be, or cannot be
 * written or read: a missing or malformed blob, a digest that does not match, a target that cannot
 * take a layout.
 */
public class OciException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures with images and layouts that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other: a file of a layout that cannot be read or written. */
        OTHER("oci"),
        /** A directory named as an image layout is not one (no oci-layout or index.json). */
        NOT_A_LAYOUT("oci.not-a-layout"),
        /** A layout's blob is missing, or not the size or digest its descriptor names. */
        DAMAGED("oci.damaged"),
        /** A manifest, index or descriptor is not valid JSON or lacks what OCI requires. */
        MALFORMED("oci.malformed"),
        /** A layout or archive cannot be written where asked: something else is there, or the place is not writable. */
        TARGET_REFUSED("oci.target-refused"),
        /** A docker archive holds one platform, and the image has several (or not the one asked for). */
        PLATFORM("oci.platform");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public OciException(String message) {
        super(Kind.OTHER, message, null);
    }

    public OciException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public OciException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public OciException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
