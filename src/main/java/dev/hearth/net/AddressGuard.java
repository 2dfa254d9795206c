package dev.hearth.net;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides which addresses Hearth may open a connection to on a user's behalf (media URLs, webhooks; SPEC §3.1).
 * Every address that is not plainly public — loopback, unspecified, link-local, private, carrier-grade NAT,
 * multicast, reserved, cloud metadata, and the IPv6 forms that embed one of those (IPv4-mapped, -compatible,
 * NAT64, 6to4) — is forbidden unless the operator allows it by CIDR or by host name ({@code net.allow}).
 * A host is resolved once and every address it resolves to must pass, so one public record cannot smuggle in a
 * private one.
 */
public final class AddressGuard {

    /** What an address is, for the decision and for the message that explains a refusal. */
    public enum Kind {
        PUBLIC("a public address"),
        LOOPBACK("a loopback address"),
        UNSPECIFIED("the unspecified (any-local) address"),
        LINK_LOCAL("a link-local address"),
        PRIVATE("a private-network address"),
        SHARED("a carrier-grade NAT (shared) address"),
        MULTICAST("a multicast address"),
        RESERVED("a reserved or special-purpose address"),
        METADATA("a cloud metadata address"),
        AMBIGUOUS("an IPv4 address in an ambiguous form (leading zeros, octal, hexadecimal or fewer than four parts),"
                + " which programs read differently; write it as four decimal numbers");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    private final List<Cidr> allowedNetworks;
    private final Set<String> allowedHosts;
    private final HostResolver resolver;

    public AddressGuard(List<String> allow, HostResolver resolver) {
        List<Cidr> nets = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String entry : allow) {
            String e = entry.trim();
            if (e.isEmpty()) continue;
            if (e.contains("/") || Cidr.looksLiteral(e)) nets.add(Cidr.parse(e));
            else hosts.add(normalizeHost(e));
        }
        this.allowedNetworks = List.copyOf(nets);
        this.allowedHosts = Set.copyOf(hosts);
        this.resolver = resolver;
    }

    /** A guard that allows nothing beyond public addresses and resolves through the system. */
    public static AddressGuard strict() {
        return new AddressGuard(List.of(), HostResolver.SYSTEM);
    }

    /**
     * Resolves {@code host} once and checks every address it got. Returns the addresses (all allowed), each
     * carrying the host name so TLS can still verify the certificate against it.
     */
    public List<InetAddress> resolve(String host) throws ForbiddenAddress, UnknownHostException {
        String h = normalizeHost(host);
        if (h.isEmpty()) throw new UnknownHostException("empty host name");
        // "0177.0.0.1" is 177.0.0.1 to Java and 127.0.0.1 to curl and browsers: refuse what is read two ways
        if (isAmbiguousIpv4(h)) throw new ForbiddenAddress(h, Kind.AMBIGUOUS);
        InetAddress[] found = resolver.resolve(h);
        if (found == null || found.length == 0) throw new UnknownHostException(h);
        boolean byName = allowedHosts.contains(h);
        List<InetAddress> out = new ArrayList<>(found.length);
        for (InetAddress a : found) {
            Kind kind = classify(a);
            if (!byName && kind != Kind.PUBLIC && !allowedByNetwork(a)) throw new ForbiddenAddress(h, a, kind);
            out.add(InetAddress.getByAddress(h, a.getAddress()));
        }
        return out;
    }

    public boolean allowedByNetwork(InetAddress a) {
        for (Cidr c : allowedNetworks) if (c.contains(a)) return true;
        return false;
    }

    /** Whether a connection to this address (reached under {@code host}) is allowed. */
    public boolean allows(String host, InetAddress a) {
        return allowedHosts.contains(normalizeHost(host)) || classify(a) == Kind.PUBLIC || allowedByNetwork(a);
    }

    public String describeAllowList() {
        if (allowedNetworks.isEmpty() && allowedHosts.isEmpty()) return "none";
        return allowedNetworks.stream().map(Cidr::toString).collect(Collectors.joining(", "))
                + (allowedHosts.isEmpty() ? "" : (allowedNetworks.isEmpty() ? "" : ", ") + String.join(", ", allowedHosts));
    }

