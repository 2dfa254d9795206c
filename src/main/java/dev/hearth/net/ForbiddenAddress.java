package dev.hearth.net;

import java.net.InetAddress;

/** A host that resolved to an address the guard does not allow; the message says which and why. */
public final class ForbiddenAddress extends Exception {

    private final InetAddress address;
    private final AddressGuard.Kind kind;

    public ForbiddenAddress(String host, InetAddress address, AddressGuard.Kind kind) {
        super(describe(host, address, kind), null, false, false);
        this.address = address;
        this.kind = kind;
    }

    /** A host refused for its spelling alone, before any address is looked up. */
    public ForbiddenAddress(String host, AddressGuard.Kind kind) {
        super(host + ": " + kind.words(), null, false, false);
        this.address = null;
        this.kind = kind;
    }

    private static String describe(String host, InetAddress address, AddressGuard.Kind kind) {
        String ip = address.getHostAddress();
        String where = host.equalsIgnoreCase(ip) || host.equalsIgnoreCase("[" + ip + "]") ? ip : host + " resolves to " + ip;
        return where + ", " + kind.words() + "; Hearth does not connect to loopback, private, link-local, reserved"
                + " or metadata addresses unless the operator allows them in net.allow";
    }

    /** The refused address; null when the host was refused for its form ({@link AddressGuard.Kind#AMBIGUOUS}). */
    public InetAddress address() {
        return address;
    }

    public AddressGuard.Kind kind() {
        return kind;
    }
}
