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

    private static String describe(String host, InetAddress address, AddressGuard.Kind kind) {
        String ip = address.getHostAddress();
        String where = host.equalsIgnoreCase(ip) || host.equalsIgnoreCase("[" + ip + "]") ? ip : host + " resolves to " + ip;
        return where + ", " + kind.words() + "; Hearth does not connect to loopback, private, link-local, reserved"
                + " or metadata addresses unless the operator allows them in net.allow";
    }

    public InetAddress address() {
        return address;
    }

    public AddressGuard.Kind kind() {
        return kind;
    }
}
