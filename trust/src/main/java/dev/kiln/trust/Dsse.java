package dev.kiln.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.json.StrictJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * DSSE, the Dead Simple Signing Envelope (secure-systems-lab/dsse v1.0) that carries in-toto
 * attestations: the signature covers the pre-authentication encoding
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body} (lengths in bytes, ASCII decimal),
 * never the JSON around it. The envelope's JSON is
 * {@code {"payload":BASE64,"payloadType":TYPE,"signatures":[{"keyid":ID,"sig":BASE64}]}}.
 */
public final class Dsse {
    /** The payload type of an in-toto statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    /** The media type of a layer that holds an envelope (cosign's attestation layers). */
    public static final String ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

    /** One signature; {@code keyid} is an unauthenticated hint (kiln writes the key's fingerprint). */
    public record Signature(String keyid, byte[] sig) {
        public Signature {
            Objects.requireNonNull(keyid, "keyid");
            sig = sig.clone();
        }

        @Override
        public byte[] sig() {
            return sig.clone();
        }
    }

    /** A parsed envelope. */
    public record Envelope(String payloadType, byte[] payload, List<Signature> signatures) {
        public Envelope {
            Objects.requireNonNull(payloadType, "payloadType");
            payload = payload.clone();
            signatures = List.copyOf(signatures);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The envelope's JSON: keys in the spec's (and sorted) order, no whitespace. */
        public byte[] json() {
            ObjectNode root = StrictJson.MAPPER.createObjectNode();
            root.put("payload", Base64.getEncoder().encodeToString(payload));
            root.put("payloadType", payloadType);
            var sigs = root.putArray("signatures");
            for (Signature s : signatures) {
                sigs.addObject().put("keyid", s.keyid()).put("sig", Base64.getEncoder().encodeToString(s.sig));
            }
            return StrictJson.write(root);
        }
    }

    private Dsse() {}

    /** The bytes a DSSE signature covers. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Signs {@code payload} (any bytes) into an envelope with one signature by {@code key}. */
    public static Envelope sign(byte[] payload, String payloadType, SigningKey key) {
        byte[] sig = key.sign(pae(payloadType, payload));
        return new Envelope(payloadType, payload, List.of(new Signature(key.verificationKey().fingerprint(), sig)));
    }

    /** Reads an envelope's JSON; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Envelope parse(byte[] json) {
        JsonNode root = StrictJson.parse(json);
        if (!root.path("payload").isTextual() || !root.path("payloadType").isTextual()
                || !root.path("signatures").isArray()) {
            throw new IllegalArgumentException("expected a DSSE envelope with 'payload', 'payloadType' and 'signatures'");
        }
        List<Signature> sigs = new ArrayList<>();
        for (JsonNode s : root.get("signatures")) {
            sigs.add(new Signature(s.path("keyid").asText(""), base64(s.path("sig").asText(""), "a signature")));
        }
        return new Envelope(root.get("payloadType").asText(), base64(root.get("payload").asText(), "the payload"), sigs);
    }

    /**
     * The key among {@code keys} that signed the envelope, checking every signature against every
     * key; null when none did. The payload type must be {@code expectedType}.
     */
    public static VerificationKey signer(Envelope envelope, String expectedType, Collection<VerificationKey> keys) {
        if (!envelope.payloadType().equals(expectedType)) {
            throw new IllegalArgumentException("payloadType is '" + envelope.payloadType() + "', expected '" + expectedType + "'");
        }
        byte[] pae = pae(envelope.payloadType(), envelope.payload);
        for (Signature s : envelope.signatures()) {
            for (VerificationKey key : keys) {
                if (key.verifies(pae, s.sig)) {
                    return key;
                }
            }
        }
        return null;
    }

    private static byte[] base64(String text, String what) {
        try {
            // DSSE writers use standard or URL-safe base64; accept both, as the spec asks
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64: " + e.getMessage());
        }
    }
}
