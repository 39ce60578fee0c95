package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec.PathRule;
import dev.kiln.resolver.spec.PathGlob;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCertificatesTest {
    private static int serial = 1;

    /** A self-signed certificate for {@code subject}, in PEM, made for this run. */
    private static String pem(X500Name subject) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = ec.generateKeyPair();
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serial++), new Date(1_600_000_000_000L),
                new Date(2_600_000_000_000L), subject, keys.getPublic());
        byte[] der = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))).getEncoded();
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    private static X500Name cn(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Kiln Tests").addRDN(BCStyle.CN, cn).build();
    }

    /** Names with every string type OpenSSL canonicalises, case, runs of whitespace and a multi-valued RDN. */
    private static List<X500Name> trickyNames() {
        List<X500Name> names = new ArrayList<>();
        names.add(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, new DERPrintableString("HU"))
                .addRDN(BCStyle.O, new DERUTF8String("  NetLock   Kft.\t"))
                .addRDN(BCStyle.CN, new DERUTF8String("NetLock Arany (Class Gold) Főtanúsítvány")).build());
        names.add(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, new DERT61String("T61 \u00e9cole"))
                .addRDN(BCStyle.OU, new DERBMPString("BMP   Unit"))
                .addRDN(BCStyle.EmailAddress, new DERIA5String("Root@Example.Test"))
                .addMultiValuedRDN(new ASN1ObjectIdentifier[] {BCStyle.CN, BCStyle.SERIALNUMBER},
                        new ASN1Encodable[] {new DERUTF8String("Multi"), new DERPrintableString("42")}).build());
        return names;
    }

    @Test
    void theSubjectHashIsWhatOpensslPrints(@TempDir Path dir) throws Exception {
        for (X500Name name : trickyNames()) {
            Path file = dir.resolve("cert.pem");
            Files.writeString(file, pem(name));
            Process openssl = new ProcessBuilder("openssl", "x509", "-hash", "-noout", "-in", file.toString()).redirectErrorStream(true).start();
            String printed = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertEquals(0, openssl.waitFor(), printed);
            assertEquals(printed, SubjectHash.of(name.getEncoded()), name.toString());
        }
    }

    private static Pkg caCertificates() throws Exception {
        String twin = pem(cn("Twin"));
        return Pkg.named("ca-certificates").dir("/etc/ssl/certs")
                .file("/usr/share/ca-certificates/mozilla/Zeta (Root), CA.crt", pem(cn("Zeta")))
                .file("/usr/share/ca-certificates/mozilla/Alpha.crt", pem(cn("ALPHA   root")))
                .file("/usr/share/ca-certificates/mozilla/Twin_1.crt", twin)
                .file("/usr/share/ca-certificates/mozilla/Twin_2.crt", pem(cn("twin")))
                .file("/usr/share/ca-certificates/mozilla/Pair.crt", pem(cn("P1")) + pem(cn("P2")))
                .file("/usr/local/share/ca-certificates/Copy.crt", twin);
    }

    private static DebPackage usrLocal() {
        return Pkg.named("base-files").dir("/usr/local", 02775).dir("/usr/local/share", 02775).build();
    }

    private static Map<String, String> links(FileTree tree) {
        Map<String, String> out = new TreeMap<>();
        tree.entries().stream().filter(e -> e.path().startsWith("/etc/ssl/certs/") && e.type() == Entry.Type.SYMLINK)
                .forEach(e -> out.put(e.path().substring("/etc/ssl/certs/".length()), e.linkTarget()));
        return out;
    }

    @Test
    void updateCaCertificatesLinksEachCertificateAndItsSubjectHash() throws Exception {
        FileTree tree = RootfsBuilder.build(List.of(usrLocal(), caCertificates().build()), RootfsBuilderTest.AMD64);
        assertEquals(CaCertificates.CONF_HEADER + "mozilla/Alpha.crt\nmozilla/Pair.crt\nmozilla/Twin_1.crt\nmozilla/Twin_2.crt\n"
                + "mozilla/Zeta (Root), CA.crt\n", RootfsBuilderTest.text(tree, "/etc/ca-certificates.conf"));
        Map<String, String> links = links(tree);
        String twin = SubjectHash.of(cn("Twin").getEncoded());
        Map<String, String> expected = new TreeMap<>(Map.of(
                "Alpha.pem", "/usr/share/ca-certificates/mozilla/Alpha.crt",
                "Pair.pem", "/usr/share/ca-certificates/mozilla/Pair.crt",
                "Twin_1.pem", "/usr/share/ca-certificates/mozilla/Twin_1.crt",
                "Twin_2.pem", "/usr/share/ca-certificates/mozilla/Twin_2.crt",
                "Zeta_=Root=__CA.pem", "/usr/share/ca-certificates/mozilla/Zeta (Root), CA.crt",
                "Copy.pem", "/usr/local/share/ca-certificates/Copy.crt",
                SubjectHash.of(cn("alpha root").getEncoded()) + ".0", "Alpha.pem",
                SubjectHash.of(cn("Zeta").getEncoded()) + ".0", "Zeta_=Root=__CA.pem",
                // Copy.pem and Twin_1.pem are one certificate: linked once, by the first name in byte order;
                // "twin" and "Twin" are one subject to OpenSSL: the second gets .1
                twin + ".0", "Copy.pem"));
        expected.put(twin + ".1", "Twin_2.pem");
        assertEquals(expected, links);
        Entry local = tree.get("/usr/local/share/ca-certificates").orElseThrow();
        assertEquals(List.of(Entry.Type.DIR, 02775), List.of(local.type(), local.mode()));
    }

    @Test
    void aFilterDroppingTheCertificatesLeavesTheConfsHeaderAndNoLinks() throws Exception {
        FileTree tree = RootfsBuilder.build(List.of(caCertificates().build()), RootfsBuilder.Options.of("amd64", RootfsBuilderTest.EPOCH)
                .withPathFilter(List.of(new PathRule(false, PathGlob.parse("/usr/share/ca-certificates/*")),
                        new PathRule(false, PathGlob.parse("/usr/local/*")))));
        assertEquals(CaCertificates.CONF_HEADER, RootfsBuilderTest.text(tree, "/etc/ca-certificates.conf"));
        assertEquals(Map.of(), links(tree));
        assertTrue(tree.get("/usr/local/share/ca-certificates").isEmpty(), "no /usr/local/share: mkdir fails");
    }

    @Test
    void onlyAFileOfExactlyOneCertificateIsHashed() throws Exception {
        String one = pem(cn("One"));
        assertTrue(CaCertificates.onlyCertificate(one.getBytes(StandardCharsets.US_ASCII)).isPresent());
        assertTrue(CaCertificates.onlyCertificate((one + one).getBytes(StandardCharsets.US_ASCII)).isEmpty());
        assertTrue(CaCertificates.onlyCertificate("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"
                .getBytes(StandardCharsets.US_ASCII)).isEmpty());
        assertEquals("NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem",
                CaCertificates.pemName("/usr/share/ca-certificates/mozilla/NetLock Arany (Class Gold) Főtanúsítvány.crt"));
    }
}
