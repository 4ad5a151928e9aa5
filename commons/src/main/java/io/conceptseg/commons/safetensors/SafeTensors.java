package io.conceptseg.commons.safetensors;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.commons.json.Json;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the safetensors format (8-byte little-endian header length, JSON header, raw data) from a
 * memory-mapped file. F32 and I64 are read as they are; F16 and BF16 are widened to float on read,
 * so packages may store weights in half precision.
 */
public final class SafeTensors {
    /** One entry of the header. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) { }

    private final Path file;
    private final ByteBuffer data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Maps and validates a file.
     *
     * @throws ModelPackageException naming the file when it is missing, truncated or malformed
     */
    public static SafeTensors open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelPackageException(file.toString(), "safetensors file is missing");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelPackageException(file.toString(), "not a safetensors file (" + size + " bytes)");
            }
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = all.getLong(0);
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > 100_000_000) {
                throw new ModelPackageException(file.toString(), "corrupt safetensors header length " + headerLen);
            }
            byte[] hb = new byte[(int) headerLen];
            all.get(8, hb);
            JsonObject header = JsonObject.parse(file.getFileName().toString(), new String(hb, java.nio.charset.StandardCharsets.UTF_8));
            long dataStart = 8 + headerLen;
            ByteBuffer data = all.slice((int) dataStart, (int) (size - dataStart)).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : header.map().entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    JsonObject m = new JsonObject("__metadata__", e.getValue());
                    m.map().forEach((k, v) -> meta.put(k, String.valueOf(v)));
                    continue;
                }
                JsonObject t = new JsonObject(e.getKey(), e.getValue());
                List<Object> shapeList = t.array("shape");
                long[] shape = new long[shapeList.size()];
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = ((Number) shapeList.get(k)).longValue();
                }
                List<Object> off = t.array("data_offsets");
                long b = ((Number) off.get(0)).longValue();
                long en = ((Number) off.get(1)).longValue();
                String dtype = t.string("dtype");
                long expected = Tensor.elementCount(shape) * elementBytes(file, e.getKey(), dtype);
                if (b < 0 || en < b || en > data.capacity() || en - b != expected) {
                    throw new ModelPackageException(file.toString(), "tensor " + e.getKey() + " has offsets ["
                            + b + "," + en + "] that do not fit its shape or the file (truncated?)");
                }
                entries.put(e.getKey(), new Entry(e.getKey(), dtype, shape, b, en));
            }
            return new SafeTensors(file, data, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
        } catch (IOException e) {
            throw new ModelPackageException(file.toString(), "cannot read: " + e.getMessage(), e);
        } catch (JsonException | ClassCastException | IndexOutOfBoundsException e) {
            throw new ModelPackageException(file.toString(), "corrupt safetensors header: " + e.getMessage(), e);
        }
    }

    private static int elementBytes(Path file, String name, String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "I64", "F64" -> 8;
            default -> throw new ModelPackageException(file.toString(), "tensor " + name + " has unsupported dtype " + dtype);
        };
    }

    /** The file. */
    public Path file() { return file; }

    /** Header entries in file order. */
    public Map<String, Entry> entries() { return entries; }

    /** The {@code __metadata__} map. */
    public Map<String, String> metadata() { return metadata; }

    /** Tensor names in file order. */
    public List<String> names() { return new ArrayList<>(entries.keySet()); }

    /** Whether the file holds that tensor. */
    public boolean has(String name) { return entries.containsKey(name); }

    /**
     * Reads a tensor (floats widened to float32; I64 kept as int64).
     *
     * @throws ModelPackageException when it is absent
     */
    public Tensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelPackageException(file.toString(), "has no tensor " + name);
        }
        int n = (int) Tensor.elementCount(e.shape());
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position((int) e.begin());
        switch (e.dtype()) {
            case "F32": {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                return Tensor.ofFloats(f, e.shape());
            }
            case "F16": {
                float[] f = new float[n];
                for (int k = 0; k < n; k++) {
                    f[k] = halfToFloat(b.getShort());
                }
                return Tensor.ofFloats(f, e.shape());
            }
            case "BF16": {
                float[] f = new float[n];
                for (int k = 0; k < n; k++) {
                    f[k] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                }
                return Tensor.ofFloats(f, e.shape());
            }
            case "F64": {
                float[] f = new float[n];
                for (int k = 0; k < n; k++) {
                    f[k] = (float) b.getDouble();
                }
                return Tensor.ofFloats(f, e.shape());
            }
            case "I64": {
                long[] l = new long[n];
                b.asLongBuffer().get(l);
                return Tensor.ofLongs(l, e.shape());
            }
            case "I32": {
                long[] l = new long[n];
                for (int k = 0; k < n; k++) {
                    l[k] = b.getInt();
                }
                return Tensor.ofLongs(l, e.shape());
            }
            default:
                throw new ModelPackageException(file.toString(), "tensor " + name + " has unsupported dtype " + e.dtype());
        }
    }

    /** IEEE 754 half to float (Float.float16ToFloat arrives only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f / 16384f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
