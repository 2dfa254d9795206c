package dev.hearth.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into addresses. The guard resolves each host once through this and checks every address
 * it got; tests inject their own so that names resolving to private or metadata addresses can be checked
 * without any traffic leaving the machine.
 */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