    /** "[::1]" → "::1"; "Example.COM." → "example.com"; internationalised names in their ASCII form. */
    static String normalizeHost(String host) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        while (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        if (!h.contains(":")) {
            try {
                h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException ignored) {
                // left as it is; the resolver will refuse it
            }
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /**
     * A host made only of numbers and dots (or 0x-prefixed hex parts) is an IPv4 literal to inet_aton, which reads
     * {@code 0177} as octal, {@code 0x7f} as hex and {@code 127.1} or {@code 2130706433} as short forms. Only the
     * form every reader agrees on passes: four decimal parts 0–255 without leading zeros.
     */
    static boolean isAmbiguousIpv4(String host) {
        if (!host.matches("(0x[0-9a-f]*|\\d+)(\\.(0x[0-9a-f]*|\\d+))*")) return false;
        return !host.matches("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    }

    // ---- classification ----

    public static Kind classify(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? classifyV4(b, 0) : classifyV6(b);
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address, else the bytes unchanged. */
    static byte[] unmapped(byte[] b) {
        if (b.length == 16 && zero(b, 0, 10) && u(b[10]) == 0xFF && u(b[11]) == 0xFF) {
            return new byte[]{b[12], b[13], b[14], b[15]};
        }
        return b;
    }

    private static Kind classifyV4(byte[] b, int o) {
        int a0 = u(b[o]), a1 = u(b[o + 1]), a2 = u(b[o + 2]), a3 = u(b[o + 3]);
        if (a0 == 0) return (a1 | a2 | a3) == 0 ? Kind.UNSPECIFIED : Kind.RESERVED;     // 0.0.0.0/8 "this network"
        if (a0 == 127) return Kind.LOOPBACK;
        if (a0 == 169 && a1 == 254) {
            // AWS/GCP/Azure/OpenStack metadata, and the ECS task metadata endpoint
            if ((a2 == 169 && a3 == 254) || (a2 == 170 && a3 == 2)) return Kind.METADATA;
            return Kind.LINK_LOCAL;
        }
        if (a0 == 10) return Kind.PRIVATE;
        if (a0 == 172 && (a1 & 0xF0) == 16) return Kind.PRIVATE;
        if (a0 == 192 && a1 == 168) return Kind.PRIVATE;
        if (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200) return Kind.METADATA;      // Alibaba Cloud
        if (a0 == 100 && (a1 & 0xC0) == 64) return Kind.SHARED;                          // 100.64.0.0/10
        if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) return Kind.RESERVED;          // IETF assignments, TEST-NET-1
        if (a0 == 192 && a1 == 88 && a2 == 99) return Kind.RESERVED;                     // 6to4 relay anycast
        if (a0 == 198 && (a1 == 18 || a1 == 19)) return Kind.RESERVED;                   // benchmarking
        if (a0 == 198 && a1 == 51 && a2 == 100) return Kind.RESERVED;                    // TEST-NET-2
        if (a0 == 203 && a1 == 0 && a2 == 113) return Kind.RESERVED;                     // TEST-NET-3
        if (a0 >= 224 && a0 <= 239) return Kind.MULTICAST;
        if (a0 >= 240) return Kind.RESERVED;                                             // incl. broadcast
        return Kind.PUBLIC;
    }

    private static Kind classifyV6(byte[] b) {
        if (zero(b, 0, 10) && u(b[10]) == 0xFF && u(b[11]) == 0xFF) return classifyV4(b, 12);   // ::ffff:a.b.c.d mapped
        if (zero(b, 0, 8) && u(b[8]) == 0xFF && u(b[9]) == 0xFF && zero(b, 10, 12)) {           // ::ffff:0:a.b.c.d (SIIT)
            return embedded(b, 12, Kind.RESERVED);
        }
        if (zero(b, 0, 12)) {
            if (zero(b, 12, 15) && u(b[15]) == 0) return Kind.UNSPECIFIED;                      // ::
            if (zero(b, 12, 15) && u(b[15]) == 1) return Kind.LOOPBACK;                         // ::1
            return embedded(b, 12, Kind.RESERVED);                                              // ::a.b.c.d compatible
        }
        if (u(b[0]) == 0x00 && u(b[1]) == 0x64 && u(b[2]) == 0xFF && u(b[3]) == 0x9B) {
            if (zero(b, 4, 12)) return embedded(b, 12, Kind.PUBLIC);                             // 64:ff9b::/96 NAT64
            if (u(b[4]) == 0 && u(b[5]) == 1) return Kind.PRIVATE;                              // 64:ff9b:1::/48 local NAT64
        }
        if (isEc2Metadata(b)) return Kind.METADATA;                                             // fd00:ec2::254
        int b0 = u(b[0]), b1 = u(b[1]);
        if (b0 == 0xFE && (b1 & 0xC0) == 0x80) return Kind.LINK_LOCAL;                          // fe80::/10
        if (b0 == 0xFE && (b1 & 0xC0) == 0xC0) return Kind.PRIVATE;                             // fec0::/10 site-local
        if ((b0 & 0xFE) == 0xFC) return Kind.PRIVATE;                                           // fc00::/7 unique local
        if (b0 == 0xFF) return Kind.MULTICAST;
        if (b0 == 0x20 && b1 == 0x02) return embedded(b, 2, Kind.PUBLIC);                        // 2002::/16 6to4
        if (b0 == 0x20 && b1 == 0x01) {
            int b2 = u(b[2]), b3 = u(b[3]);
            if (b2 == 0x00 && b3 == 0x00) return Kind.RESERVED;                                 // 2001::/32 Teredo
            if (b2 == 0x0D && b3 == 0xB8) return Kind.RESERVED;                                 // 2001:db8::/32 documentation
            if (b2 == 0x00 && (b3 & 0xE0) == 0x00) return Kind.RESERVED;                        // 2001::/23 IETF protocol assignments
        }
        if ((b0 & 0xE0) != 0x20) return Kind.RESERVED;                                          // outside 2000::/3 global unicast
        return Kind.PUBLIC;
    }

    private static boolean isEc2Metadata(byte[] b) {
        return u(b[0]) == 0xFD && u(b[1]) == 0x00 && u(b[2]) == 0x0E && u(b[3]) == 0xC2
                && zero(b, 4, 14) && u(b[14]) == 0x02 && u(b[15]) == 0x54;
    }

    /** An IPv6 form that carries an IPv4 address: forbidden if the IPv4 one is, else {@code whenPublic}. */
    private static Kind embedded(byte[] b, int offset, Kind whenPublic) {
        Kind inner = classifyV4(b, offset);
        return inner == Kind.PUBLIC ? whenPublic : inner;
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    private static int u(byte x) {
        return x & 0xFF;
    }
}
