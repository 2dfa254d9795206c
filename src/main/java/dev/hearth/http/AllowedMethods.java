package dev.hearth.http;

import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The 405 of SPEC §2 for a known path: any method other than the ones the path takes is answered with the JSON
 * envelope and an {@code Allow} header, instead of falling through to the catch-all 404 ("no route"), which
 * would tell a client that used the wrong method that the path does not exist. Register it after the path's
 * real routes.
 */
public final class AllowedMethods {

    private AllowedMethods() {
    }

    /** {@code path} is a Helidon path pattern, e.g. {@code /v1/workflows/{id}}. */
    public static void only(HttpRules rules, String path, Method... allowed) {
        only(rules, path, null, allowed);
    }

    /** The same, with {@code hint} (what to do instead) closing the message; null: "use" and the allowed methods. */
    public static void only(HttpRules rules, String path, String hint, Method... allowed) {
        List<Method> ok = List.of(allowed);
        String allow = Arrays.stream(allowed).map(Method::text).collect(Collectors.joining(", "));
        String advice = hint != null ? hint : "use " + allow;
        rules.route(m -> !ok.contains(m), PathMatchers.create(path), (req, res) -> {
            throw new ApiException(405, "Method " + req.prologue().method().text() + " is not allowed on " + req.path().path()
                    + "; " + advice).header("Allow", allow);
        });
    }
}
