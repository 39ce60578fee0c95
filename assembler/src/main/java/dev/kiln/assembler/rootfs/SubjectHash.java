package dev.kiln.assembler.rootfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.DERVisibleString;

/**
 * OpenSSL's subject name hash ({@code X509_NAME_hash}, what {@code openssl x509 -hash} prints and
 * {@code openssl rehash} names its links by): the SHA-1 of the name's canonical encoding, its first
 * four bytes read little-endian.
 *
 * <p>The canonical encoding (OpenSSL's {@code x509_name_canon}) is the DER of each RDN's SET, one
 * after the other without the outer SEQUENCE, where every value of a string type OpenSSL
 * canonicalises (UTF8, BMP, Universal, Printable, T61, IA5, Visible) becomes a UTF8String with ASCII
 * letters lowered, leading and trailing ASCII whitespace removed and each inner run of it made one
 * space; other values are kept as they are. T61String is read as Latin-1, as OpenSSL does.
 */
final class SubjectHash {
    private SubjectHash() {
    }

    /** The hash of a DER-encoded X.501 Name, as the 8 lowercase hex digits OpenSSL prints. */
    static String of(byte[] nameDer) {
        byte[] sha1 = sha1(canonical(nameDer));
        long h = (sha1[0] & 0xffL) | (sha1[1] & 0xffL) << 8 | (sha1[2] & 0xffL) << 16 | (sha1[3] & 0xffL) << 24;
        return String.format("%08x", h);
    }

    static byte[] canonical(byte[] nameDer) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ASN1Encodable rdn : ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(nameDer))) {
                List<ASN1Encodable> atvs = new ArrayList<>();
                for (ASN1Encodable atv : ASN1Set.getInstance(rdn)) {
                    ASN1Sequence pair = ASN1Sequence.getInstance(atv);
                    atvs.add(new DERSequence(new ASN1Encodable[] {pair.getObjectAt(0), canonicalValue(pair.getObjectAt(1))}));
                }
                // DERSet sorts its members by their encodings, as DER's SET OF does
                out.writeBytes(new DERSet(atvs.toArray(ASN1Encodable[]::new)).getEncoded());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ASN1Encodable canonicalValue(ASN1Encodable value) {
        ASN1Primitive p = value.toASN1Primitive();
        String text;
        if (p instanceof DERT61String t61) {
            text = new String(t61.getOctets(), StandardCharsets.ISO_8859_1);
        } else if (p instanceof DERUTF8String || p instanceof DERBMPString || p instanceof DERUniversalString
                || p instanceof DERPrintableString || p instanceof DERIA5String || p instanceof DERVisibleString) {
            text = ((ASN1String) p).getString();
        } else {
            return value;
        }
        return new DERUTF8String(new String(canon(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }

    /** OpenSSL's {@code asn1_string_canon} on UTF-8 bytes. */
    private static byte[] canon(byte[] in) {
        int from = 0;
        int to = in.length;
        while (from < to && isSpace(in[from])) {
            from++;
        }
        while (to > from && isSpace(in[to - 1])) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = from;
        while (i < to) {
            byte b = in[i];
            if (isSpace(b)) {
                out.write(' ');
                while (i < to && isSpace(in[i])) {
                    i++;
                }
            } else {
                out.write(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
                i++;
            }
        }
        return out.toByteArray();
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b >= '\t' && b <= '\r';
    }

    static byte[] sha1(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
