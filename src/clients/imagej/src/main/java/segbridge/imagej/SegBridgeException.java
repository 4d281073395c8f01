package segbridge.imagej;

import java.util.Map;

/** A JSON-RPC error from the engine (code, message, data.codeName/field) or a client-side failure (code 0). */
public class SegBridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int code;
    public final Map<String, Object> data;

    public SegBridgeException(int code, String message, Map<String, Object> data) {
        super(message);
        this.code = code;
        this.data = data;
    }

    public SegBridgeException(String message, Throwable cause) {
        super(message, cause);
        this.code = 0;
        this.data = null;
    }

    /** {@code codeName} from the error data (e.g. {@code unknownModel}), or null. */
    public String codeName() { return Json.str(data, "codeName"); }

    /** One line for IJ.error / IJ.log: {@code SegBridge error 2001 (unknownModel): message [field x]}. */
    public String describe() {
        if (code == 0) return "SegBridge: " + getMessage() + (getCause() != null ? " (" + getCause() + ")" : "");
        StringBuilder b = new StringBuilder("SegBridge error ").append(code);
        String cn = codeName();
        if (cn != null) b.append(" (").append(cn).append(')');
        b.append(": ").append(getMessage());
        String field = Json.str(data, "field");
        if (field != null) b.append(" [field ").append(field).append(']');
        return b.toString();
    }
}
