package io.conceptseg.commons.json;

import java.util.List;
import java.util.Map;

/**
 * Typed, checked access to a parsed JSON object, with errors that name the document and the key
 * (for example "annotations.json: images[3].width: expected a number").
 */
public final class JsonObject {
    private final String where;
    private final Map<String, Object> map;

    /** @param where path for messages; @param value a parsed value that must be an object */
    public JsonObject(String where, Object value) {
        if (!(value instanceof Map)) {
            throw new JsonException(where + ": expected an object");
        }
        this.where = where;
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) value;
        this.map = m;
    }

    /** Parses a text that must be an object. */
    public static JsonObject parse(String where, String text) {
        try {
            return new JsonObject(where, Json.parse(text));
        } catch (JsonException e) {
            throw e.getMessage().startsWith(where) ? e : new JsonException(where + ": " + e.getMessage());
        }
    }

    /** Where this object sits, for messages. */
    public String where() { return where; }

    /** The raw map. */
    public Map<String, Object> map() { return map; }

    /** Whether the key is present and not null. */
    public boolean has(String key) { return map.get(key) != null; }

    private Object required(String key) {
        Object v = map.get(key);
        if (v == null) {
            throw new JsonException(where + "." + key + ": missing");
        }
        return v;
    }

    /** A required string. */
    public String string(String key) {
        Object v = required(key);
        if (!(v instanceof String s)) {
            throw new JsonException(where + "." + key + ": expected a string");
        }
        return s;
    }

    /** An optional string. */
    public String string(String key, String fallback) { return has(key) ? string(key) : fallback; }

    /** A required number. */
    public double number(String key) {
        Object v = required(key);
        if (!(v instanceof Number n)) {
            throw new JsonException(where + "." + key + ": expected a number");
        }
        return n.doubleValue();
    }

    /** An optional number. */
    public double number(String key, double fallback) { return has(key) ? number(key) : fallback; }

    /** A required integer. */
    public long integer(String key) {
        Object v = required(key);
        if (!(v instanceof Long n)) {
            throw new JsonException(where + "." + key + ": expected an integer");
        }
        return n;
    }

    /** A required nested object. */
    public JsonObject object(String key) { return new JsonObject(where + "." + key, required(key)); }

    /** A required array. */
    public List<Object> array(String key) {
        Object v = required(key);
        if (!(v instanceof List<?> l)) {
            throw new JsonException(where + "." + key + ": expected an array");
        }
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) l;
        return r;
    }

    /** Element {@code index} of an array, as an object. */
    public JsonObject objectAt(String key, int index) {
        return new JsonObject(where + "." + key + "[" + index + "]", array(key).get(index));
    }
}
