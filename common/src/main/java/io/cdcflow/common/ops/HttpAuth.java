package io.cdcflow.common.ops;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.Setting;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may call a deployable's endpoints that return data or act on it ({@code /facts}, {@code /topology},
 * {@code POST /snapshot}): holders of the bearer token (such as {@code STREAMS_HTTP_TOKEN}), compared in constant time.
 * Without a token those endpoints are refused, unless the user turns the check off explicitly (such as
 * {@code STREAMS_HTTP_AUTH=none}). {@code /ping}, {@code /ready} and {@code /metrics} stay open: they carry no row data.
 *
 * @param token         the bearer token, or null
 * @param open          true when the check is off: no token is asked for
 * @param tokenVariable the setting holding the token, named in refusals
 * @param authVariable  the setting that turns the check off, named in refusals
 */
public record HttpAuth(String token, boolean open, String tokenVariable, String authVariable) {
    public enum Mode { TOKEN, NONE }

    public static HttpAuth fromEnv(Env env, Setting<String> tokenSetting, Setting<Mode> authSetting) {
        String tokenVariable = tokenSetting.name();
        String authVariable = authSetting.name();
        String token = tokenSetting.from(env);
        boolean open = authSetting.from(env) == Mode.NONE;
        if (open && token != null) {
            throw new ConfigException(authVariable + "=none turns the token check off, yet " + tokenVariable + " is set: unset one of them");
        }
        return new HttpAuth(token, open, tokenVariable, authVariable);
    }

    /** A Javalin before-handler: lets the request through, or answers 401 (wrong or no token) or 403 (no token configured). */
    public void require(Context ctx) {
        if (open) {
            return;
        }
        if (token == null) {
            throw new ForbiddenResponse("disabled: set " + tokenVariable + " to require a bearer token for it, or "
                    + authVariable + "=none to serve it without one");
        }
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        byte[] given = String.valueOf(ctx.header("Authorization")).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new UnauthorizedResponse("a bearer token is required (" + tokenVariable + ")");
        }
    }

    /** For the start-up log line; never the token itself. */
    public String describe() {
        return open ? "open to anyone (" + authVariable + "=none)" : token == null
                ? "disabled (set " + tokenVariable + ")" : "bearer token (" + tokenVariable + ")";
    }
}
