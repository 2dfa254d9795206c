package dev.hearth.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address classifier and the allow list, with an injected resolver: no name is ever looked up for real and
 * nothing is sent anywhere. Every special-purpose range, and every IPv6 form that embeds one, must be refused.
 */
class AddressGuardTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);   // literals only: no lookup happens
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv6 address built from its 16 bytes, so Java cannot quietly turn a mapped form into IPv4 first. */
    private static InetAddress v6(int... words) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (words[i] >> 8);
            b[2 * i + 1] = (byte) words[i];
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK", "::1, LOOPBACK",
            "0.0.0.0, UNSPECIFIED", "::, UNSPECIFIED", "0.1.2.3, RESERVED",
            "169.254.169.254, METADATA", "169.254.170.2, METADATA", "fd00:ec2::254, METADATA", "100.100.100.200, METADATA",
            "169.254.1.1, LINK_LOCAL", "fe80::1, LINK_LOCAL", "febf::1, LINK_LOCAL",
            "10.0.0.1, PRIVATE", "10.255.255.255, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE",
            "192.168.0.1, PRIVATE", "192.168.255.255, PRIVATE", "fd00::1, PRIVATE", "fd12:3456::1, PRIVATE", "fc00::1, PRIVATE",
            "fec0::1, PRIVATE",
            "100.64.0.1, SHARED", "100.127.255.255, SHARED",
            "224.0.0.1, MULTICAST", "239.255.255.250, MULTICAST", "ff02::1, MULTICAST",
            "240.0.0.1, RESERVED", "255.255.255.255, RESERVED", "192.0.2.1, RESERVED", "198.51.100.7, RESERVED",
            "203.0.113.9, RESERVED", "198.18.0.1, RESERVED", "192.0.0.8, RESERVED", "2001:db8::1, RESERVED",
            "2001::1, RESERVED", "100::1, RESERVED",
            "8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "172.32.0.1, PUBLIC", "172.15.255.255, PUBLIC", "100.128.0.1, PUBLIC",
            "169.253.1.1, PUBLIC", "192.169.0.1, PUBLIC", "2606:4700:4700::1111, PUBLIC", "2a00:1450:4001:80b::200e, PUBLIC",
    })
    void classifiesEveryRange(String address, AddressGuard.Kind kind) {
        assertThat(AddressGuard.classify(ip(address))).as(address).isEqualTo(kind);
    }

    @Test
    void ipv6FormsThatEmbedAnIpv4AddressAreJudgedByIt() {
        // ::ffff:169.254.169.254 (IPv4-mapped), built byte by byte
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe))).isEqualTo(AddressGuard.Kind.METADATA);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001))).isEqualTo(AddressGuard.Kind.LOOPBACK);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001))).isEqualTo(AddressGuard.Kind.PRIVATE);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101))).isEqualTo(AddressGuard.Kind.PRIVATE);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808))).isEqualTo(AddressGuard.Kind.PUBLIC);
        // the literal text form too (Java turns it into IPv4; the verdict must be the same)
        assertThat(AddressGuard.classify(ip("::ffff:169.254.169.254"))).isEqualTo(AddressGuard.Kind.METADATA);
        assertThat(AddressGuard.classify(ip("::ffff:10.1.2.3"))).isEqualTo(AddressGuard.Kind.PRIVATE);
        // ::a.b.c.d (IPv4-compatible, deprecated): forbidden whatever it embeds
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0, 0x7f00, 0x0001))).isEqualTo(AddressGuard.Kind.LOOPBACK);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0, 0xa9fe, 0xa9fe))).isEqualTo(AddressGuard.Kind.METADATA);
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0, 0, 0x0808, 0x0808))).isEqualTo(AddressGuard.Kind.RESERVED);
        // ::ffff:0:a.b.c.d (SIIT)
        assertThat(AddressGuard.classify(v6(0, 0, 0, 0, 0xffff, 0, 0x0a00, 0x0001))).isEqualTo(AddressGuard.Kind.PRIVATE);
        // NAT64 64:ff9b::a.b.c.d reaches the embedded IPv4 address through a translator
        assertThat(AddressGuard.classify(v6(0x64, 0xff9b, 0, 0, 0, 0, 0xa9fe, 0xa9fe))).isEqualTo(AddressGuard.Kind.METADATA);
        assertThat(AddressGuard.classify(v6(0x64, 0xff9b, 0, 0, 0, 0, 0xc0a8, 0x0001))).isEqualTo(AddressGuard.Kind.PRIVATE);
        assertThat(AddressGuard.classify(v6(0x64, 0xff9b, 0, 0, 0, 0, 0x0808, 0x0808))).isEqualTo(AddressGuard.Kind.PUBLIC);
        assertThat(AddressGuard.classify(v6(0x64, 0xff9b, 1, 0, 0, 0, 0, 1))).isEqualTo(AddressGuard.Kind.PRIVATE);
        // 6to4 2002:AABB:CCDD:: carries AA.BB.CC.DD
        assertThat(AddressGuard.classify(v6(0x2002, 0x7f00, 0x0001, 0, 0, 0, 0, 1))).isEqualTo(AddressGuard.Kind.LOOPBACK);
        assertThat(AddressGuard.classify(v6(0x2002, 0x0a00, 0x0001, 0, 0, 0, 0, 1))).isEqualTo(AddressGuard.Kind.PRIVATE);
        assertThat(AddressGuard.classify(v6(0x2002, 0x0808, 0x0808, 0, 0, 0, 0, 1))).isEqualTo(AddressGuard.Kind.PUBLIC);
    }

    /** A resolver from a table; anything else is unknown. Never touches the network. */
    private static HostResolver table(Map<String, List<String>> names) {
        return host -> {
            List<String> addrs = names.get(host);
            if (addrs == null) throw new UnknownHostException(host);
            return addrs.stream().map(AddressGuardTest::ip).toArray(InetAddress[]::new);
        };
    }

    private static final HostResolver DNS = table(Map.of(
            "metadata.example", List.of("169.254.169.254"),
            "intranet.example", List.of("10.20.30.40"),
            "router.example", List.of("192.168.1.1"),
            "ula.example", List.of("fd00::1234"),
            "mapped.example", List.of("::ffff:127.0.0.1"),
            "mixed.example", List.of("93.184.216.34", "192.168.0.10"),
            "public.example", List.of("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
            "minio.internal", List.of("10.1.2.3")));

    @Test
    void namesResolvingToForbiddenAddressesAreRefusedWithAReason() {
        AddressGuard guard = new AddressGuard(List.of(), DNS);
        assertThatThrownBy(() -> guard.resolve("metadata.example")).isInstanceOf(ForbiddenAddress.class)
                .hasMessageContaining("metadata.example resolves to 169.254.169.254").hasMessageContaining("cloud metadata");
        assertThatThrownBy(() -> guard.resolve("intranet.example")).isInstanceOf(ForbiddenAddress.class).hasMessageContaining("private");
        assertThatThrownBy(() -> guard.resolve("router.example")).isInstanceOf(ForbiddenAddress.class).hasMessageContaining("192.168.1.1");
        assertThatThrownBy(() -> guard.resolve("ula.example")).isInstanceOf(ForbiddenAddress.class).hasMessageContaining("fd00");
        assertThatThrownBy(() -> guard.resolve("mapped.example")).isInstanceOf(ForbiddenAddress.class).hasMessageContaining("loopback");
        // one bad record among good ones is enough to refuse the host
        assertThatThrownBy(() -> guard.resolve("MIXED.example.")).isInstanceOf(ForbiddenAddress.class).hasMessageContaining("192.168.0.10");
        assertThatThrownBy(() -> guard.resolve("nowhere.example")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void publicNamesPassAndKeepTheirHostNameForTls() throws Exception {
        List<InetAddress> addrs = new AddressGuard(List.of(), DNS).resolve("public.example");
        assertThat(addrs).hasSize(2);
        assertThat(addrs).allSatisfy(a -> assertThat(a.getHostName()).isEqualTo("public.example"));
    }

    @Test
    void theOperatorAllowsNetworksAndHostsByName() throws Exception {
        AddressGuard guard = new AddressGuard(List.of("127.0.0.1/32", "10.20.0.0/16", "fd00::/8", "minio.internal"), DNS);
        assertThat(guard.resolve("intranet.example")).hasSize(1);
        assertThat(guard.resolve("ula.example")).hasSize(1);
        assertThat(guard.resolve("minio.internal")).hasSize(1);
        assertThat(guard.resolve("mapped.example")).hasSize(1);   // ::ffff:127.0.0.1 is 127.0.0.1
        assertThatThrownBy(() -> guard.resolve("metadata.example")).isInstanceOf(ForbiddenAddress.class);
        assertThatThrownBy(() -> guard.resolve("router.example")).isInstanceOf(ForbiddenAddress.class);
        assertThat(guard.allows("x", ip("127.0.0.2"))).isFalse();
        assertThat(guard.allows("x", ip("10.20.255.1"))).isTrue();
        assertThat(guard.allows("x", ip("10.21.0.1"))).isFalse();
    }

    @Test
    void badAllowEntriesFailAtStartup() {
        assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0.0/33"), DNS)).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0/8"), DNS)).hasMessageContaining("not an IP address");
    }

    @Test
    void cidrMatchesOnBitBoundaries() {
        Cidr c = Cidr.parse("172.16.0.0/12");
        assertThat(c.contains(ip("172.16.0.0"))).isTrue();
        assertThat(c.contains(ip("172.31.255.255"))).isTrue();
        assertThat(c.contains(ip("172.32.0.0"))).isFalse();
        assertThat(c.contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(ip("febf::1"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(ip("fec0::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
    }

    /** curl and browsers read 0177.0.0.1 as 127.0.0.1 (octal) while Java read it as 177.0.0.1: such forms are refused outright. */
    @Test
    void ambiguousIpv4FormsAreRefusedBeforeAnyLookUp() throws Exception {
        AddressGuard guard = new AddressGuard(List.of(), host -> {
            throw new AssertionError("no look-up may happen for " + host);
        });
        for (String host : List.of("0177.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "0x7f000001", "127.0.0.01", "010.0.0.1", "1.2.3", "0")) {
            assertThatThrownBy(() -> guard.resolve(host)).as(host).isInstanceOf(ForbiddenAddress.class)
                    .hasMessageContaining("ambiguous").extracting(e -> ((ForbiddenAddress) e).kind()).isEqualTo(AddressGuard.Kind.AMBIGUOUS);
        }
        // the canonical form still passes to the usual checks (and is refused there as loopback); names are untouched
        assertThatThrownBy(() -> new AddressGuard(List.of(), HostResolver.SYSTEM).resolve("127.0.0.1")).hasMessageContaining("loopback");
        assertThat(AddressGuard.isAmbiguousIpv4("93.184.216.34")).isFalse();
        assertThat(AddressGuard.isAmbiguousIpv4("0.0.0.0")).isFalse();
        assertThat(AddressGuard.isAmbiguousIpv4("public.example")).isFalse();
        assertThat(AddressGuard.isAmbiguousIpv4("1e100.net")).isFalse();
    }
}
